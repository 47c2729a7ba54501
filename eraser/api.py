"""HTTP intake: tickets in, status and certificates out (FastAPI).

Bearer tokens are configured as SHA-256 hashes and compared in constant time. Validation errors name the
field that is wrong but never echo a submitted value: the subject's identifiers never leave in a response.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import Depends, FastAPI, HTTPException, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from pydantic import BaseModel, ConfigDict, Field

from eraser import __version__
from eraser.certificates import render_html
from eraser.config import Config
from eraser.daemon import public_ticket, submit_ticket
from eraser.errors import EraserError, SubjectError
from eraser.state import StateStore, now
from eraser.subjects import identifier_references, parse_subject

log = structlog.get_logger("eraser.api")
Identifier = str | list[str]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TicketIn(_Body):
    kind: Literal["erase", "access", "restrict"] = "erase"
    subject: dict[str, Identifier] = Field(min_length=1)
    external_ref: str | None = Field(default=None, max_length=200)
    received_at: datetime | None = None
    requested_by: str = Field(min_length=1, max_length=200)


class ExtendIn(_Body):
    reason: str = Field(min_length=5, max_length=2000)
    months: int = Field(default=2, ge=1, le=2)


class RejectIn(_Body):
    reason: str = Field(min_length=5, max_length=2000)


class HoldIn(_Body):
    subject: dict[str, Identifier] = Field(min_length=1)
    reason: str = Field(min_length=5, max_length=2000)
    until: date | None = None


_bearer = HTTPBearer(auto_error=False)


def caller(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    """The name of the token presented; 401 without one that matches a configured SHA-256."""
    if credentials is None:
        raise HTTPException(401, "a bearer token is required.", headers={"WWW-Authenticate": "Bearer"})
    offered = hashlib.sha256(credentials.credentials.encode()).digest()
    match = None
    for name, expected in request.app.state.tokens.items():  # compare with every token, in constant time
        if hmac.compare_digest(offered, expected):
            match = name
    if match is None:
        raise HTTPException(401, "the bearer token is not valid.", headers={"WWW-Authenticate": "Bearer"})
    return match


Caller = Annotated[str, Depends(caller)]


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"detail": detail}, status_code=status)


class BodyLimit:
    """Refuse request bodies over the limit before they are read into memory (413)."""

    def __init__(self, app: Any, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _problem(413, f"the request body is larger than {self.limit} bytes.")(scope, receive, send)
            return
        seen = 0

        async def limited() -> dict[str, Any]:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, f"the request body is larger than {self.limit} bytes.")
            return dict(message)

        await self.app(scope, limited, send)


def create_app(config: Config, store: StateStore, registry: CollectorRegistry | None = None) -> FastAPI:
    """The intake API; `registry` carries metrics the worker updates (e.g. the erasure duration histogram)."""
    app = FastAPI(title="Eraser intake", version=__version__,
                  description="Erasure tickets in; status, deadlines and signed certificates out.")
    app.state.tokens = {t.name: bytes.fromhex(t.sha256) for t in config.api.tokens}

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(x) for x in first["loc"] if x != "body") or "body"
        if first.get("type") == "json_invalid":
            return _problem(422, "the body is not valid JSON.")
        # Only the field and the rule: a submitted value may be a subject's identifier.
        return JSONResponse({"detail": f"{field}: {first['msg']}.",
                             "errors": [{"field": ".".join(str(x) for x in e["loc"] if x != "body"),
                                         "problem": e["msg"]} for e in errors]}, status_code=422)

    @app.exception_handler(EraserError)
    async def _eraser_error(_request: Request, exc: EraserError) -> JSONResponse:
        return _problem(422 if isinstance(exc, SubjectError) else 409, str(exc))

    @app.post("/tickets", status_code=201)
    def post_ticket(body: TicketIn, response: Response, who: Caller) -> dict[str, Any]:
        ticket, created = submit_ticket(store, config, kind=body.kind, subject=body.subject,
                                        external_ref=body.external_ref, received_at=body.received_at,
                                        requested_by=body.requested_by)
        if not created:
            response.status_code = 200
        return public_ticket(ticket)

    @app.get("/tickets")
    def list_tickets(who: Caller, status: str | None = None, due_before: datetime | None = None) -> list[dict[str, Any]]:
        return [public_ticket(t) for t in store.tickets(status, due_before)]

    def _ticket(ticket_id: str) -> dict[str, Any]:
        ticket = store.ticket(ticket_id)
        if ticket is None:
            raise HTTPException(404, f"there is no ticket {ticket_id}.")
        return ticket

    @app.get("/tickets/{ticket_id}")
    def get_ticket(ticket_id: str, who: Caller) -> dict[str, Any]:
        return public_ticket(_ticket(ticket_id))

    @app.post("/tickets/{ticket_id}/approve")
    def approve(ticket_id: str, who: Caller) -> dict[str, Any]:
        _ticket(ticket_id)
        return public_ticket(store.approve(ticket_id, who))

    @app.post("/tickets/{ticket_id}/extend")
    def extend(ticket_id: str, body: ExtendIn, who: Caller) -> dict[str, Any]:
        _ticket(ticket_id)
        return public_ticket(store.extend(ticket_id, body.reason, body.months, who))

    @app.post("/tickets/{ticket_id}/reject")
    def reject(ticket_id: str, body: RejectIn, who: Caller) -> dict[str, Any]:
        _ticket(ticket_id)
        return public_ticket(store.reject(ticket_id, body.reason, who))

    @app.post("/holds", status_code=201)
    def add_hold(body: HoldIn, who: Caller) -> dict[str, Any]:
        subject = parse_subject(body.subject, config)
        hold = store.add_hold(identifier_references(subject, config.secret_bytes()), body.reason, body.until, who)
        log.info("hold added", hold=hold["id"])
        return _public_hold(hold)

    @app.get("/holds")
    def list_holds(who: Caller) -> list[dict[str, Any]]:
        return [_public_hold(h) for h in store.holds()]

    @app.delete("/holds/{hold_id}")
    def lift_hold(hold_id: str, who: Caller) -> dict[str, Any]:
        if store.hold(hold_id) is None:
            raise HTTPException(404, f"there is no hold {hold_id}.")
        return _public_hold(store.lift_hold(hold_id, who))

    @app.get("/certificates/{certificate_id}.html", response_class=HTMLResponse)
    def certificate_html(certificate_id: str, who: Caller) -> str:
        from eraser.certificates import _unb64

        cert = _certificate(certificate_id)
        payload = json.loads(_unb64(json.loads(cert["body"])["payload"]))
        return render_html(payload, "stored by the issuing daemon; verify the JSON with `eraser certificate verify`")

    @app.get("/certificates/{certificate_id}")
    def certificate_json(certificate_id: str, who: Caller) -> Response:
        return Response(_certificate(certificate_id)["body"], media_type="application/jose+json")

    def _certificate(certificate_id: str) -> dict[str, Any]:
        cert = store.certificate(certificate_id)
        if cert is None:
            raise HTTPException(404, f"there is no certificate {certificate_id}.")
        return cert

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        with store.engine.connect():
            pass
        return {"status": "ok", "version": __version__}

    registry = registry or CollectorRegistry()

    class _StateCollector:
        def collect(self) -> Any:
            counts = GaugeMetricFamily("eraser_tickets", "Tickets by status", labels=["status"])
            for status, n in store.counts_by_status().items():
                counts.add_metric([status], n)
            yield counts
            yield GaugeMetricFamily("eraser_tickets_overdue", "Open tickets past their due date",
                                    value=len(store.overdue(now())))

    registry.register(_StateCollector())  # type: ignore[arg-type]

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return generate_latest(registry).decode()

    app.add_middleware(BodyLimit, limit=config.api.max_body_bytes)  # type: ignore[arg-type]
    return app


def _public_hold(hold: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in hold.items()
            if k != "identifier_refs"}


def duration_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("eraser_erasure_duration_seconds", "Time to execute one erasure ticket", registry=registry,
                     buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
