"""The residual scan never lets a certificate say PASS while a hit remains: `fail` is the default, and `report`
mode's certificate says in its outcome, verdict and every rendering (JSON, terminal, HTML, PDF text) how many
matches were left in place."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eraser.proof.certificates import render_html
from eraser.proof.describe import describe
from tests.test_bad_input import run, snapshot
from tests.test_residual import NOTE, certificate_of, notes, with_notes

sqlite_only = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


@sqlite_only
def test_default_mode_rolls_back_on_a_hit(demo_env, tmp_path: Path) -> None:
    """A config without residual_scan.mode rolls the erasure back when the subject's address is in a note that no
    table rule covers (the old default, report, certified PASS and left it there)."""
    config = with_notes(demo_env, tmp_path, "")  # the mode line removed: the default applies
    assert "mode:" not in config.read_text().split("residual_scan:", 1)[1].split("tables:", 1)[0]
    before = snapshot(demo_env.engine)
    result = run("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert result.exit_code == 4, result.output
    (message,) = result.stderr.strip().splitlines()
    assert "the residual scan found the subject's identifiers in crm_notes.meta (1 row(s)), crm_notes.note" in message
    assert snapshot(demo_env.engine) == before


@sqlite_only
def test_report_mode_certificate_says_matches_were_left(demo_env, tmp_path: Path) -> None:
    """mode report: the note stays, and the certificate's outcome, verdict and match count say so in the JSON, on
    the terminal, in HTML and in the PDF's text; nowhere does it say PASS or 0 residual matches."""
    config = with_notes(demo_env, tmp_path, "      mode: report\n")
    result = run("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert result.exit_code == 0, result.output
    assert notes(demo_env)[1][0] == NOTE
    payload = certificate_of(result.output)
    verification = payload["verification"]
    assert payload["outcome"] == "erased_with_residual_matches"
    assert verification["result"] == "RESIDUAL MATCHES REPORTED, NOT REMOVED"
    assert verification["residual_matches"] == 1 and verification["residual_scan"]["rows_left_in_place"] == 1
    assert "Verification: RESIDUAL MATCHES REPORTED, NOT REMOVED (residual matches 1," in result.output
    page = render_html(payload)
    assert "erased_with_residual_matches</strong> (1 residual match(es) reported, not removed)" in page
    assert "residual matches: 1." in page and "<strong>PASS</strong>" not in page
    text = json.dumps([b.content for b in describe(payload, "en")], ensure_ascii=False).replace("\u00a0", " ")
    assert "residual matches reported, not removed" in text and "still found in 1 record" in text
    assert "passed" not in text


@sqlite_only
def test_redact_mode_still_passes_once_nothing_is_left(demo_env, tmp_path: Path) -> None:
    """mode redact: the hits are replaced, so the verdict is PASS with no match left."""
    config = with_notes(demo_env, tmp_path, "      mode: redact\n")
    result = run("erase", "--config", str(config), "--subject", "email=jan@example.be", "--yes")
    assert result.exit_code == 0, result.output
    payload = certificate_of(result.output)
    assert payload["verification"]["result"] == "PASS" and payload["verification"]["residual_matches"] == 0
    assert payload["outcome"] != "erased_with_residual_matches"


def test_certify_refuses_any_verdict_but_pass_or_reported() -> None:
    """certificates.certify signs only PASS, REPORTED, or NOT RUN under a legal hold; anything else (a result
    some future check forgets to compute) is refused."""
    from types import SimpleNamespace

    from eraser.errors import CertificateError
    from eraser.proof.certificates import certify

    for result in ("", "MAYBE", "NOT RUN", None):
        outcome = SimpleNamespace(verification={"result": result}, plan=SimpleNamespace(hold=None))
        with pytest.raises(CertificateError, match="did not verify"):
            certify(SimpleNamespace(), outcome, None)
