"""Destruction certificates: RFC 8785 canonical JSON, signed with Ed25519 as a flattened JWS (RFC 7515),
chained by the SHA-256 of the previous certificate's canonical payload, verifiable offline, rendered for
humans. The formats are specified in docs/PROOF.md; verification is in eraser.proof.chain."""

from __future__ import annotations

import hashlib
import html
import os
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from eraser import SOFTWARE_NAME, __version__, faults
from eraser._time import iso
from eraser.errors import CertificateError
from eraser.proof.chain import FORMAT, TYP, Verified, verify
from eraser.proof.freetext import scrubbed
from eraser.proof.jws import (
    ALG,
    canonical,
    certificate_name,
    find_certificate,
    index_certificate,
    jws_bytes,
    locked,
    payload_sha256,
    read_jws,
    sign_jws,
    write_head,
)
from eraser.proof.keys import check_signing_setup, generate_keys, key_id, load_private_key, load_public_key
from eraser.proof.logfile import append_entry, head_of

__all__ = ["ALG", "FORMAT", "TYP", "Verified", "canonical", "generate_keys", "key_id", "load_private_key",
           "load_public_key", "read_jws", "sign", "verify"]


def sign(payload: dict[str, Any], key: Ed25519PrivateKey, alg: str = ALG) -> dict[str, str]:
    """A flattened JWS JSON serialization (RFC 7515 section 7.2.2) of the canonical payload."""
    return sign_jws(payload, key, TYP, key_id(key.public_key()), alg)


@dataclass(frozen=True)
class Issued:
    path: Path
    certificate_id: str
    sequence: int
    digest: str  # SHA-256 of the file, as the state store records it
    payload_sha256: str = ""  # what the next certificate and the log name it by


def _issued(path: Path) -> Issued:
    payload = read_jws(path)[1]
    meta = payload["certificate"]
    return Issued(path, str(meta["id"]), int(meta["sequence"]), hashlib.sha256(path.read_bytes()).hexdigest(),
                  payload_sha256(payload))


def issue(payload: dict[str, Any], key: Ed25519PrivateKey, directory: Path, cert_id: str | None = None,
          issued_at: datetime | None = None, alg: str = ALG) -> Issued:
    """Sign and store a certificate as the next link of the directory's chain, and log it. With a `cert_id`
    that is already in the chain, return that certificate: a retried ticket never gets two.

    Reads and writes a few small files whatever the chain's length (the head, the id index, one log line).
    """
    with locked(directory):
        head = head_of(directory)
        if cert_id is not None and (existing := find_certificate(directory, cert_id)) is not None:
            return _issued(existing)
        last = datetime.fromisoformat(head.issued_at) if head.issued_at else None
        moment = (issued_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
        if last is not None and moment < last:
            if issued_at is not None:
                raise CertificateError(f"issue time {iso(moment)} is before the last certificate's "
                                       f"({iso(last)}); issue times never go backwards along a chain.")
            moment = last  # the clock stepped back: never let the chain's times go backwards
        sequence, cert_id = head.sequence + 1, cert_id or str(uuid.uuid4())
        payload = dict(payload)
        payload["certificate"] = {**payload.get("certificate", {}), "id": cert_id, "format": FORMAT,
                                  "sequence": sequence, "issued_at": iso(moment),
                                  "previous_sha256": head.digest}
        document = jws_bytes(sign(payload, key, alg))
        path = directory / certificate_name(sequence, cert_id)
        write_head(directory, replace(head, pending=path.name))  # a crash from here on forces a rebuild
        tmp = path.with_suffix(".tmp")
        try:
            with open(tmp, "wb") as fh:
                faults.disk("certificate", tmp)
                fh.write(document)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)  # a failed write (a full disk) leaves no temporary file
        index_certificate(directory, cert_id, path.name)
        digest = payload_sha256(payload)
        written = append_entry(directory, head.log_entries, digest, path.name)
        write_head(directory, replace(head, sequence=sequence, file=path.name, digest=digest,
                                      issued_at=iso(moment), log_entries=head.log_entries + 1,
                                      log_bytes=head.log_bytes + written, pending=None))
    return Issued(path, cert_id, sequence, hashlib.sha256(document).hexdigest(), digest)


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
<p>Outcome: <strong>{e(payload.get('outcome', ''))}</strong>{_left_html(verification)}. Operator: {e(str(payload.get('operator', '')))}.</p>
{hold_html}
<h2>What was done, per table</h2>
<table><tr><th>database</th><th>table</th><th>deleted</th><th>anonymized</th><th>retained</th><th>held</th>
<th>left for review</th><th>strategies</th></tr>{''.join(rows)}</table>
{_free_text_html(payload.get('free_text_redactions'))}<h2>What was kept, and why</h2><ul>{retained}</ul>
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


def _free_text_html(redactions: list[dict[str, Any]] | None) -> str:
    """The free-text redactions by table, other people's rows apart (counts only)."""
    if not redactions:
        return ""
    e = html.escape
    items = "".join(f"<li>{e(r['connector'])}.{e(r['table'])}: {r['rows']} row(s), {r['rows_of_others']} of them "
                    f"other people's; rows per column: {e(', '.join(f'{c} {n}' for c, n in r['columns'].items()))}</li>"
                    for r in redactions)
    return f"<h2>Free text redacted</h2><ul>{items}</ul>\n"


def _left_html(verification: dict[str, Any]) -> str:
    """The residual matches left in place, beside the outcome: a headline never hides them."""
    n = int(verification.get("residual_matches", 0) or 0)
    return f" ({n} residual match(es) reported, not removed)" if n else ""


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
            f"redacted; {scan.get('hits_in_kept_rows', 0)} hit(s) in rows kept by law or for review.</p>"
            + _kept_html(scan.get("rows_kept_for_others") or []))


def _others_discreet(verification: dict[str, Any]) -> dict[str, Any]:
    """The verification as the certificate states it: another person's row under a legal hold is said to be kept
    for another person, as a row left for review is, so that the certificate never tells whether someone else is
    under a hold (the plan, which stays with the operator, says which)."""
    scan = verification.get("residual_scan")
    if not scan or not scan.get("rows_kept_for_others"):
        return verification
    rows = [{**e, "kept": "kept"} if e.get("kept") in ("hold", "review") else e for e in scan["rows_kept_for_others"]]
    return {**verification, "residual_scan": {**scan, "rows_kept_for_others": rows}}


def kept_line(entry: dict[str, Any]) -> str:
    """One row kept for someone else: where it is and why, never its text."""
    key = entry["key"] if isinstance(entry["key"], str) else ",".join(entry["key"])
    why = {"retain": f"retained until {entry.get('until') or 'a date not yet known'}", "hold": "under a legal hold",
           "review": "left for review", "kept": "kept for another person (under a legal hold or left for review)"
           }.get(entry["kept"], entry["kept"])
    return f"{entry['connector']}.{entry['table']} key {key}, column {entry['column']}: {why}"


def _kept_html(kept: list[dict[str, Any]]) -> str:
    """Other people's kept rows that still name the subject: listed by table, key and column, never changed."""
    if not kept:
        return ""
    items = "".join(f"<li>{html.escape(kept_line(e))}</li>" for e in kept)
    return f"\n<p>Rows kept for other persons that still name the subject, not changed:</p><ul>{items}</ul>"


def _files_html(files: dict[str, Any] | None) -> str:
    """Files the erased rows referred to: how many were destroyed and how, listed by the keyed reference of their
    path."""
    if not files:
        return ""
    e = html.escape
    items = "".join(f"<li><code>{e(f.get('path_ref', ''))}</code> ({e(f['table'])}): {e(f['status'])}</li>"
                    for f in files.get("entries", [])) or "<li>None.</li>"
    return (f"<h2>Files</h2><p>{files.get('files_destroyed', 0)} file(s) {e(files.get('method', ''))}. "
            f"{e(files.get('statement', ''))}</p><ul>{items}</ul>\n")


def now_utc() -> str:
    return iso(datetime.now(UTC))


def software() -> dict[str, str]:
    return {"name": SOFTWARE_NAME, "version": __version__}


def _retained_by_rule(plan: Any, tp: Any) -> list[tuple[Any, str, list[Any]]]:
    """The retained rows of a table with the retain: block that kept them (the table's, each row rule's, or, for a
    row kept with a retained row of another table, that table's) and that table's name ('' for its own)."""
    keep = [d for d in tp.decisions.values() if d.action == "retain"]
    out: list[tuple[Any, str, list[Any]]] = []
    for kept_with in sorted({d.kept_with for d in keep if d.kept_with}):
        rule = plan.table(tp.connector, kept_with).rule.retain
        assert rule is not None
        out.append((rule, kept_with, [d for d in keep if d.kept_with == kept_with]))
    own = [d for d in keep if not d.kept_with]
    if own and not tp.rule.rules:
        assert tp.rule.retain is not None
        out.append((tp.rule.retain, "", own))
    elif own:
        for i, row_rule in enumerate(tp.rule.rules):
            mine = [d for d in own if d.rule == row_rule.label(i)]
            if mine:
                assert row_rule.retain is not None
                out.append((row_rule.retain, "", mine))
    assert sum(len(m) for _, _, m in out) == len(keep), "a retained row without the rule that kept it"
    return sorted(out, key=lambda group: group[1])


def config_dialects(config: Any) -> dict[str, str]:
    """connector -> dialect, read from the configured URLs (MariaDB counts as mysql, as its connector does)."""
    import sqlalchemy as sa

    out = {}
    for name, conf in config.connectors.items():
        try:
            backend = sa.engine.make_url(conf.url).get_backend_name()
        except Exception:  # an unreadable URL was refused long before a certificate
            backend = "sql"
        out[name] = "mysql" if backend == "mariadb" else backend
    return out


def remaining_parts(dialects: dict[str, str], backups: str, reapply: str | None) -> dict[str, Any]:
    """What the `statement` of remaining copies says, as parts the renderings put in the reader's language:
    the dialects whose storage keeps deleted data (the connectors' notes), the backups, and what must be applied
    again after a restore (erasure, release, purge, or None)."""
    return {"storage": sorted(set(dialects.values())), "backups_description": backups, "reapply": reapply}


def erasure_payload(config: Any, outcome: Any, ticket: Any) -> dict[str, Any]:
    """The certificate's content: built from the plan and what execution measured; no personal data."""
    from eraser.engine.retention import add_period

    plan = outcome.plan
    databases: dict[str, list[dict[str, Any]]] = {}
    retained, review, recipients = [], [], set()
    for tp in plan.tables:
        summary = tp.summary()
        entry = {"table": tp.table, "found": summary["found"], "counts": summary["counts"],
                 "done": outcome.done.get((tp.connector, tp.table), {})}
        for key in ("category", "strategies", "rules"):
            if key in summary:
                entry[key] = summary[key]
        databases.setdefault(tp.connector, []).append(entry)
        for rule, kept_with, keep in _retained_by_rule(plan, tp):
            releases = sorted(d.release for d in keep if d.release)
            retained.append({"connector": tp.connector, "table": tp.table, "rows": len(keep),
                             "basis": rule.basis, "period": rule.period,
                             **({"period_before": {"date": rule.before.before_date.isoformat(),
                                                   "period": rule.before.period}}
                                if rule.before and rule.from_ not in ("request", "parent") and not kept_with else {}),
                             "counted_from": "child" if kept_with else rule.from_,
                             **({"kept_with": kept_with} if kept_with else {}),
                             "release_first": releases[0].isoformat(), "release_last": releases[-1].isoformat(),
                             "minimized_columns": sorted({c for d in keep for c in d.strategies})})
        for reason in sorted({d.reason for d in tp.decisions.values() if d.action == "review"}):
            same = [d for d in tp.decisions.values() if d.action == "review" and d.reason == reason]
            shared: dict[str, Any] = {"connector": tp.connector, "table": tp.table, "reason": reason,
                                      "rows": len(same)}
            if same[0].code:  # what the reason says, for the renderings in other languages
                shared |= {"code": same[0].code, "params": same[0].params}
            review.append(shared)
        recipients |= set(summary.get("recipients", []))
    totals = plan.totals()
    if plan.hold is not None:
        outcome_word = "held"
    elif outcome.verification.get("residual_matches"):  # hits left in place (residual_scan mode report)
        outcome_word = "erased_with_residual_matches"
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
        "ticket": {"reference": ticket.reference, "kind": ticket.kind, "received_at": iso(ticket.received_at),
                   "due_at": iso(ticket.due_at), "started_at": iso(outcome.started_at),
                   "completed_at": iso(outcome.completed_at)},
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
        "verification": _others_discreet(outcome.verification),
        # free_text: columns redacted, by table: rows (other people's apart) and rows per column, never a value
        "free_text_redactions": list(getattr(outcome, "free_text", [])),
        "operator": ticket.operator,
        "recipients_to_notify": sorted(recipients),
        "remaining_copies": {
            "statement": ("This is logical deletion in the databases named above, not sanitization of storage "
                          "media. " + " ".join(dialect_notes) + " Backups (" + config.backups.description +
                          ") keep copies until they expire; after any restore, the erasure must be applied again."),
            **remaining_parts(outcome.dialects, config.backups.description, "erasure"),
            "backups_retention": config.backups.retention,
            "backups_expire_on": backups_until.isoformat()},
    }


# The configured mode, said so that "fail" cannot be read as the scan's result.
SCAN_MODES = {"fail": "fail on any match", "redact": "redact each match", "report": "report matches"}


def ready_to_certify(config: Any, directory: Path | None = None, size: int = 65536) -> None:
    """Check, before anything is erased, that a certificate can be signed and written: an erasure must never be
    left without its proof because of a missing key or an unwritable directory."""
    check_signing_setup(config)
    target = directory or config.certificates
    try:
        target.mkdir(parents=True, exist_ok=True)
        probe = target / f".write-test-{os.getpid()}"
        try:  # real bytes, synced: an empty file fits on a full disk
            with open(probe, "wb") as fh:
                fh.write(b"\0" * size)
                fh.flush()
                os.fsync(fh.fileno())
        finally:
            probe.unlink(missing_ok=True)
        with locked(target):
            head_of(target)  # a chain the issuer cannot extend is refused now, not after the erasure
    except OSError as exc:
        raise CertificateError(f"cannot write certificates to {target}: {exc.strerror}; nothing was erased.") from None


def certify(config: Any, outcome: Any, ticket: Any, directory: Path | None = None,
            payload: dict[str, Any] | None = None, cert_id: str | None = None) -> Issued:
    """Sign the certificate of a verified (or held) erasure and add it to the chain."""
    from eraser.engine.verify import CERTIFIABLE, NOT_RUN

    result = outcome.verification.get("result") if outcome is not None else None
    if outcome is not None and result not in CERTIFIABLE and not (result == NOT_RUN and outcome.plan.hold):
        raise CertificateError("refusing to certify an erasure that did not verify.")
    key = load_private_key(config.signing.private_key)  # checked whole by ready_to_certify, before erasing
    content = scrubbed(payload or erasure_payload(config, outcome, ticket), config.secret_bytes())
    return issue(content, key, directory or config.certificates, cert_id, alg=config.signing.jws_alg)
