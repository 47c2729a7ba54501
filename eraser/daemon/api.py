"""HTTP intake: tickets in, status and certificates out (FastAPI).

Bearer tokens are configured as SHA-256 hashes with roles (eraser.daemon.access) and compared in constant time.
Validation errors name the field that is wrong but never echo a submitted value, and a 404 never echoes the
id asked for: the subject's identifiers never leave in a response.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated, Any, Literal

import structlog
from fastapi import FastAPI, HTTPException, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from eraser import __version__
from eraser.config import Config
from eraser.daemon.access import Access, Principal, requires
from eraser.daemon.api_docs import add_docs
from eraser.daemon.api_models import (
    ExtendIn,
    HoldIn,
    Moment,
    ObjectId,
    RejectIn,
    Status,
    TicketIn,
    field_name,
    rule_broken,
)
from eraser.daemon.health import readiness, worker_metrics
from eraser.daemon.intake import public_ticket, submit_ticket
from eraser.errors import EraserError, SubjectError
from eraser.proof.html_page import render_html
from eraser.store.legal_holds import HoldRow
from eraser.store.state import StateStore
from eraser.store.tables import now
from eraser.store.tickets import CertificateRow, TicketRow
from eraser.subjects import identifier_references, parse_subject

log = structlog.get_logger("eraser.daemon.api")

Submitter = Annotated[Principal, requires("submit", action="submitting a ticket")]
TicketReader = Annotated[Principal, requires("submit", "approve", "read", action="reading tickets")]
Decider = Annotated[Principal, requires("approve", action="approving, extending or rejecting a ticket")]
HoldKeeper = Annotated[Principal, requires("hold", action="placing or lifting a legal hold")]
HoldReader = Annotated[Principal, requires("hold", "read", action="listing legal holds")]
CertificateReader = Annotated[Principal, requires("submit", "approve", "read", action="reading certificates")]


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


def create_app(config: Config, store: StateStore, registry: CollectorRegistry | None = None,
               worker: Any = None) -> FastAPI:
    """The intake API; `registry` carries metrics the worker updates (e.g. the erasure duration histogram), and
    `worker` (the daemon's) is what /readyz and /metrics report on."""
    # The documentation is served by add_docs, from bundled files and behind a token.
    app = FastAPI(title="Eraser intake", version=__version__, docs_url=None, redoc_url=None, openapi_url=None,
                  description="Erasure tickets in; status, deadlines and signed certificates out.")
    app.state.access = Access(config.api)
    for token in config.api.tokens:
        if "roles" not in token.model_fields_set:
            log.warning("api token without roles: it may only submit tickets and read its own", token=token.name)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        first = errors[0] if errors else {"loc": (), "msg": "invalid request"}
        if first.get("type") == "json_invalid":
            return _problem(422, "the body is not valid JSON.")
        # Only the field and the rule: a submitted value may be a subject's identifier.
        return JSONResponse({"detail": f"{field_name(first['loc'])}: {rule_broken(first)}.",
                             "errors": [{"field": field_name(e["loc"]), "problem": rule_broken(e)} for e in errors]},
                            status_code=422)

    @app.exception_handler(EraserError)
    async def _eraser_error(_request: Request, exc: EraserError) -> JSONResponse:
        return _problem(422 if isinstance(exc, SubjectError) else 409, str(exc))

    def _known_types(subject: dict[str, Any]) -> dict[str, Any]:
        if any(name not in config.identifiers for name in subject):  # the unknown name is not echoed
            raise HTTPException(422, "subject: an identifier type is not defined in the configuration "
                                     f"(defined: {', '.join(sorted(config.identifiers))}).")
        return subject

    @app.post("/tickets", status_code=201)
    async def post_ticket(body: TicketIn, response: Response, who: Submitter) -> dict[str, Any]:
        # A coroutine whose one blocking part (sealing and the state store) goes to the thread pool: one hop per
        # intake, where a plain function costs FastAPI a hop for the endpoint and another for its response.
        subject = _known_types(body.subject)
        ticket, created = await run_in_threadpool(
            submit_ticket, store, config, kind=body.kind, subject=subject, external_ref=body.external_ref,
            received_at=body.received_at, requested_by=body.requested_by, submitted_by=who.name)
        if not created:
            if not who.may_see(ticket.get("submitted_by")):
                raise HTTPException(409, "external_ref: a ticket with this reference was submitted by another token.")
            response.status_code = 200
        return public_ticket(ticket)

    @app.get("/tickets")
    def list_tickets(who: TicketReader, status: Status | None = None,
                     due_before: Moment | None = None) -> list[dict[str, Any]]:
        own = None if who.reads_all else who.name
        return [public_ticket(t) for t in store.tickets(status, due_before, submitted_by=own)]

    def _ticket(ticket_id: str, who: Principal) -> TicketRow:
        ticket = store.ticket(ticket_id)
        if ticket is None or not who.may_see(ticket["submitted_by"]):  # another token's ticket is not there
            raise HTTPException(404, "there is no such ticket.")
        return ticket

    @app.get("/tickets/{ticket_id}")
    def get_ticket(ticket_id: ObjectId, who: TicketReader) -> dict[str, Any]:
        body = public_ticket(_ticket(ticket_id, who))
        said = [j["detail"] for j in store.journal_of(ticket_id) if j["step"] == "already erased"]
        if said:  # a subject erased before: "already erased on DATE (certificate ID); ..."
            body["already_erased"] = said[-1]
        return body

    @app.post("/tickets/{ticket_id}/approve")
    def approve(ticket_id: ObjectId, who: Decider) -> dict[str, Any]:
        _ticket(ticket_id, who)
        return public_ticket(store.approve(ticket_id, who.name))

    @app.post("/tickets/{ticket_id}/extend")
    def extend(ticket_id: ObjectId, body: ExtendIn, who: Decider) -> dict[str, Any]:
        _ticket(ticket_id, who)
        return public_ticket(store.extend(ticket_id, body.reason, body.months, who.name))

    @app.post("/tickets/{ticket_id}/reject")
    def reject(ticket_id: ObjectId, body: RejectIn, who: Decider) -> dict[str, Any]:
        _ticket(ticket_id, who)
        return public_ticket(store.reject(ticket_id, body.reason, who.name))

    @app.post("/holds", status_code=201)
    def add_hold(body: HoldIn, who: HoldKeeper) -> dict[str, Any]:
        subject = parse_subject(_known_types(body.subject), config)
        hold = store.add_hold(identifier_references(subject, config.secret_bytes()), body.reason, body.until,
                              who.name)
        log.info("hold added", hold=hold["id"])
        return _public_hold(hold)

    @app.get("/holds")
    def list_holds(who: HoldReader) -> list[dict[str, Any]]:
        return [_public_hold(h) for h in store.holds()]

    @app.delete("/holds/{hold_id}")
    def lift_hold(hold_id: ObjectId, who: HoldKeeper) -> dict[str, Any]:
        if store.hold(hold_id) is None:
            raise HTTPException(404, "there is no such hold.")
        return _public_hold(store.lift_hold(hold_id, who.name))

    @app.get("/certificates/{certificate_id}.html", response_class=HTMLResponse)
    def certificate_html(certificate_id: ObjectId, who: CertificateReader) -> str:
        from eraser.proof.jws import unb64

        cert = _certificate(certificate_id, who)
        payload = json.loads(unb64(json.loads(cert["body"])["payload"]))
        return render_html(payload, "stored by the issuing daemon; verify the JSON with `eraser certificate verify`")

    @app.get("/certificates/{certificate_id}.pdf")
    def certificate_pdf(certificate_id: ObjectId, who: CertificateReader,
                        lang: Literal["nl", "fr", "en"] = "en") -> Response:
        from eraser.proof.rendering import render_pdf_bytes

        cert = _certificate(certificate_id, who)
        return Response(render_pdf_bytes(cert["path"], lang), media_type="application/pdf")

    @app.get("/certificates/{certificate_id}")
    def certificate_json(certificate_id: ObjectId, who: CertificateReader) -> Response:
        return Response(_certificate(certificate_id, who)["body"], media_type="application/jose+json")

    def _certificate(certificate_id: str, who: Principal) -> CertificateRow:
        cert = store.certificate(certificate_id)
        ticket = store.ticket(cert["ticket_id"]) if cert and cert["ticket_id"] else None
        if cert is None or not (who.reads_all or (ticket and who.may_see(ticket["submitted_by"]))):
            raise HTTPException(404, "there is no such certificate.")
        return cert

    add_docs(app)

    @app.get("/healthz")
    def healthz() -> dict[str, Any]:
        """Liveness: the process answers. Whether it can work is /readyz."""
        return {"status": "ok", "version": __version__}

    @app.get("/readyz")
    def readyz(response: Response) -> dict[str, Any]:
        """Ready: the worker runs, and the state store and every customer database answer."""
        checks = readiness(config, store, worker)
        if not all(checks.values()):
            response.status_code = 503
        return {"status": "ready" if response.status_code != 503 else "not ready", "checks": checks}

    registry = registry or CollectorRegistry()

    class _StateCollector:
        def collect(self) -> Any:
            counts = GaugeMetricFamily("eraser_tickets", "Tickets by status", labels=["status"])
            for status, n in store.counts_by_status().items():
                counts.add_metric([status], n)
            yield counts
            yield GaugeMetricFamily("eraser_tickets_overdue", "Open tickets past their due date",
                                    value=len(store.overdue(now())))
            yield from worker_metrics(store, worker)

    registry.register(_StateCollector())  # type: ignore[arg-type]

    @app.get("/metrics", response_class=PlainTextResponse)
    def metrics() -> str:
        return generate_latest(registry).decode()

    app.add_middleware(BodyLimit, limit=config.api.max_body_bytes)  # type: ignore[arg-type]
    return app


def _public_hold(hold: HoldRow) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, datetime | date) else v) for k, v in hold.items()
            if k != "identifier_refs"}


def duration_histogram(registry: CollectorRegistry) -> Histogram:
    return Histogram("eraser_erasure_duration_seconds", "Time to execute one erasure ticket", registry=registry,
                     buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
