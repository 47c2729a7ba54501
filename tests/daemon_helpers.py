"""The in-process daemon the tests drive: the API (a TestClient) and the worker over a SQLite demo, one intake
for every test that submits tickets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from eraser.demo import DEMO_EMAIL

DEFAULT = object()  # "the daemon's own token", as opposed to None: no Authorization header


class InProcessDaemon:
    """An in-process daemon (API and worker) over a SQLite demo of `persons` people under `root`; `tokens` is the
    config's api: block, `token` the one requests carry unless told otherwise."""

    def __init__(self, root: Path, tokens: str, token: str, extra: str = "", persons: int = 60) -> None:
        from fastapi.testclient import TestClient

        from eraser.config import load_config
        from eraser.daemon.api import create_app
        from eraser.daemon.worker import Worker
        from eraser.demo import prepare
        from eraser.store.state import StateStore

        self.root = root
        self.token = token
        self.config_path = prepare(root, persons=persons, seed=5)
        with self.config_path.open("a") as fh:
            fh.write(tokens + extra)
        self.config = load_config(self.config_path)
        self.store = StateStore(self.config.state or "")
        self.store.migrate()
        self.client = TestClient(create_app(self.config, self.store))
        self.worker = Worker(self.config, self.store)

    def _headers(self, token: Any) -> dict[str, str]:
        token = self.token if token is DEFAULT else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def post(self, path: str, body: Any = None, token: Any = DEFAULT, **kw: Any) -> Any:
        return self.client.post(path, json=body, headers=self._headers(token), **kw)

    def get(self, path: str, token: Any = DEFAULT) -> Any:
        return self.client.get(path, headers=self._headers(token))

    def submit(self, email: str = DEMO_EMAIL, ref: str | None = None, **extra: Any) -> dict[str, Any]:
        """Submit a ticket through the API, as the helpdesk does; the ticket as the API returns it."""
        response = self.post("/tickets", {"subject": {"email": email}, "external_ref": ref,
                                          "requested_by": "helpdesk agent 7", **extra})
        assert response.status_code in (200, 201), response.text
        return dict(response.json())

    def ticket(self, ticket_id: str) -> dict[str, Any]:
        response = self.get(f"/tickets/{ticket_id}")
        assert response.status_code == 200, response.text
        return dict(response.json())

    def drain(self) -> int:
        """Run the worker until no ticket is ready; how many it processed."""
        done = 0
        while self.worker.run_once():
            done += 1
        return done

    def close(self) -> None:
        self.worker.close()
        self.store.dispose()
