"""Certificates: canonical JSON, Ed25519 JWS any JOSE library accepts, chain, rendering."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import rfc8785
from joserfc import jws
from joserfc.jwk import OKPKey

from eraser.errors import CertificateError
from eraser.proof.certificates import (
    canonical,
    generate_keys,
    issue,
    load_private_key,
    read_jws,
    render_html,
    sign,
    verify,
)

PAYLOAD = {"certificate": {"type": "erasure"}, "outcome": "erased", "subject": {"reference": "hmac-sha256:ab"},
           "totals": {"delete": 3}, "note": "Cafe\u0301 Liège"}


@pytest.fixture
def keys(tmp_path: Path) -> tuple[Path, Path]:
    private, public, _ = generate_keys(tmp_path / "keys")
    return private, public


def test_private_key_is_private(keys: tuple[Path, Path]) -> None:
    """The private key file is readable by its owner only."""
    assert stat.S_IMODE(keys[0].stat().st_mode) == 0o600


def test_a_jose_library_verifies_the_signature(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """An independent JOSE implementation (joserfc) verifies the flattened JWS with the public key."""
    issued = issue(PAYLOAD, load_private_key(keys[0]), tmp_path / "certs")
    document = json.loads(issued.path.read_text())
    key = OKPKey.import_key(keys[1].read_bytes())
    result = jws.deserialize_json(document, key, algorithms=["Ed25519"])
    payload = json.loads(result.payload)
    assert payload["outcome"] == "erased"
    assert result.payload == rfc8785.dumps(payload)  # canonical form, RFC 8785
    assert payload["note"] == "Caf\u00e9 Liège"  # NFC-normalized


def test_chain_links_each_certificate_to_the_previous(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """Each certificate carries the SHA-256 of the canonical payload of the one before; verify reports the
    chain position; a predecessor replaced by another signed certificate breaks the chain."""
    key = load_private_key(keys[0])
    first = issue(PAYLOAD, key, tmp_path / "certs")
    second = issue(PAYLOAD, key, tmp_path / "certs")
    result = verify(second.path, [keys[1]])
    assert result.sequence == 2 and result.chain == "linked to certificate 1"
    assert read_jws(second.path)[1]["certificate"]["previous_sha256"] == first.payload_sha256
    header, payload = read_jws(first.path)[:2]
    payload["totals"]["delete"] = 4
    first.path.write_text(json.dumps(sign(payload, key)))
    with pytest.raises(CertificateError, match="broken chain"):
        verify(second.path, [keys[1]])


def test_floats_are_refused() -> None:
    """Certificates hold no floating-point numbers (exact counts and strings only)."""
    with pytest.raises(TypeError):
        canonical({"ratio": 0.5})


def test_unknown_key_is_named(keys: tuple[Path, Path], tmp_path: Path) -> None:
    """A certificate checked against another key fails with 'unknown key'."""
    issued = issue(PAYLOAD, load_private_key(keys[0]), tmp_path / "certs")
    _, other, _ = generate_keys(tmp_path / "other")
    with pytest.raises(CertificateError, match="unknown key"):
        verify(issued.path, [other])


def test_html_says_it_in_words() -> None:
    """The rendering is plain HTML that states the outcome, escapes text and never says 'unrecoverable'."""
    page = render_html({**PAYLOAD, "outcome": "<b>erased</b>", "retained": [
        {"connector": "c", "table": "invoices", "rows": 2, "basis": "VAT Code art. 60",
         "release_first": "2035-01-01", "release_last": "2036-01-01"}]})
    assert "&lt;b&gt;erased&lt;/b&gt;" in page
    assert "kept until 2035-01-01 to 2036-01-01" in page and "VAT Code art. 60" in page
    assert "unrecoverable" not in page.lower()


def test_the_log_and_the_keyring_do_not_import_the_certificates_module() -> None:
    """The proof modules form layers (proofio, keys, keyring, chain, translog, certificates): no import loop."""
    import subprocess
    import sys

    code = ("import sys, eraser.proof.translog, eraser.proof.keyring, eraser.proof.chain, eraser.proof.witness; "
            "print('eraser.proof.certificates' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
