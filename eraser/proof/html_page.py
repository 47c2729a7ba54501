"""The HTML page of a certificate: a plain, printable page in English that says in words what the signed JSON
says (the JSON stays the authoritative form; the PDF in three languages is eraser.proof.pdf)."""

from __future__ import annotations

import html
from typing import Any


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


# The configured mode, said so that "fail" cannot be read as the scan's result.
SCAN_MODES = {"fail": "fail on any match", "redact": "redact each match", "report": "report matches"}


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
