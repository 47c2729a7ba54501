"""Proofs around a certificate: signed PDF in three languages, transparency log, key manifest and rotation."""

from __future__ import annotations

import base64
import copy
import io
import json
import os
import re
import shutil
import stat
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from eraser.cli import main
from eraser.cli.proof import pdf_options, register, render_pdf_command, verify_command, verify_options
from eraser.errors import CertificateError
from eraser.proof.certificates import (
    canonical,
    generate_keys,
    issue,
    key_id,
    load_private_key,
    load_public_key,
    read_jws,
    sign,
    verify,
)
from eraser.proof.chain import verify_with_manifest
from eraser.proof.keyring import KeyringError, create_manifest, load_manifest, rotate
from eraser.proof.merkle import (
    consistency_proof,
    inclusion_path,
    leaf_hash,
    root_hash,
    verify_consistency_proof,
    verify_inclusion_path,
)
from eraser.proof.pdf import (
    check_pdf_signature,
    embedded_certificate,
    generate_pdf_signing_key,
    render_pdf,
    verify_pdf,
)
from eraser.proof.translog import (
    LOG_FILE,
    LogError,
    append,
    checkpoint,
    read_log,
    verify_consistency,
    verify_inclusion,
)

# A certificate payload as `erasure_payload` writes it (the demo's erasure), with fixed dates.
PAYLOAD: dict[str, Any] = {
    "certificate": {"type": "erasure"},
    "issuer": {"organisation": "COVER GROUP SRL", "role": "processor",
               "software": {"name": "eraser-agent", "version": "0.1.0"}},
    "controller": "Installateur Dubois SRL",
    "ticket": {"reference": "ERA-20260302-0001", "kind": "erase", "received_at": "2026-03-02T09:00:00Z",
               "due_at": "2026-04-02T09:00:00Z", "started_at": "2026-03-05T14:06:58Z",
               "completed_at": "2026-03-05T14:07:00Z"},
    "legal_ground": "GDPR Art. 17(1): erasure on request of the data subject, via the controller",
    "subject": {"reference": "hmac-sha256:ae81ddc7eebfc11a622743165ae546f2262d9c1db933ed4ad58ecea4a2afda9e",
                "identifier_types": ["email"]},
    "outcome": "erased_with_retention",
    "hold": None,
    "totals": {"anonymize": 3, "delete": 17, "hold": 0, "retain": 9, "review": 1},
    "databases": [{"connector": "cover", "dialect": "sqlite", "tables": [
        {"table": "addresses", "category": "postal address", "found": 2, "done": {"delete": 1},
         "counts": {"anonymize": 0, "delete": 1, "hold": 0, "retain": 0, "review": 1}},
        {"table": "invoices", "category": "invoicing", "found": 10, "done": {"delete": 5},
         "counts": {"anonymize": 0, "delete": 5, "hold": 0, "retain": 5, "review": 0}},
        {"table": "payments", "category": "invoicing", "found": 6, "done": {"delete": 2},
         "counts": {"anonymize": 0, "delete": 2, "hold": 0, "retain": 4, "review": 0}},
        {"table": "persons", "category": "identification and contact details", "found": 1,
         "done": {"anonymize": 1},
         "counts": {"anonymize": 1, "delete": 0, "hold": 0, "retain": 0, "review": 0},
         "strategies": {"email": "faker:email", "first_name": "faker:first_name",
                        "date_of_birth": "generalize:year"}},
        {"table": "quotes", "category": "price quotes", "found": 4, "done": {"anonymize": 2, "delete": 2},
         "counts": {"anonymize": 2, "delete": 2, "hold": 0, "retain": 0, "review": 0},
         "strategies": {"notes": "redact"}},
        {"table": "usage_events", "category": "usage data and IP addresses", "found": 7,
         "done": {"delete": 7},
         "counts": {"anonymize": 0, "delete": 7, "hold": 0, "retain": 0, "review": 0}},
    ]}],
    "retained": [
        {"connector": "cover", "table": "invoices", "rows": 5, "period": "10y",
         "counted_from": "invoice_date",
         "basis": "Belgian VAT Code art. 60 and Income Tax Code art. 315: invoices are kept 10 years",
         "release_first": "2035-01-01", "release_last": "2036-01-01", "minimized_columns": []},
        {"connector": "cover", "table": "payments", "rows": 4, "period": "10y", "counted_from": "parent",
         "basis": "Accounting evidence of the invoice they settle (Code of Economic Law art. III.86)",
         "release_first": "2036-01-01", "release_last": "2036-01-01", "minimized_columns": ["iban"]},
    ],
    "review": [{"connector": "cover", "table": "addresses", "rows": 1,
                "reason": "shared: also used by 2 row(s) of persons outside this subject's data (foreign key "
                          "persons(address_id) -> addresses(id)); left for review",
                "code": "shared", "params": {"uses": [{"rows": 2, "table": "persons",
                                                       "relation": "foreign key persons(address_id) -> addresses(id)"}]}}],
    "verification": {"kept_rows_checked": 10, "residual_matches": 0, "result": "PASS",
                     "method": "re-located the subject inside the transaction before commit; checked deleted "
                               "rows are gone, anonymized columns changed, retained and other kept rows "
                               "unchanged (SHA-256 per row), and foreign keys hold"},
    "operator": "dpo@cover.example",
    "recipients_to_notify": ["hosting provider (sub-processor)",
                             "newsletter sending service (sub-processor)"],
    "remaining_copies": {
        "statement": "This is logical deletion in the databases named above, not sanitization of storage "
                     "media. SQLite keeps deleted content in free pages until VACUUM (or secure_delete) "
                     "overwrites them; the journal/WAL file may hold copies until checkpointed. Backups "
                     "(nightly database dumps kept 35 days) keep copies until they expire; after any "
                     "restore, the erasure must be applied again.",
        "backups_retention": "35d", "backups_expire_on": "2026-04-09",
        "storage": ["sqlite"], "backups_description": "nightly database dumps kept 35 days", "reapply": "erasure"},
}


@dataclass
class Store:
    """A demo-like layout: keys/ (Ed25519 pair, PDF key and certificate) beside certificates/."""

    root: Path

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def certificates(self) -> Path:
        return self.root / "certificates"

    @property
    def private(self) -> Path:
        return self.keys / "eraser-signing.pem"

    @property
    def public(self) -> Path:
        return self.keys / "eraser-signing.pub.pem"

    @property
    def pdf_key(self) -> Path:
        return self.keys / "eraser-pdf-signing.pem"

    @property
    def pdf_cert(self) -> Path:
        return self.keys / "eraser-pdf-signing.cert.pem"

    def issue(self, payload: dict[str, Any] | None = None, key: Path | None = None,
              issued_at: datetime | None = None) -> Path:
        """Issue a certificate, by default at its ticket's completion time (as if certified right then)."""
        content = payload or PAYLOAD
        moment = issued_at or datetime.fromisoformat(content["ticket"]["completed_at"])
        return issue(content, load_private_key(key or self.private), self.certificates, issued_at=moment).path


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "env")
    generate_keys(s.keys)
    generate_pdf_signing_key(s.keys, organisation="COVER GROUP SRL")
    return s


@pytest.fixture
def cli() -> Iterator[CliRunner]:
    """The eraser command with the proof commands registered, plus `certificate` commands wired the way
    `certificate render --format pdf` and `certificate verify` call into eraser.cli.proof."""
    register(main)
    group = main.commands["certificate"]
    assert isinstance(group, click.Group)

    @group.command("render-pdf")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--out", type=click.Path(path_type=Path), default=None)
    @click.option("--public-key", "public_keys", multiple=True, type=click.Path(path_type=Path))
    @pdf_options
    def render_pdf_cmd(file: Path, out: Path | None, public_keys: tuple[Path, ...], lang: str,
                       pdf_key: Path | None, pdf_cert: Path | None) -> None:
        click.echo(f"Wrote {render_pdf_command(file, out, public_keys, lang, pdf_key, pdf_cert)}")

    @group.command("verify-proof")
    @click.argument("file", type=click.Path(path_type=Path))
    @click.option("--public-key", "public_keys", multiple=True, type=click.Path(path_type=Path))
    @verify_options
    def verify_cmd(file: Path, public_keys: tuple[Path, ...], checkpoint: Path | None, manifest: Path | None,
                   root_key: Path | None, partial: bool, pdf_cert: Path | None,
                   witness_keys: tuple[Path, ...]) -> None:
        for line in verify_command(file, public_keys, checkpoint, manifest, root_key, pdf_cert, partial,
                                   witness_keys):
            click.echo(line)

    try:
        yield CliRunner()
    finally:
        group.commands.pop("render-pdf", None)
        group.commands.pop("verify-proof", None)


def words(text: str) -> str:
    """Whitespace (line breaks, no-break spaces) collapsed to single spaces."""
    return " ".join(text.split())


def pdftotext(pdf: Path) -> str:
    if shutil.which("pdftotext") is None:
        message = "pdftotext not found: install Debian's poppler-utils (apt-get install -y poppler-utils)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True)
    return words(done.stdout)


# -- Merkle tree: RFC 9162 algorithms against the published RFC 6962 test vectors ---------------

CT_INPUTS = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657",
             "606162636465666768696a6b6c6d6e6f"]
CT_ROOTS = ["e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
            "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
            "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
            "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"]
CT_CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]
CT_INCLUSION = [
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]


def test_merkle_tree_matches_the_rfc_6962_test_vectors() -> None:
    """Roots, audit paths and consistency proofs equal the published vectors, and verify (RFC 9162 2.1.3.2,
    2.1.4.2); a proof with any hash changed, or against the wrong root, does not."""
    leaves = [leaf_hash(bytes.fromhex(h)) for h in CT_INPUTS]
    assert [root_hash(leaves[:n]).hex() for n in range(9)] == CT_ROOTS
    for index, size, path in CT_INCLUSION:
        proof = inclusion_path(index, leaves[:size])
        assert [h.hex() for h in proof] == path
        assert verify_inclusion_path(leaves[index], index, size, proof, bytes.fromhex(CT_ROOTS[size]))
        assert not verify_inclusion_path(leaves[index], index, size, proof, bytes.fromhex(CT_ROOTS[size - 1]))
    for old, new, path in CT_CONSISTENCY:
        proof = consistency_proof(old, leaves[:new])
        assert [h.hex() for h in proof] == path
        old_root, new_root = bytes.fromhex(CT_ROOTS[old]), bytes.fromhex(CT_ROOTS[new])
        assert verify_consistency_proof(old, new, old_root, new_root, proof)
        for i in range(len(proof)):
            bad = list(proof)
            bad[i] = bytes(32)
            assert not verify_consistency_proof(old, new, old_root, new_root, bad)
        assert not verify_consistency_proof(old, new, bytes.fromhex(CT_ROOTS[old + 1]), new_root, proof)


def test_every_inclusion_and_consistency_proof_of_small_trees_verifies() -> None:
    """For every tree up to 33 leaves, every leaf's audit path and every prefix's consistency proof verify."""
    for n in range(1, 34):
        leaves = [leaf_hash(bytes([i])) for i in range(n)]
        root = root_hash(leaves)
        for i in range(n):
            assert verify_inclusion_path(leaves[i], i, n, inclusion_path(i, leaves), root)
        for m in range(1, n + 1):
            assert verify_consistency_proof(m, n, root_hash(leaves[:m]), root, consistency_proof(m, leaves))


# -- transparency log --------------------------------------------------------------------------

def test_checkpoints_prove_inclusion_and_that_the_log_only_grew(store: Store) -> None:
    """A certificate is in the log of an old checkpoint; a later one is not; the log only grew between the
    two checkpoints; an edited checkpoint is refused."""
    certs = [store.issue() for _ in range(3)]
    key = load_private_key(store.private)
    old = checkpoint(store.certificates, key)
    later = [store.issue() for _ in range(2)]
    append(later[0], [store.public])
    new = checkpoint(store.certificates, key)
    assert [e.certificate for e in read_log(store.certificates)] == [p.name for p in certs + later]

    inclusion = verify_inclusion(certs[1], old, [store.public])
    assert (inclusion.index, inclusion.checkpoint.tree_size) == (1, 3)
    assert verify_inclusion(later[1], new, [store.public]).index == 4
    with pytest.raises(LogError, match="not in the log as of checkpoint"):
        verify_inclusion(later[0], old, [store.public])
    result = verify_consistency(old, new, [store.public])
    assert (result.old.tree_size, result.new.tree_size) == (3, 5)

    forged = json.loads(new.read_text())
    body = json.loads(base64.urlsafe_b64decode(forged["payload"] + "=="))
    body["tree_size"] = 4
    forged["payload"] = base64.urlsafe_b64encode(canonical(body)).rstrip(b"=").decode()
    new.write_text(json.dumps(forged))
    with pytest.raises(CertificateError, match="bad signature"):
        verify_consistency(old, new, [store.public])


def test_deleting_a_certificate_breaks_the_next_consistency_proof(store: Store) -> None:
    """Deleting a certificate fails the check between two checkpoints, the next checkpoint is refused, and a
    log rebuilt without it (signed anew) is not consistent with the old checkpoint."""
    certs = [store.issue() for _ in range(4)]
    key = load_private_key(store.private)
    old = checkpoint(store.certificates, key)
    store.issue()
    new = checkpoint(store.certificates, key)
    verify_consistency(old, new, [store.public])

    certs[1].unlink()
    with pytest.raises(LogError, match=f"{certs[1].name} \\(log entry 1\\) is missing from the store"):
        verify_consistency(old, new, [store.public])
    with pytest.raises(LogError, match="missing from the store"):
        checkpoint(store.certificates, key)

    # Whoever deleted it, holding the key, re-issues the chain from there and signs a checkpoint over it.
    for path in store.certificates.glob("*.cert.json"):
        if path != certs[0]:
            path.unlink()
    (store.certificates / LOG_FILE).unlink()
    (store.certificates / ".chain-head.json").unlink()
    reissued = [store.issue(payload_at(at(100 + n))) for n in range(4)]
    rebuilt = checkpoint(store.certificates, key)
    with pytest.raises(LogError, match="rewritten, not only appended to"):
        verify_consistency(old, rebuilt, [store.public])
    with pytest.raises(LogError, match="rewritten"):
        verify_inclusion(reissued[1], old, [store.public])


def test_editing_a_certificate_breaks_inclusion_and_consistency(store: Store) -> None:
    """A certificate changed after it was logged (and signed anew with the real key) is no longer in the log,
    and the store no longer matches."""
    certs = [store.issue() for _ in range(2)]
    key = load_private_key(store.private)
    old = checkpoint(store.certificates, key)
    store.issue()
    new = checkpoint(store.certificates, key)
    payload = read_jws(certs[1])[1]
    payload["totals"]["delete"] -= 1
    certs[1].write_text(json.dumps(sign(payload, key)))
    with pytest.raises(LogError, match="changed since it was logged"):
        verify_inclusion(certs[1], old, [store.public])
    with pytest.raises(LogError, match="changed after it was logged"):
        verify_consistency(old, new, [store.public])


# -- key manifest and rotation ------------------------------------------------------------------

def at(day: int) -> datetime:
    return datetime(2026, 1, 1, 12, tzinfo=UTC) + timedelta(days=day)


def payload_at(moment: datetime) -> dict[str, Any]:
    payload = copy.deepcopy(PAYLOAD)
    payload["ticket"]["completed_at"] = moment.isoformat().replace("+00:00", "Z")
    return payload


def test_rotating_twice_keeps_certificates_of_all_three_periods_valid(store: Store, tmp_path: Path) -> None:
    """With only the manifest and the root public key, certificates signed by two retired keys and the
    active one verify; the retired private keys are gone, their public keys stay."""
    root_private, root_public, _ = generate_keys(tmp_path / "offline", "eraser-root")
    root = load_private_key(root_private)
    manifest = store.keys / "manifest.json"
    create_manifest(manifest, root, [load_public_key(store.public)], valid_from=at(0))
    certs = [store.issue(payload_at(at(1)))]
    first = rotate(manifest, root, store.keys, now=at(10))
    certs.append(store.issue(payload_at(at(11))))
    second = rotate(manifest, root, store.keys, now=at(20))
    certs.append(store.issue(payload_at(at(21))))

    loaded = load_manifest(manifest, root_public)
    assert loaded.version == 3
    assert [(k.status, k.valid_until) for k in loaded.keys] == [("retired", at(10)), ("retired", at(20)),
                                                                ("active", None)]
    for cert, key in zip(certs, loaded.keys, strict=True):
        result = verify_with_manifest(cert, manifest, root_public)
        assert result.key.kid == key.kid == result.verified.kid
    assert stat.S_IMODE(store.private.stat().st_mode) == 0o600
    assert key_id(load_private_key(store.private).public_key()) == second.kid
    assert first.retired_public_key is not None and first.retired_public_key.exists()
    assert sorted(p.name for p in store.keys.glob("eraser-signing*.pem")) == sorted(
        ["eraser-signing.pem", "eraser-signing.pub.pem", first.retired_public_key.name,
         second.retired_public_key.name if second.retired_public_key else ""])


def test_a_retired_key_cannot_issue_new_certificates(store: Store, tmp_path: Path) -> None:
    """A certificate whose issue time is after its key's valid_until fails, as does one signed before the
    key's period, one whose key the manifest does not list, and any manifest changed or signed by another
    root."""
    root_private, root_public, _ = generate_keys(tmp_path / "offline", "eraser-root")
    root = load_private_key(root_private)
    manifest = store.keys / "manifest.json"
    create_manifest(manifest, root, [load_public_key(store.public)], valid_from=at(0))
    kept = tmp_path / "stolen.pem"
    shutil.copy(store.private, kept)
    rotate(manifest, root, store.keys, now=at(10))

    late = store.issue(payload_at(at(12)), key=kept)
    with pytest.raises(KeyringError, match="after key .* was retired"):
        verify_with_manifest(late, manifest, root_public, partial=True)
    # A certificate claiming an issue time before the new key's period:
    early = issue(payload_at(at(5)), load_private_key(store.private), tmp_path / "early", issued_at=at(5)).path
    with pytest.raises(KeyringError, match="before key .* became valid"):
        verify_with_manifest(early, manifest, root_public, partial=True)
    _, stranger, _ = generate_keys(tmp_path / "stranger")
    unknown = store.issue(payload_at(at(12)), key=stranger.with_name("eraser-signing.pem"))
    with pytest.raises(KeyringError, match="unknown key"):
        verify_with_manifest(unknown, manifest, root_public, partial=True)

    _, other_root, _ = generate_keys(tmp_path / "other-root")
    with pytest.raises(KeyringError, match="unknown key"):
        load_manifest(manifest, other_root)
    document = json.loads(manifest.read_text())
    body = json.loads(base64.urlsafe_b64decode(document["payload"] + "=="))
    body["keys"][0]["valid_until"] = "2099-01-01T00:00:00Z"  # stretch the retired key's period
    document["payload"] = base64.urlsafe_b64encode(canonical(body)).rstrip(b"=").decode()
    manifest.write_text(json.dumps(document))
    with pytest.raises(KeyringError, match="bad signature"):
        verify_with_manifest(late, manifest, root_public, partial=True)


# -- the signed PDF ----------------------------------------------------------------------------

FACTS = {
    "nl": [
        "Attest van vernietiging van persoonsgegevens",
        "COVER GROUP SRL, handelend als verwerker voor rekening van Installateur Dubois SRL",
        "5 maart 2026 om 15.07 uur",
        "2 april 2026",
        "17 records gewist", "3 records geanonimiseerd", "9 records bewaard",
        "1 record ter beoordeling gelaten",
        "5 records, bewaard tot een datum tussen 1 januari 2035 en 1 januari 2036",
        "4 records, bewaard tot 1 januari 2036",
        "Rechtsgrond: “Belgian VAT Code art. 60 and Income Tax Code",
        "uiterlijk op 9 april 2026",
        "Resultaat van de controle: geslaagd",
        "artikel 19 AVG", "hosting provider (sub-processor)",
        "2 records uit de tabel persons",
        "email, first_name: vervangen door een willekeurige fictieve waarde",
        "geminimaliseerd: iban",
    ],
    "fr": [
        "Attestation de destruction de données à caractère personnel",
        "COVER GROUP SRL, agissant en qualité de sous-traitant pour le compte d'Installateur Dubois SRL",
        "5 mars 2026 à 15 h 07",
        "2 avril 2026",
        "17 enregistrements effacés", "3 enregistrements anonymisés", "9 enregistrements conservés",
        "1 enregistrement laissé pour examen",
        "5 enregistrements, conservés jusqu'à une date comprise entre le 1er janvier 2035 et le 1er janvier "
        "2036",
        "4 enregistrements, conservés jusqu'au 1er janvier 2036",
        "Fondement juridique : « Belgian VAT Code art. 60 and Income Tax Code",
        "au plus tard le 9 avril 2026",
        "Résultat de la vérification : concluant",
        "article 19 du RGPD", "hosting provider (sub-processor)",
        "2 enregistrements de la table persons, étrangers",
        "réduction à l'année",
        "minimisées : iban",
    ],
    "en": [
        "Certificate of destruction of personal data",
        "COVER GROUP SRL, acting as processor on behalf of Installateur Dubois SRL",
        "5 March 2026 at 15:07",
        "2 April 2026",
        "17 records deleted", "3 records anonymised", "9 records kept", "1 record left for review",
        "5 records, kept until a date between 1 January 2035 and 1 January 2036",
        "4 records, kept until 1 January 2036",
        "Legal basis: “Belgian VAT Code art. 60 and Income Tax Code",
        "on 9 April 2026 at the latest",
        "Result of the verification: passed",
        "GDPR Article 19", "hosting provider (sub-processor)",
        "2 records of table persons",
        "minimised: iban",
    ],
}


@pytest.mark.parametrize("lang", ["nl", "fr", "en"])
def test_pdf_states_the_key_facts_in_each_language(store: Store, lang: str) -> None:
    """The PDF in Dutch, French and English states counts, dates, retention periods, legal basis, the
    verification result, backups and recipients, readable by pdftotext with accents intact."""
    cert = store.issue()
    pdf = cert.with_name(f"certificate.{lang}.pdf")
    pdf.write_bytes(render_pdf(cert, lang, store.pdf_key, store.pdf_cert, verify(cert, [store.public])))
    text = pdftotext(pdf)
    missing = [fact for fact in FACTS[lang] if fact not in text]
    assert not missing, f"not in the {lang} PDF: {missing}"
    assert cert.name in text and "hmac-sha256:ae81ddc7" in text


def test_pdf_is_signed_and_carries_the_signed_json(store: Store) -> None:
    """The PAdES signature is intact, covers the whole file and is made with the PDF signing certificate (an
    ECDSA P-256 key, readable by its owner only); the attachment is the certificate file byte for byte."""
    cert = store.issue()
    pdf = cert.with_name("certificate.pdf")
    pdf.write_bytes(render_pdf(cert, "nl", store.pdf_key, store.pdf_cert))
    result = verify_pdf(pdf, [store.public], store.pdf_cert)
    assert result.signature.trusted and result.signature.signer == "COVER GROUP SRL destruction certificates"
    assert result.attachment == cert.name and result.compared_with == cert
    assert embedded_certificate(pdf.read_bytes()) == (cert.name, cert.read_bytes())
    assert stat.S_IMODE(store.pdf_key.stat().st_mode) == 0o600
    certificate = x509.load_pem_x509_certificate(store.pdf_cert.read_bytes())
    public = certificate.public_key()
    assert isinstance(public, ec.EllipticCurvePublicKey) and public.curve.name == "secp256r1"
    assert certificate.issuer == certificate.subject


def test_one_changed_byte_in_the_pdf_is_detected(store: Store) -> None:
    """Changing any single byte the signature covers, or one in the signature itself, fails the check."""
    cert = store.issue()
    data = render_pdf(cert, "fr", store.pdf_key, store.pdf_cert)
    check_pdf_signature(data, store.pdf_cert)
    match = re.search(rb"/ByteRange \[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data)
    assert match
    start, length, second = int(match.group(1)), int(match.group(2)), int(match.group(3))
    text_offset = data.index(b"stream", start + 200) + 20  # inside a page's content stream
    for offset in (text_offset, length // 2, second + 10, length + 40):  # covered bytes, then the signature
        tampered = bytearray(data)
        tampered[offset] = _other_byte(tampered[offset])
        with pytest.raises(CertificateError, match="changed"):
            check_pdf_signature(bytes(tampered), store.pdf_cert)


def _other_byte(byte: int) -> int:
    """Another byte: another hex digit for a hex digit (so the signature stays hex), else one bit flipped."""
    if bytes([byte]) in b"0123456789abcdef":
        return ord("1") if byte == ord("0") else ord("0")
    return byte ^ 0x01


def _doctored(jws_bytes: bytes) -> bytes:
    """The certificate with one fewer deleted row in its payload, the signature left as it was."""
    document = json.loads(jws_bytes)
    payload = json.loads(base64.urlsafe_b64decode(document["payload"] + "=="))
    payload["totals"]["delete"] -= 1
    document["payload"] = base64.urlsafe_b64encode(canonical(payload)).rstrip(b"=").decode()
    return json.dumps(document, indent=2).encode() + b"\n"


def test_an_edited_attachment_fails_both_the_pdf_signature_and_the_jws(store: Store, tmp_path: Path) -> None:
    """Replacing the attached JSON in a new revision of the PDF fails pyHanko's check (changed after signing),
    and the replaced JSON fails the Ed25519 JWS check; so does the same edit made in place."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    cert = store.issue()
    data = render_pdf(cert, "en", store.pdf_key, store.pdf_cert)
    doctored = _doctored(cert.read_bytes())

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    names = writer.root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec_ref = names.raw_get(1)
    spec = spec_ref.get_object()
    replacement = embed.EmbeddedFileObject.from_file_data(writer, doctored, compress=False)
    spec["/EF"] = generic.DictionaryObject({generic.pdf_name("/F"): replacement.ef_stream_ref,
                                            generic.pdf_name("/UF"): replacement.ef_stream_ref})
    writer.mark_update(spec_ref)
    out = io.BytesIO()
    writer.write(out)
    revised = out.getvalue()
    assert embedded_certificate(revised)[1] == doctored
    with pytest.raises(CertificateError, match="changed after signing"):
        check_pdf_signature(revised, store.pdf_cert)

    original_json = cert.read_bytes()
    in_place = data.replace(original_json, _pad(doctored, len(original_json)))
    assert in_place != data and len(in_place) == len(data)
    with pytest.raises(CertificateError, match="bad PDF signature"):
        check_pdf_signature(in_place, store.pdf_cert)

    for attached in (embedded_certificate(revised)[1], embedded_certificate(in_place)[1]):
        extracted = tmp_path / "extracted" / cert.name
        extracted.parent.mkdir(exist_ok=True)
        extracted.write_bytes(attached)
        with pytest.raises(CertificateError, match="bad signature"):
            verify(extracted, [store.public])


def _pad(data: bytes, length: int) -> bytes:
    """JSON of exactly `length` bytes (trailing spaces), so an in-place edit keeps every offset."""
    assert len(data) <= length
    return data.rstrip(b"\n") + b" " * (length - len(data)) + b"\n"


def test_a_pdf_signed_with_another_certificate_is_refused(store: Store, tmp_path: Path) -> None:
    """A PDF re-made and signed with someone else's key fails against the expected certificate."""
    cert = store.issue()
    other_key, other_cert, _ = generate_pdf_signing_key(tmp_path / "other", organisation="Someone Else")
    data = render_pdf(cert, "nl", other_key, other_cert)
    with pytest.raises(CertificateError, match="not with the certificate"):
        check_pdf_signature(data, store.pdf_cert)
    assert not check_pdf_signature(data).trusted  # intact, but its signer is not vouched for


# -- commands ----------------------------------------------------------------------------------

def test_commands_for_pdf_log_manifest_and_rotation(store: Store, cli: CliRunner, tmp_path: Path) -> None:
    """render --format pdf, log checkpoint and verify, keys manifest and rotate, and certificate verify with
    --checkpoint and --manifest work end to end, and refuse what does not check out with exit code 1."""
    root_private, root_public, _ = generate_keys(tmp_path / "offline", "eraser-root")
    now = datetime.now(UTC)
    first = store.issue(payload_at(now - timedelta(days=1)))

    def run(*args: str | Path) -> Any:
        return cli.invoke(main, [str(a) for a in args], catch_exceptions=False)

    result = run("certificate", "render-pdf", first, "--lang", "fr")
    assert result.exit_code == 0, result.output
    pdf = first.with_name(first.name.removesuffix(".cert.json") + ".fr.pdf")
    assert pdf.exists()
    result = run("certificate", "verify-proof", pdf, "--public-key", store.public, "--pdf-cert", store.pdf_cert)
    assert result.exit_code == 0, result.output
    assert "valid PDF" in result.output and "the expected certificate" in result.output

    manifest = store.keys / "manifest.json"
    result = run("keys", "manifest", "create", "--root-key", root_private, "--public-key", store.public,
                 "--out", manifest, "--valid-from", f"{now - timedelta(days=10):%Y-%m-%d}")
    assert result.exit_code == 0, result.output
    result = run("log", "checkpoint", "--certificates", store.certificates)
    assert result.exit_code == 0 and "tree size 1" in result.output, result.output
    old = next((store.certificates / "checkpoints").glob("*.checkpoint.json"))

    result = run("keys", "rotate", "--manifest", manifest, "--root-key", root_private)
    assert result.exit_code == 0 and "version 2" in result.output, result.output
    second = store.issue(payload_at(datetime.now(UTC) + timedelta(seconds=2)))
    result = run("log", "checkpoint", "--certificates", store.certificates, "--manifest", manifest,
                 "--root-key", root_public)
    assert result.exit_code == 0 and "tree size 2" in result.output, result.output
    new = max((store.certificates / "checkpoints").glob("*.checkpoint.json"))
    assert new != old

    result = run("keys", "manifest", "show", manifest, "--root-key", root_public)
    assert result.exit_code == 0 and "retired" in result.output and "active" in result.output
    result = run("log", "verify", old, new, "--manifest", manifest, "--root-key", root_public)
    assert result.exit_code == 0 and "grew from 1 to 2 entries" in result.output, result.output
    result = run("certificate", "verify-proof", first, "--checkpoint", old, "--manifest", manifest,
                 "--root-key", root_public)
    assert result.exit_code == 0, result.output
    assert "key: retired in manifest" in result.output and "log: entry 0" in result.output
    trust = ("--manifest", manifest, "--root-key", root_public)
    result = run("certificate", "verify-proof", second, "--checkpoint", new, *trust)
    assert result.exit_code == 0 and "log: entry 1" in result.output, result.output

    result = run("certificate", "verify-proof", second, "--checkpoint", old, *trust)
    assert result.exit_code == 1 and "not in the log as of checkpoint" in result.output
    first.unlink()
    result = run("log", "verify", old, new, *trust)
    assert result.exit_code == 1 and "missing from the store" in result.output


RELEASE: dict[str, Any] = {
    "certificate": {"type": "retention_release", "parent_id": "5f0c2a9e-0000-4000-8000-000000000001",
                    "parent_sha256": "ab" * 32},
    "issuer": {"organisation": "COVER GROUP SRL", "role": "processor",
               "software": {"name": "eraser-agent", "version": "0.1.0"}},
    "controller": "Installateur Dubois SRL",
    "ticket": {"reference": "retention sweep 2035-01-02", "kind": "retention_release",
               "started_at": "2035-01-02T03:00:00Z", "completed_at": "2035-01-02T03:00:05Z"},
    "legal_ground": "End of the legal retention period stated in the parent certificate",
    "outcome": "released",
    "databases": [{"connector": "cover", "tables": [{"table": "invoices", "done": {"delete": 5}},
                                                    {"table": "persons", "done": {"anonymize": 1}}]}],
    "released": [{"connector": "cover", "table": "invoices", "rows": 5, "release_dates": ["2035-01-01"]},
                 {"connector": "cover", "table": "persons", "rows": 1, "release_dates": ["2035-01-01"]}],
    "verification": {"method": "released rows re-read inside the transaction before commit: deleted rows are "
                               "gone, anonymized columns changed; foreign keys hold",
                     "result": "PASS", "residual_matches": 0},
    "remaining_copies": {
        "statement": "Logical deletion in the databases named above, not sanitization of storage media. "
                     "Backups (nightly database dumps kept 35 days) keep copies until they expire; after a "
                     "restore, the release must be applied again.",
        "backups_expire_on": "2035-02-06", "storage": [], "backups_description": "nightly database dumps kept 35 days",
        "reapply": "release"},
}


def test_pdf_of_a_retention_release_names_what_was_destroyed(store: Store) -> None:
    """The certificate the retention sweep issues renders with its own sections: the parent certificate, what
    was destroyed and when its retention ended, the verification and what remains in backups."""
    cert = store.issue(RELEASE)
    pdf = cert.with_name("release.fr.pdf")
    pdf.write_bytes(render_pdf(cert, "fr", store.pdf_key, store.pdf_cert))
    text = pdftotext(pdf)
    for fact in ["dont le délai légal de conservation était expiré ont été détruites",
                 "5f0c2a9e-0000-4000-8000-000000000001", "2 janvier 2035 à 4 h 00", "2. Données détruites",
                 "invoices (cover) : 5 enregistrements ; fin du délai de conservation : 1er janvier 2035",
                 "Résultat de la vérification : concluant", "au plus tard le 6 février 2035.",
                 "5. Authenticité"]:
        assert fact in text, fact
    assert "None" not in text and "Personne concernée" not in text


def test_pdf_translates_the_connectors_current_notes() -> None:
    """The after-erasure notes the PDF restates in Dutch and French are the connectors' current wording; a
    changed note fails here until its translations are updated."""
    from connectors.base import DialectSpecifics
    from connectors.mysql import MySQLSpecifics
    from connectors.postgresql import PostgreSQLSpecifics
    from connectors.sqlite import SQLiteSpecifics
    from eraser.proof.describe import ENGINE_NOTES

    for specifics in (DialectSpecifics, SQLiteSpecifics, PostgreSQLSpecifics, MySQLSpecifics):
        assert ENGINE_NOTES[specifics.name] == specifics.after_erasure_note
