"""What a certificate says, in one language, as blocks of text without layout: the content of its PDF.

Certificates of an erasure and of a retention release (rows destroyed once their retention period ended) each
get their own sections.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from xml.sax.saxutils import escape

from eraser.proof.chain import ManifestVerified, Verified
from eraser.proof.words import Words

# The connectors' after-erasure notes, whose translations are the catalogs' note.DIALECT entries (a test keeps
# the two in step); a certificate names the dialects under remaining_copies.storage.
ENGINE_NOTES = {
    "sqlite": "SQLite keeps deleted content in free pages until VACUUM (or secure_delete) overwrites them; "
              "the journal/WAL file may hold copies until checkpointed.",
    "postgresql": "PostgreSQL keeps deleted and updated row versions (dead tuples) until VACUUM reclaims "
                  "them; WAL archives and replicas hold copies until they are recycled.",
    "mysql": "InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs and replicas "
             "hold copies of the changed rows until they are purged.",
    "sql": "Deleted rows may persist in the database's free space until it is reused.",
}
STANDARD_METHOD = "re-located the subject inside the transaction before commit"
RELEASE_METHOD = "released rows re-read inside the transaction before commit"


# -- the document as blocks ------------------------------------------------------------------------

@dataclass
class Block:
    """One piece of the document: kind is title, subtitle, heading, para, small, kv, counts or bullets."""

    kind: str
    content: Any


def _storage_notes(remaining: dict[str, Any], w: Words) -> list[str]:
    """What each database's storage keeps after a deletion, in the reader's language, from the dialects the
    certificate names."""
    return [w.t[f"note.{d}"] if f"note.{d}" in w.t else w.t["note.sql"] for d in remaining.get("storage", [])]


def _why(by: dict[str, Any], w: Words) -> str:
    key = f"why.{by.get('kind')}"
    return w(key, table=by.get("table", "")) if key in w.t else w.quote(str(by))


def _review_reason(entry: dict[str, Any], w: Words) -> str:
    """A review entry's reason in the reader's language from its code and parameters; a reason without a code
    (older certificates) is quoted as written."""
    code, params = entry.get("code"), entry.get("params") or {}
    if code == "shared":
        return " ".join(w.pick("review.shared", int(u["rows"]), n=w.count(int(u["rows"])), table=u["table"],
                               link=u["relation"]) for u in params.get("uses", []))
    if code == "referenced":
        return w("review.referenced", why=_why(params.get("by") or {}, w))
    return w.quote(str(entry.get("reason", "")))


def describe(payload: dict[str, Any], lang: str, check: Verified | ManifestVerified | None = None,
             document: dict[str, str] | None = None) -> list[Block]:
    """The content of the PDF in one language, as blocks of text (no layout). Certificates of an erasure and
    of a retention release (rows destroyed once their retention period ended) each get their own sections."""
    w = Words(lang)
    document = document or {}
    meta, issuer = payload.get("certificate") or {}, payload.get("issuer") or {}
    ticket = payload.get("ticket") or {}
    release = meta.get("type") == "retention_release"
    org, controller = str(issuer.get("organisation", "")), str(payload.get("controller", ""))
    role = str(issuer.get("role", ""))
    role_words = w.t.get(f"role.{role}", role)
    behalf = (w("behalf", de=w.of(controller), controller=controller)
              if controller and controller != org else "")
    number = w("number", seq=meta.get("sequence", "?"))
    completed = w.moment(ticket.get("completed_at"))
    blocks = [Block("title", w.t["title"]), Block("subtitle", f"{number} · {meta.get('id', '')}")]
    if release:
        blocks.append(Block("para", w("intro.release", org=org, role=role_words, behalf=behalf,
                                      completed=completed, parent=meta.get("parent_id", ""))))
    else:
        blocks.append(Block("para", w("intro", org=org, role=role_words, behalf=behalf, completed=completed)))
    sections = iter(range(1, 20))

    def heading(key: str) -> Block:
        return Block("heading", f"{next(sections)}. {w.t[key]}")

    # 1. request and parties
    outcome = str(payload.get("outcome", ""))
    subject = payload.get("subject") or {}
    rows = [(w.t["issuer"], f"{org} ({role_words})")]
    if controller and controller != org:
        rows.append((w.t["controller"], controller))
    rows.append((w.t["reference"], str(ticket.get("reference", ""))))
    if release:
        parent = str(meta.get("parent_id", ""))
        if meta.get("parent_sha256"):
            parent += f" (SHA-256 {meta['parent_sha256']})"
        rows += [(w.t["completed"], completed), (w.t["parent"], parent)]
    else:
        kinds = [w.identifier(str(i)) for i in subject.get("identifier_types", ())]
        identifiers = ", ".join(kinds) or w.t["none"]
        rows += [(w.t["received"], w.moment(ticket.get("received_at"))),
                 (w.t["due"], w("due.value", date=w.date(ticket.get("due_at")))),
                 (w.t["completed"], completed),
                 (w.t["operator"], str(payload.get("operator", ""))),
                 (w.t["subject"], w("subject.ref", ref=subject.get("reference", ""))),
                 (w.t["identifiers"], identifiers)]
    rows += [(w.t["ground"], w.quote(str(payload.get("legal_ground", "")))),
             (w.t["outcome"], w.t.get(f"o.{outcome}", outcome))]
    blocks += [heading("s1"), Block("kv", rows)]
    if not release:
        blocks.append(Block("small", w.t["subject.note"]))

    # 2. what was erased (or, for a release, destroyed)
    if release:
        blocks += _released(payload, w, heading)
    else:
        blocks += _erased(payload, w, heading)

    # verification
    verification = payload.get("verification") or {}
    method, result = str(verification.get("method", "")), str(verification.get("result", ""))
    blocks.append(heading("s5"))
    if method.startswith(STANDARD_METHOD):
        integrity = w.t["integrity.links" if "declared links" in method else "integrity.fk"]
        blocks.append(Block("para", w("method.standard", integrity=integrity)))
    elif method.startswith(RELEASE_METHOD):
        blocks.append(Block("para", w.t["method.release"]))
    elif method.startswith("none: a legal hold"):
        blocks.append(Block("para", w.t["method.hold"]))
    elif method:
        blocks.append(Block("para", w.quote(method)))
    lines = [w("result", result=w.t.get(f"result.{result}", result))]
    if result != "NOT RUN" and not release:
        residual = int(verification.get("residual_matches", 0))
        lines.append(w.t["residual.none"] if residual == 0 else w("residual.some", n=w.count(residual)))
        others = (verification.get("residual_scan") or {}).get("rows_kept_for_others") or []
        if others:
            n_kept = len({(e["connector"], e["table"], repr(e["key"])) for e in others})
            where = ", ".join(sorted({f"{e['table']}.{e['column']}" for e in others}))
            lines.append(w("kept.others", n=w.count(n_kept), where=where))
        if "kept_rows_checked" in verification:
            n = int(verification["kept_rows_checked"])
            lines.append(w.pick("kept.checked", n, n=n))
    for redacted in payload.get("free_text_redactions") or []:  # other people's messages that named the subject
        lines.append(w("freetext", n=w.count(int(redacted["rows"])), table=redacted["table"],
                       others=int(redacted["rows_of_others"])))
    if verification.get("failure"):
        lines.append(w("failure", text=w.quote(str(verification["failure"]))))
    blocks.append(Block("para", " ".join(lines)))

    # remaining copies
    remaining = payload.get("remaining_copies") or {}
    blocks.append(heading("s6"))
    if "backups_description" not in remaining:  # an older certificate: its statement as written
        blocks.append(Block("para", w("remaining.original", text=w.quote(str(remaining.get("statement", ""))))))
        if remaining.get("backups_expire_on"):
            blocks.append(Block("para", f"{w.date(remaining['backups_expire_on'])}."))
    else:
        period = (w("remaining.period", period=w.period(remaining["backups_retention"]))
                  if remaining.get("backups_retention") else "")
        blocks.append(Block("para", " ".join([w.t["remaining.logical"], *_storage_notes(remaining, w)])))
        blocks.append(Block("para", w("remaining.backups", description=remaining["backups_description"],
                                      date=w.date(remaining.get("backups_expire_on")), period=period)))

    # recipients (an erasure's certificate always lists them, if only as none)
    if "recipients_to_notify" in payload:
        recipients = payload.get("recipients_to_notify") or []
        blocks.append(heading("s7"))
        if recipients:
            blocks += [Block("para", w.t["recipients"]),
                       Block("bullets", [escape(str(r)) for r in recipients])]
        else:
            blocks.append(Block("para", w.t["recipients.none"]))

    # authenticity
    blocks += [heading("s8"), Block("para", w("authentic", name=document.get("name", "")))]
    rows = [(w.t["a.signature"], w("a.signature.value", kid=document.get("kid", "")))]
    if isinstance(check, ManifestVerified):
        key = check.key
        rows.append((w.t["a.checked"], w("a.checked.manifest", status=w.t[f"status.{key.status}"],
                                         version=check.manifest.version, start=w.date(key.valid_from.date()),
                                         end=w.date(key.valid_until.date()) if key.valid_until
                                         else w.t["open"])))
    elif isinstance(check, Verified):
        rows.append((w.t["a.checked"], w("a.checked.ok", seq=check.sequence, chain=w.chain(check.chain))))
    else:
        rows.append((w.t["a.checked"], w.t["a.checked.none"]))
    previous = meta.get("previous_sha256")
    rows += [(w.t["a.chain"], w("a.chain.previous", digest=previous) if previous else w.t["a.chain.first"]),
             (w.t["a.digest"], document.get("sha256", "")),
             (w.t["a.pdf"], w("a.pdf.value", cn=document.get("signer", ""),
                              fp=document.get("fingerprint", ""))),
             (w.t["a.made"], w("a.made.value", moment=w.moment(document.get("made_at")),
                               software=document.get("software", "")))]
    blocks += [Block("kv", rows),
               Block("small", w("closing", command=f"eraser certificate verify {document.get('name', '')}")),
               Block("small", w("times", zone=w.zone_name))]
    return blocks


def _erased(payload: dict[str, Any], w: Words, heading: Any) -> list[Block]:
    """Sections 2 to 4 of an erasure's certificate: what was erased, kept, and left for review."""
    blocks = [heading("s2")]
    hold = payload.get("hold")
    if hold:
        until = w("hold.until", date=w.date(hold["until"])) if hold.get("until") else ""
        blocks.append(Block("para", w("hold", reason=w.quote(str(hold.get("reason", ""))), until=until)))
    table_rows, strategies = [], []
    for db in payload.get("databases", []):
        for t in db.get("tables", []):
            c = t.get("counts", {})
            table_rows.append((str(t.get("table", "")), str(db.get("connector", "")),
                               str(t.get("category", "")),
                               [t.get("found", sum(c.values())), c.get("delete", 0), c.get("anonymize", 0),
                                c.get("retain", 0), c.get("hold", 0), c.get("review", 0)]))
            if t.get("strategies") and c.get("anonymize"):
                grouped: dict[str, list[str]] = {}
                for column, strategy in t["strategies"].items():
                    grouped.setdefault(w.strategy(str(strategy)), []).append(str(column))
                strategies.append((str(t.get("table", "")),
                                   f"{w.semicolon} ".join(f"{', '.join(cols)}{w.colon} {how}"
                                                          for how, cols in grouped.items())))
    totals = payload.get("totals") or {}
    actions = ("delete", "anonymize", "retain", "hold", "review")
    if table_rows:
        found = sum(int(r[3][0]) for r in table_rows)
        blocks += [Block("para", w.t["s2.intro"]),
                   Block("counts", {"columns": w.t["cols"].split("|"), "rows": table_rows,
                                    "total": (w.t["total"], [found] + [totals.get(a, 0) for a in actions])})]
    counts = {a: int(totals.get(a, 0)) for a in actions}
    summary = {a: f"{w.count(n)} {w.plural(n, 't.' + a)}" for a, n in counts.items()}
    blocks.append(Block("para", w("totals", **summary)))
    if strategies:
        blocks += [Block("para", w.t["strategies"]),
                   Block("bullets", [f"<b>{escape(name)}</b>{w.colon} {escape(text)}"
                                     for name, text in strategies])]

    blocks.append(heading("s3"))
    kept = payload.get("retained") or []
    if not kept:
        blocks.append(Block("para", w.t["kept.none"]))
    items = []
    for r in kept:
        first, last = r.get("release_first"), r.get("release_last")
        n = int(r.get("rows", 0))
        head = (w.pick("kept.until", n, n=w.count(n), date=w.date(first)) if first == last else
                w.pick("kept.between", n, n=w.count(n), first=w.date(first), last=w.date(last)))
        start = str(r.get("counted_from", ""))
        period = w.period(r.get("period"))
        term = (w.pick("kept.period.parent", n, period=period) if start == "parent" else
                w.pick("kept.period.child", n, period=period, table=str(r.get("kept_with", ""))) if start == "child" else
                w("kept.period.request", period=period) if start == "request" else
                w("kept.period.column", period=period, column=start))
        basis = w("kept.basis", basis=w.quote(str(r.get("basis", ""))))
        text = f"{escape(head)} {escape(term)} {escape(basis)}"
        if r.get("minimized_columns"):
            text += " " + escape(w("kept.minimized", columns=", ".join(r["minimized_columns"])))
        where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
        items.append(f"{where}{w.colon} {text}")
    if items:
        blocks += [Block("bullets", items), Block("small", w.t["kept.note"])]

    blocks.append(heading("s4"))
    review = payload.get("review") or []
    if not review:
        blocks.append(Block("para", w.t["review.none"]))
    else:
        lines = []
        for r in review:
            where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
            reason = _review_reason(r, w)
            lines.append(f"{where}{w.colon} {escape(w.count(int(r.get('rows', 0))))}. {escape(reason)}")
        blocks += [Block("bullets", lines), Block("para", w.t["review.note"])]
    return blocks


def _released(payload: dict[str, Any], w: Words, heading: Any) -> list[Block]:
    """Section 2 of a retention release's certificate: what was destroyed, and when its retention ended."""
    blocks = [heading("s2.release")]
    table_rows = []
    for db in payload.get("databases", []):
        for t in db.get("tables", []):
            done = t.get("done", {})
            table_rows.append((str(t.get("table", "")), str(db.get("connector", "")), "",
                               [done.get("delete", 0), done.get("anonymize", 0)]))
    if table_rows:
        blocks.append(Block("counts", {"columns": w.t["cols.release"].split("|"), "rows": table_rows,
                                       "total": (w.t["total"], [sum(int(r[3][i]) for r in table_rows)
                                                                for i in (0, 1)])}))
    items = []
    for r in payload.get("released") or []:
        dates = ", ".join(w.date(d) for d in r.get("release_dates", []))
        where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
        items.append(f"{where}{w.colon} "
                     f"{escape(w('released.item', n=w.count(int(r.get('rows', 0))), dates=dates))}")
    if items:
        blocks.append(Block("bullets", items))
    return blocks
