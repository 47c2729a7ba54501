"""Destruction certificates: RFC 8785 canonical JSON, signed with Ed25519 as a flattened JWS (RFC 7515),
chained by the SHA-256 of the previous certificate, verifiable offline, rendered for humans."""

from __future__ import annotations

import base64
import fcntl
import hashlib
import html
import json
import os
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from eraser import SOFTWARE_NAME, __version__
from eraser.errors import CertificateError

ALG = "Ed25519"  # fully-specified JOSE algorithm name (RFC 9864); the key is an OKP Ed25519 key
TYP = "eraser-certificate+jws"
FORMAT = "eraser-certificate/1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# -- keys -------------------------------------------------------------------------------------

def key_id(public: Ed25519PublicKey) -> str:
    """RFC 7638 JWK thumbprint of the public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = json.dumps({"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}, separators=(",", ":"), sort_keys=True)
    return _b64(hashlib.sha256(jwk.encode()).digest())


def generate_keys(out: Path, name: str = "eraser-signing") -> tuple[Path, Path, str]:
    """Write NAME.pem (private, mode 0600) and NAME.pub.pem; refuse to overwrite an existing key."""
    out.mkdir(parents=True, exist_ok=True)
    private_path, public_path = out / f"{name}.pem", out / f"{name}.pub.pem"
    if private_path.exists():
        raise CertificateError(f"{private_path} already exists; refusing to overwrite a signing key.")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public_path.write_bytes(key.public_key().public_bytes(serialization.Encoding.PEM,
                                                          serialization.PublicFormat.SubjectPublicKeyInfo))
    return private_path, public_path, key_id(key.public_key())


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except OSError as exc:
        raise CertificateError(f"cannot read signing key {path}: {exc.strerror}; "
                               "create one with `eraser keys generate`.") from None
    except (ValueError, TypeError):
        raise CertificateError(f"{path} is not an unencrypted PEM private key.") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CertificateError(f"{path} is not an Ed25519 key.")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read public key {path}: {exc.strerror}.") from None
    try:
        key = serialization.load_pem_public_key(data)
    except ValueError:
        raise CertificateError(f"{path} is not a PEM public key.") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CertificateError(f"{path} is not an Ed25519 public key.")
    return key


# -- signing and the chain --------------------------------------------------------------------

def _nfc(value: Any) -> Any:
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, dict):
        return {_nfc(k): _nfc(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_nfc(v) for v in value]
    if isinstance(value, float):
        raise TypeError("certificates hold no floating-point numbers")
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def canonical(payload: Any) -> bytes:
    return rfc8785.dumps(_nfc(payload))


def sign(payload: dict[str, Any], key: Ed25519PrivateKey) -> dict[str, str]:
    """A flattened JWS JSON serialization (RFC 7515 section 7.2.2) of the canonical payload."""
    header = {"alg": ALG, "kid": key_id(key.public_key()), "typ": TYP, "cty": "application/json"}
    protected = _b64(canonical(header))
    body = _b64(canonical(payload))
    signature = key.sign(f"{protected}.{body}".encode())
    return {"protected": protected, "payload": body, "signature": _b64(signature)}


@dataclass(frozen=True)
class Issued:
    path: Path
    certificate_id: str
    sequence: int
    digest: str


def _chain_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.cert.json") if p.name[:6].isdigit())


@contextmanager
def _locked(directory: Path) -> Iterator[None]:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / ".chain.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def issue(payload: dict[str, Any], key: Ed25519PrivateKey, directory: Path, cert_id: str | None = None) -> Issued:
    """Sign and store a certificate as the next link of the directory's chain. With a `cert_id` that is already
    in the chain, return that certificate: a retried ticket never gets two."""
    with _locked(directory):
        files = _chain_files(directory)
        if cert_id is not None:
            for existing in (p for p in files if p.name[7:].startswith(cert_id)):
                return Issued(existing, cert_id, int(existing.name[:6]),
                              hashlib.sha256(existing.read_bytes()).hexdigest())
        previous = files[-1] if files else None
        sequence = int(previous.name[:6]) + 1 if previous else 1
        cert_id = cert_id or str(uuid.uuid4())
        payload = dict(payload)
        payload["certificate"] = {**payload.get("certificate", {}), "id": cert_id, "format": FORMAT,
                                  "sequence": sequence,
                                  "previous_sha256": hashlib.sha256(previous.read_bytes()).hexdigest()
                                  if previous else None}
        document = json.dumps(sign(payload, key), indent=2).encode() + b"\n"
        path = directory / f"{sequence:06d}-{cert_id}.cert.json"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(document)
        os.replace(tmp, path)
        from eraser.translog import append_locked

        append_locked(path)  # into the transparency log, under the lock the chain already holds
    return Issued(path, cert_id, sequence, hashlib.sha256(document).hexdigest())


# -- verification -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Verified:
    payload: dict[str, Any]
    kid: str
    sequence: int
    chain: str


def read_jws(path: Path) -> tuple[dict[str, Any], dict[str, Any], bytes, bytes]:
    """(header, payload, signing input, signature) of a certificate file, or CertificateError 'malformed'."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read certificate {path}: {exc.strerror}.") from None
    try:
        jws = json.loads(raw)
        protected, body, signature = jws["protected"], jws["payload"], _unb64(jws["signature"])
        header = json.loads(_unb64(protected))
        payload_bytes = _unb64(body)
        payload = json.loads(payload_bytes)
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise CertificateError(f"{path}: malformed certificate (not a JWS JSON document with protected, payload "
                               "and signature).") from None
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise CertificateError(f"{path}: malformed certificate (header or payload is not a JSON object).")
    if canonical(payload) != payload_bytes:
        raise CertificateError(f"{path}: malformed certificate (payload is not in RFC 8785 canonical form).")
    return header, payload, f"{protected}.{body}".encode(), signature


def default_public_keys(path: Path) -> list[Path]:
    """Public keys next to the certificate store: ../keys/*.pub.pem."""
    return sorted((path.resolve().parent.parent / "keys").glob("*.pub.pem"))


def verify(path: Path, public_keys: list[Path]) -> Verified:
    header, payload, signing_input, signature = read_jws(path)
    if header.get("alg") not in (ALG, "EdDSA"):
        raise CertificateError(f"{path}: unsupported algorithm {header.get('alg')!r} (expected {ALG}).")
    if not public_keys:
        raise CertificateError(f"{path}: no public key to verify with; pass --public-key FILE.")
    keys = {key_id(k): k for k in (load_public_key(p) for p in public_keys)}
    kid = header.get("kid")
    if kid not in keys:
        raise CertificateError(f"{path}: signed by unknown key {kid}; none of the {len(keys)} public key(s) "
                               "given has that key id.")
    try:
        keys[kid].verify(signature, signing_input)
    except InvalidSignature:
        raise CertificateError(f"{path}: bad signature: the certificate was changed after signing, or signed by "
                               "another key.") from None
    meta = payload.get("certificate", {})
    sequence = meta.get("sequence")
    if not isinstance(sequence, int) or sequence < 1:
        raise CertificateError(f"{path}: malformed certificate (no chain sequence number).")
    previous = meta.get("previous_sha256")
    chain = "first certificate of its chain"
    if sequence > 1:
        candidates = list(path.resolve().parent.glob(f"{sequence - 1:06d}-*.cert.json"))
        if not previous:
            raise CertificateError(f"{path}: broken chain: certificate {sequence} names no previous certificate.")
        if not candidates:
            chain = f"previous certificate {sequence - 1} not present beside it; link not checked"
        elif hashlib.sha256(candidates[0].read_bytes()).hexdigest() != previous:
            raise CertificateError(f"{path}: broken chain: certificate {sequence - 1} ({candidates[0].name}) is not "
                                   "the one this certificate follows; it was replaced or edited.")
        else:
            chain = f"linked to certificate {sequence - 1}"
    return Verified(payload, str(kid), sequence, chain)


# -- rendering --------------------------------------------------------------------------------

def render_html(payload: dict[str, Any], verified: str | None = None) -> str:
    """A plain, printable page that says in words what the signed JSON says."""
    e = html.escape
    meta, issuer, ticket = payload.get("certificate", {}), payload.get("issuer", {}), payload.get("ticket", {})
    verification = payload.get("verification", {})
    remaining = payload.get("remaining_copies", {})
    rows = []
    for db in payload.get("databases", []):
        for t in db.get("tables", []):
            c = t.get("counts", {})
            rows.append("<tr>" + "".join(f"<td>{e(str(x))}</td>" for x in (
                db.get("connector"), t.get("table"), c.get("delete", 0), c.get("anonymize", 0), c.get("retain", 0),
                c.get("hold", 0), c.get("review", 0),
                ", ".join(f"{k}: {v}" for k, v in t.get("strategies", {}).items()) or "-")) + "</tr>")
    retained = "".join(
        f"<li>{e(r['table'])} ({e(r['connector'])}): {r['rows']} row(s) kept until {e(r['release_first'])}"
        f"{' to ' + e(r['release_last']) if r['release_last'] != r['release_first'] else ''}. "
        f"Legal basis: {e(r['basis'])}</li>" for r in payload.get("retained", [])) or "<li>None.</li>"
    review = "".join(f"<li>{e(r['table'])} ({e(r['connector'])}): {r['rows']} row(s). {e(r['reason'])}</li>"
                     for r in payload.get("review", [])) or "<li>None.</li>"
    recipients = ", ".join(e(r) for r in payload.get("recipients_to_notify", [])) or "none configured"
    hold = payload.get("hold")
    hold_html = f"<p><strong>Legal hold:</strong> {e(hold['reason'])}. Nothing was erased.</p>" if hold else ""
    checked = f"<p class=note>Signature check when rendered: {e(verified)}</p>" if verified else ""
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Certificate of erasure {e(meta.get('id', ''))}</title>
<style>body{{font-family:Georgia,serif;max-width:52em;margin:2em auto;color:#111}}
table{{border-collapse:collapse;width:100%}}td,th{{border:1px solid #999;padding:.3em;text-align:left}}
.note{{color:#444;font-size:.9em}}@media print{{body{{margin:0}}}}</style></head><body>
<h1>Certificate of erasure</h1>
<p>Certificate {e(meta.get('id', ''))}, number {meta.get('sequence')} in its chain
(previous: {e(str(meta.get('previous_sha256') or 'none'))}).</p>
<p>{e(issuer.get('organisation', ''))}, acting as {e(issuer.get('role', ''))} for {e(payload.get('controller', ''))},
certifies that on {e(ticket.get('completed_at', ''))} it carried out the request {e(ticket.get('reference', ''))},
received on {e(ticket.get('received_at', ''))} and due on {e(ticket.get('due_at', ''))}, under
{e(payload.get('legal_ground', ''))}, for the data subject known by the keyed reference
<code>{e(payload.get('subject', {}).get('reference', ''))}</code>.</p>
<p>Outcome: <strong>{e(payload.get('outcome', ''))}</strong>. Operator: {e(str(payload.get('operator', '')))}.</p>
{hold_html}
<h2>What was done, per table</h2>
<table><tr><th>database</th><th>table</th><th>deleted</th><th>anonymized</th><th>retained</th><th>held</th>
<th>left for review</th><th>strategies</th></tr>{''.join(rows)}</table>
<h2>What was kept, and why</h2><ul>{retained}</ul>
<h2>Shared or referenced rows left for review</h2><ul>{review}</ul>
<h2>Verification</h2>
<p>{e(verification.get('method', ''))}. Result: <strong>{e(verification.get('result', ''))}</strong>,
residual matches: {verification.get('residual_matches', 0)}.</p>{_scan_html(verification.get('residual_scan'))}
{_files_html(payload.get('files'))}<h2>What remains</h2><p>{e(remaining.get('statement', ''))}</p>
<p>Backups holding copies expire on {e(str(remaining.get('backups_expire_on', 'unknown')))}.</p>
<h2>Recipients to notify (GDPR Art. 19)</h2><p>{recipients}</p>
<p class=note>Issued by {e(issuer.get('software', {}).get('name', ''))} {e(issuer.get('software', {}).get('version', ''))}.
The signed JSON file is the authoritative form of this certificate; this page is a rendering of it.</p>
{checked}
</body></html>
"""


def _scan_html(scan: dict[str, Any] | None) -> str:
    """The residual scan in words: what was searched, and what was found (by table and column, never by value)."""
    if not scan:
        return ""
    e = html.escape
    hits = "; ".join(f"{e(h['table'])}.{e(h['column'])}: {h['rows']} row(s)" for c in scan.get("by_connector", [])
                     for h in c.get("hits", []))
    part = scan.get("tables_scanned_in_part") or []
    modes = ", ".join(SCAN_MODES.get(m, m) for m in sorted({c["mode"] for c in scan.get("by_connector", [])}))
    return (f"\n<p>Residual scan of free text (mode: {e(modes)}"
            f"): {scan.get('columns_scanned', 0)} text column(s) in {scan.get('tables_scanned', 0)} table(s) searched "
            f"for the subject's identifiers{f', {len(part)} table(s) in their newest rows only' if part else ''}; "
            f"{scan.get('hits', 0)} hit(s){f' ({hits})' if hits else ''}, {scan.get('redacted_rows', 0)} row(s) "
            f"redacted; {scan.get('hits_in_kept_rows', 0)} hit(s) in rows kept by law or for review.</p>")


def _files_html(files: dict[str, Any] | None) -> str:
    """Files the erased rows referred to: how many were destroyed and how, listed by the SHA-256 of their path."""
    if not files:
        return ""
    e = html.escape
    items = "".join(f"<li><code>{e(f['path_sha256'])}</code> ({e(f['table'])}): {e(f['status'])}</li>"
                    for f in files.get("entries", [])) or "<li>None.</li>"
    return (f"<h2>Files</h2><p>{files.get('files_destroyed', 0)} file(s) {e(files.get('method', ''))}. "
            f"{e(files.get('statement', ''))}</p><ul>{items}</ul>\n")


def now_utc() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def software() -> dict[str, str]:
    return {"name": SOFTWARE_NAME, "version": __version__}


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def erasure_payload(config: Any, outcome: Any, ticket: Any) -> dict[str, Any]:
    """The certificate's content: built from the plan and what execution measured; no personal data."""
    from eraser.retention import add_period

    plan = outcome.plan
    databases: dict[str, list[dict[str, Any]]] = {}
    retained, review, recipients = [], [], set()
    for tp in plan.tables:
        summary = tp.summary()
        entry = {"table": tp.table, "found": summary["found"], "counts": summary["counts"],
                 "done": outcome.done.get((tp.connector, tp.table), {})}
        for key in ("category", "strategies"):
            if key in summary:
                entry[key] = summary[key]
        databases.setdefault(tp.connector, []).append(entry)
        keep = [d for d in tp.decisions.values() if d.action == "retain"]
        if keep:
            releases = sorted(d.release for d in keep if d.release)
            assert tp.rule.retain is not None
            retained.append({"connector": tp.connector, "table": tp.table, "rows": len(keep),
                             "basis": tp.rule.retain.basis, "period": tp.rule.retain.period,
                             **({"period_before": {"date": tp.rule.retain.before.before_date.isoformat(),
                                                   "period": tp.rule.retain.before.period}}
                                if tp.rule.retain.before and tp.rule.retain.from_ not in ("request", "parent") else {}),
                             "counted_from": tp.rule.retain.from_,
                             "release_first": releases[0].isoformat(), "release_last": releases[-1].isoformat(),
                             "minimized_columns": sorted({c for d in keep for c in d.strategies})})
        for reason in sorted({d.reason for d in tp.decisions.values() if d.action == "review"}):
            review.append({"connector": tp.connector, "table": tp.table, "reason": reason,
                           "rows": sum(1 for d in tp.decisions.values() if d.action == "review" and d.reason == reason)})
        recipients |= set(summary.get("recipients", []))
    totals = plan.totals()
    if plan.hold is not None:
        outcome_word = "held"
    elif not any(totals.values()):
        outcome_word = "nothing_found"
    elif totals["retain"] or totals["review"]:
        outcome_word = "erased_with_retention" if totals["retain"] else "erased_with_rows_for_review"
    else:
        outcome_word = "erased"
    backups_until = add_period(outcome.completed_at.date(), config.backups.retention)
    dialect_notes = sorted(set(outcome.notes))
    return {
        "certificate": {"type": "erasure"},
        "issuer": {"organisation": config.organisation, "role": config.role, "software": software()},
        "controller": config.controller_name,
        "ticket": {"reference": ticket.reference, "kind": ticket.kind, "received_at": _iso(ticket.received_at),
                   "due_at": _iso(ticket.due_at), "started_at": _iso(outcome.started_at),
                   "completed_at": _iso(outcome.completed_at)},
        "legal_ground": config.legal_ground,
        "subject": {"reference": plan.subject_ref, "identifier_types": plan.identifier_types},
        "outcome": outcome_word,
        "hold": {"reason": plan.hold.reason, "until": plan.hold.until.isoformat() if plan.hold.until else None}
        if plan.hold else None,
        "totals": totals,
        "databases": [{"connector": name, "dialect": outcome.dialects.get(name, ""), "tables": tables}
                      for name, tables in sorted(databases.items())],
        "retained": retained,
        "review": review,
        "verification": outcome.verification,
        "operator": ticket.operator,
        "recipients_to_notify": sorted(recipients),
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media. " + " ".join(dialect_notes) + " Backups (" + config.backups.description +
                          ") keep copies until they expire; after any restore, the erasure must be applied again."),
            "backups_retention": config.backups.retention,
            "backups_expire_on": backups_until.isoformat()},
    }


# The configured mode, said so that "fail" cannot be read as the scan's result.
SCAN_MODES = {"fail": "fail on any match", "redact": "redact each match", "report": "report matches"}


def ready_to_certify(config: Any, directory: Path | None = None) -> None:
    """Check, before anything is erased, that a certificate can be signed and written: an erasure must never be
    left without its proof because of a missing key or an unwritable directory."""
    load_private_key(config.signing.private_key)
    target = directory or config.certificates
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise CertificateError(f"cannot write certificates to {target}: {exc.strerror}; nothing was erased.") from None


def certify(config: Any, outcome: Any, ticket: Any, directory: Path | None = None,
            payload: dict[str, Any] | None = None, cert_id: str | None = None) -> Issued:
    """Sign the certificate of a verified (or held) erasure and add it to the chain."""
    if outcome is not None and outcome.verification.get("result") == "FAIL":
        raise CertificateError("refusing to certify an erasure that did not verify.")
    key = load_private_key(config.signing.private_key)
    return issue(payload or erasure_payload(config, outcome, ticket), key, directory or config.certificates, cert_id)
