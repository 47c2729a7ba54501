"""The floor for `POST /tickets` (bench/tickets.py): the same intake work as the daemon's, in a bare ASGI app.

Token check (SHA-256, constant time), the subject validated against the config, HMAC references, the AES-GCM seal,
the one insert with its journal line (eraser.daemon.intake.submit_ticket, in a thread as FastAPI runs it) and the
ticket as JSON, without FastAPI's routing, validation models and middleware, on uvicorn:

    python bench/intake_floor.py CONFIG PORT [PROCESSES]

With PROCESSES > 1, uvicorn runs that many processes on the one listening socket (each its own state-store pool).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
from typing import Any


def app_for(config_path: str, token: str) -> Any:
    import anyio

    from eraser.config import load_config
    from eraser.daemon.intake import public_ticket, submit_ticket
    from eraser.store.state import StateStore

    config = load_config(config_path)
    store = StateStore(config.state or "")
    digest = hashlib.sha256(token.encode()).hexdigest()

    async def answer(send: Any, status: int, body: bytes) -> None:
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": body})

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        auth = dict(scope["headers"]).get(b"authorization", b"")
        given = hashlib.sha256(auth.removeprefix(b"Bearer ")).hexdigest()
        if scope["path"] != "/tickets" or not hmac.compare_digest(given, digest):
            await answer(send, 401, b'{"detail": "no"}')
            return
        data = json.loads(body)

        def submit() -> Any:
            return submit_ticket(store, config, kind="erase", subject=data["subject"], external_ref=data["external_ref"],
                                 received_at=None, requested_by=data["requested_by"], submitted_by="bench")

        ticket, created = await anyio.to_thread.run_sync(submit)
        await answer(send, 201 if created else 200, json.dumps(public_ticket(ticket)).encode())

    return app


def factory() -> Any:
    """The app of a uvicorn worker process (PROCESSES > 1): its config from the environment."""
    import os

    from bench.tickets import TOKEN

    return app_for(os.environ["INTAKE_FLOOR_CONFIG"], TOKEN)


def main() -> None:
    import os

    import uvicorn

    from bench.tickets import TOKEN

    config_path, port = sys.argv[1], int(sys.argv[2])
    processes = int(sys.argv[3]) if len(sys.argv) > 3 else 1
    if processes > 1:
        os.environ["INTAKE_FLOOR_CONFIG"] = config_path
        uvicorn.run("bench.intake_floor:factory", factory=True, workers=processes, host="127.0.0.1", port=port,
                    log_level="warning", lifespan="off", access_log=False)
        return
    uvicorn.run(app_for(config_path, TOKEN), host="127.0.0.1", port=port, log_level="warning", lifespan="off",
                access_log=False)


if __name__ == "__main__":
    main()
