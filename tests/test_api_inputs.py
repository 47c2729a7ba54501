"""Out-of-range input to the intake API: a 422 naming the field, never the value, never a 500; and a 404
never echoes the id asked for."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from eraser.demo import DEMO_EMAIL
from tests.test_api_access import call, tokens_block
from tests.test_daemon import Daemon

ECHO = "jan.echo@example.org"


@pytest.fixture(scope="module")
def daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Daemon]:
    d = Daemon(tmp_path_factory.mktemp("inputs") / "d", tokens=tokens_block({"admin": "[admin]"}))
    yield d
    d.close()


def ticket(**fields: Any) -> dict[str, Any]:
    return {"subject": {"email": DEMO_EMAIL}, "requested_by": "desk", **fields}


@pytest.mark.parametrize(("method", "path", "body", "field"), [
    ("POST", "/tickets", ticket(received_at="9999-12-31T23:59:59Z"), "received_at"),
    ("POST", "/tickets", ticket(received_at="9999-12-31T23:59:59-14:00"), "received_at"),
    ("POST", "/tickets", ticket(received_at="0001-01-01T00:00:00+14:00"), "received_at"),
    ("POST", "/tickets", ticket(received_at="2999-01-01T00:00:00Z"), "received_at"),
    ("GET", "/tickets?due_before=9999-12-31T23:59:59-14:00", None, "due_before"),
    ("GET", "/tickets?status=nonsense", None, "status"),
    ("POST", "/tickets", ticket(external_ref=f"{ECHO}\x00"), "external_ref"),
    ("POST", "/tickets", ticket(requested_by=f"{ECHO}\x00"), "requested_by"),
    ("POST", "/tickets", ticket(subject={"email": "x" * 400 + ECHO}), "subject"),
    ("POST", "/tickets", ticket(subject={ECHO: "x"}), "subject"),
    ("POST", "/tickets", ticket(subject={"email": DEMO_EMAIL}, **{ECHO: 1}), "body"),
    ("POST", "/holds", {"subject": {"email": ECHO}, "reason": "pending case", "until": "9999-12-31"}, "until"),
    ("POST", "/holds", {"subject": {ECHO: ECHO}, "reason": "pending case"}, "subject"),
])
def test_out_of_range_input_is_a_422_naming_the_field(daemon: Daemon, method: str, path: str, body: Any,
                                                      field: str) -> None:
    """Far-future or impossible dates, unknown statuses, NUL bytes, oversized or unknown identifiers: 422, the
    detail starts with the field, and no submitted value comes back."""
    response = call(daemon, method, path, "admin", body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"].startswith(f"{field}:"), response.text
    assert ECHO not in response.text and "9999" not in response.text and "0001-01" not in response.text


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/tickets/{id}"), ("POST", "/tickets/{id}/approve"), ("GET", "/certificates/{id}"),
    ("GET", "/certificates/{id}.html"), ("DELETE", "/holds/{id}"),
])
def test_a_404_does_not_echo_the_id(daemon: Daemon, method: str, path: str) -> None:
    """An unknown ticket, certificate or hold: 404, and the id asked for is not in the answer."""
    unknown = str(uuid.uuid4())
    response = call(daemon, method, path.format(id=unknown), "admin")
    assert response.status_code == 404 and unknown not in response.text, response.text


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=6)
MOMENTS = st.datetimes().map(lambda m: m.isoformat()) | st.sampled_from(
    ["9999-12-31T23:59:59Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-23:59", "2026-02-30T00:00:00Z"])
VALUES = JSON | MOMENTS | st.sampled_from([ECHO, f"{ECHO}\x00", "+32 470 12 34 56", "", " "])
SUBJECTS = st.dictionaries(st.sampled_from(["email", "phone", ECHO]), VALUES | st.lists(VALUES, max_size=3),
                           max_size=3) | VALUES
BASES = {  # a valid body per endpoint; the property changes some of its fields
    "/tickets": ticket(),
    "/holds": {"subject": {"email": ECHO}, "reason": "pending case"},
    "/tickets/{id}/extend": {"reason": "complex request"},
}
FIELDS = {
    "/tickets": {"kind": VALUES, "subject": SUBJECTS, "external_ref": VALUES, "received_at": MOMENTS,
                 "requested_by": VALUES},
    "/holds": {"subject": SUBJECTS, "reason": VALUES,
               "until": st.dates().map(str) | st.sampled_from(["9999-12-31", "0001-01-01"])},
    "/tickets/{id}/extend": {"reason": VALUES, "months": st.integers() | VALUES},
}


@st.composite
def requests(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    path = draw(st.sampled_from(sorted(BASES)))
    fields = draw(st.lists(st.sampled_from(sorted(FIELDS[path])), unique=True, min_size=1, max_size=2))
    return path, {**BASES[path], **{f: draw(FIELDS[path][f]) for f in fields}}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(request=requests())
def test_generated_bodies_never_give_a_500_nor_echo(daemon: Daemon, request: tuple[str, dict[str, Any]]) -> None:
    """Property: whatever JSON reaches a body endpoint, the answer is below 500, and a refusal carries no
    submitted value."""
    path, body = request
    existing = daemon.store.tickets(limit=1)
    target = existing[0]["id"] if existing else str(uuid.uuid4())
    response = call(daemon, "POST", path.format(id=target), "admin", body)
    assert response.status_code < 500, (body, response.text)
    if response.status_code >= 400:
        assert ECHO not in response.text, (body, response.text)
