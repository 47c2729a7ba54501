"""Access to the intake API: each token does and sees what its roles allow, four eyes goes by token, the
documentation is served from bundled files behind a token, and every token has a rate limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from eraser.daemon.access import TokenBuckets
from eraser.demo import DEMO_EMAIL
from tests.test_daemon import Daemon

ROLES = ("submit", "approve", "hold", "read", "admin")
OTHER_EMAIL = "hold.only@example.org"


def secret(name: str) -> str:
    return f"{name}-token-0123456789abcdef"


def tokens_block(tokens: dict[str, str | None], rate: str = "{per_minute: 6000, burst: 1000}") -> str:
    """An `api:` block with one token per entry; `None` leaves `roles:` out (the default)."""
    lines = [f"api:\n  rate_limit: {rate}\n  tokens:\n"]
    for name, roles in tokens.items():
        digest = hashlib.sha256(secret(name).encode()).hexdigest()
        lines.append(f"    - {{name: {name}, sha256: {digest}" + (f", roles: {roles}" if roles else "") + "}\n")
    return "".join(lines)


def call(d: Daemon, method: str, path: str, token: str, body: Any = None) -> Any:
    return d.client.request(method, path, json=body, headers={"Authorization": f"Bearer {secret(token)}"})


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """One daemon with a token per role; a finished ticket (with certificate) filed by the submit token, a
    planned one, and a hold."""
    tokens: dict[str, str | None] = {role: f"[{role}]" for role in ROLES}
    d = Daemon(tmp_path_factory.mktemp("access") / "d", "approval: required\n", tokens=tokens_block(tokens))
    first = call(d, "POST", "/tickets", "submit", {"subject": {"email": DEMO_EMAIL}, "requested_by": "desk"}).json()
    d.drain()
    call(d, "POST", f"/tickets/{first['id']}/approve", "approve")
    d.drain()
    done = d.store.ticket(first["id"])
    assert done is not None and done["certificate_id"], done
    hold = call(d, "POST", "/holds", "admin", {"subject": {"email": OTHER_EMAIL}, "reason": "litigation pending"})
    yield {"d": d, "ticket": first["id"], "certificate": done["certificate_id"], "hold": hold.json()["id"]}
    d.close()


ENDPOINTS: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/tickets", {"subject": {"email": "new.person@example.org"}, "requested_by": "desk"}, {"submit"}),
    ("GET", "/tickets", None, {"submit", "approve", "read"}),
    ("GET", "/tickets/{ticket}", None, {"submit", "approve", "read"}),
    ("POST", "/tickets/{ticket}/approve", None, {"approve"}),
    ("POST", "/tickets/{ticket}/extend", {"reason": "complex request"}, {"approve"}),
    ("POST", "/tickets/{ticket}/reject", {"reason": "manifestly unfounded"}, {"approve"}),
    ("POST", "/holds", {"subject": {"email": OTHER_EMAIL}, "reason": "litigation pending"}, {"hold"}),
    ("GET", "/holds", None, {"hold", "read"}),
    ("DELETE", "/holds/{hold}", None, {"hold"}),
    ("GET", "/certificates/{certificate}", None, {"submit", "approve", "read"}),
    ("GET", "/certificates/{certificate}.html", None, {"submit", "approve", "read"}),
    ("GET", "/openapi.json", None, set(ROLES)),
    ("GET", "/docs", None, set(ROLES)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("method", "path", "body", "allowed"), ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS])
def test_each_role_against_each_endpoint(world: dict[str, Any], role: str, method: str, path: str, body: Any,
                                         allowed: set[str]) -> None:
    """A token reaches an endpoint only with a role that allows it (admin reaches all); otherwise a 403 with one
    sentence that names the role needed."""
    response = call(world["d"], method, path.format(**world), role, body)
    if role in allowed or role == "admin":
        # Allowed: the request is served (a 409 says the ticket's state refuses it, not the token).
        assert response.status_code in (200, 201, 409), (role, response.status_code, response.text)
        if response.status_code == 409:
            assert "role" not in response.json()["detail"]
    else:
        assert response.status_code == 403, (role, response.status_code, response.text)
        detail = response.json()["detail"]
        assert "role" in detail and detail.endswith(".") and detail.count(". ") == 0, detail


def test_a_submit_token_sees_only_its_own_tickets(tmp_path: Path) -> None:
    """Two helpdesk tokens: each lists and reads only its own tickets and certificates (another's is a 404 that
    does not echo the id, and its external_ref cannot be used to fetch it); a read token sees both."""
    d = Daemon(tmp_path / "d", tokens=tokens_block({"desk1": "[submit]", "desk2": "[submit]", "auditor": "[read]"}))
    try:
        mine = call(d, "POST", "/tickets", "desk1", {"subject": {"email": DEMO_EMAIL}, "external_ref": "HD-1",
                                                     "requested_by": "agent"}).json()
        theirs = call(d, "POST", "/tickets", "desk2", {"subject": {"email": OTHER_EMAIL}, "external_ref": "HD-2",
                                                       "requested_by": "agent"}).json()
        d.drain()
        assert [t["id"] for t in call(d, "GET", "/tickets", "desk1").json()] == [mine["id"]]
        assert call(d, "GET", f"/tickets/{mine['id']}", "desk1").json()["submitted_by"] == "desk1"
        for path in (f"/tickets/{theirs['id']}", f"/certificates/{d.store.ticket(theirs['id'])['certificate_id']}"):
            hidden = call(d, "GET", path, "desk1")
            assert hidden.status_code == 404 and theirs["id"] not in hidden.text, hidden.text
        reuse = call(d, "POST", "/tickets", "desk1", {"subject": {"email": OTHER_EMAIL}, "external_ref": "HD-2",
                                                      "requested_by": "agent"})
        assert reuse.status_code == 409 and theirs["id"] not in reuse.text, reuse.text
        assert {t["id"] for t in call(d, "GET", "/tickets", "auditor").json()} == {mine["id"], theirs["id"]}
    finally:
        d.close()


def test_a_token_never_approves_a_ticket_it_submitted(tmp_path: Path) -> None:
    """Four eyes by token: a token with submit and approve files a ticket "as alice" and cannot approve it,
    whatever `requested_by` says; a different token can."""
    d = Daemon(tmp_path / "d", "approval: required\n",
               tokens=tokens_block({"ops": "[submit, approve]", "dpo": "[approve]"}))
    try:
        ticket = call(d, "POST", "/tickets", "ops", {"subject": {"email": DEMO_EMAIL}, "requested_by": "alice"}).json()
        d.drain()
        own = call(d, "POST", f"/tickets/{ticket['id']}/approve", "ops")
        assert own.status_code == 409 and "four eyes" in own.json()["detail"], own.text
        assert d.store.ticket(ticket["id"])["status"] == "planned"
        assert call(d, "POST", f"/tickets/{ticket['id']}/approve", "dpo").json()["status"] == "approved"
    finally:
        d.close()


def test_a_token_without_roles_may_only_submit(tmp_path: Path) -> None:
    """An older config whose tokens have no `roles:` keeps working for intake, and nothing more."""
    d = Daemon(tmp_path / "d", tokens=tokens_block({"legacy": None}))
    try:
        ticket = call(d, "POST", "/tickets", "legacy", {"subject": {"email": DEMO_EMAIL}, "requested_by": "a"})
        assert ticket.status_code == 201
        assert call(d, "GET", f"/tickets/{ticket.json()['id']}", "legacy").status_code == 200
        assert call(d, "GET", "/holds", "legacy").status_code == 403
        assert call(d, "POST", f"/tickets/{ticket.json()['id']}/approve", "legacy").status_code == 403
    finally:
        d.close()


def test_the_docs_are_bundled_and_behind_a_token(world: dict[str, Any]) -> None:
    """/docs and /openapi.json need a token; the page loads Swagger UI from the daemon itself, never a CDN."""
    d = world["d"]
    assert d.client.get("/docs").status_code == 401 and d.client.get("/openapi.json").status_code == 401
    assert d.client.get("/redoc").status_code == 404
    page = call(d, "GET", "/docs", "read").text
    assert "/docs/assets/swagger-ui-bundle.js" in page and "http" not in page.split("<script", 1)[0]
    assert '"/tickets"' in page  # the OpenAPI document is inline: the browser fetches nothing else with the token
    script = d.client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert d.client.get("/docs/assets/..%2Fcore.py").status_code == 404


def test_each_token_has_a_rate_limit(tmp_path: Path) -> None:
    """Past its burst a token gets 429 with Retry-After; another token is not affected; wrong tokens share one
    bucket, so guessing is throttled as well."""
    d = Daemon(tmp_path / "d", tokens=tokens_block({"busy": "[read]", "calm": "[read]"},
                                                   rate="{per_minute: 60, burst: 3}"))
    try:
        codes = [call(d, "GET", "/holds", "busy").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        limited = call(d, "GET", "/holds", "busy")
        assert limited.status_code == 429 and int(limited.headers["Retry-After"]) >= 1
        assert call(d, "GET", "/holds", "calm").status_code == 200
        guesses = [call(d, "GET", "/holds", f"guess{i}").status_code for i in range(4)]
        assert guesses == [401, 401, 401, 429]
    finally:
        d.close()


def test_the_bucket_refills_at_its_rate() -> None:
    """Two at once, then one more per second at 60 a minute."""
    moment = [0.0]
    buckets = TokenBuckets(per_minute=60, burst=2, clock=lambda: moment[0])
    assert [buckets.wait_seconds("t") for _ in range(3)] == [0.0, 0.0, 1.0]
    moment[0] = 1.0
    assert buckets.wait_seconds("t") == 0.0 and buckets.wait_seconds("t") > 0


def test_token_names_and_hashes_are_unique(tmp_path: Path) -> None:
    """Two tokens with one name would make four eyes and ownership meaningless: the config is refused."""
    from click.testing import CliRunner

    from eraser.cli import main
    from eraser.demo import prepare

    config = prepare(tmp_path / "d", persons=5, seed=5)
    digest = hashlib.sha256(b"x").hexdigest()
    with config.open("a") as fh:
        fh.write(f"api:\n  tokens:\n    - {{name: a, sha256: {digest}}}\n    - {{name: a, sha256: {'f' * 64}}}\n")
    result = CliRunner().invoke(main, ["config", "check", str(config)])
    assert result.exit_code != 0 and "same name" in result.output, result.output
