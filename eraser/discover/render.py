"""The proposed config as commented YAML; never a sampled value, secrets as ${ENV} references."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

from sqlalchemy.engine import make_url

from connectors.sql import masked_url
from eraser.discover.findings import ColumnFinding, Discovery

# -- YAML ---------------------------------------------------------------------------------------

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(:[A-Za-z0-9_.\-]+)?$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def q(value: str) -> str:
    """A YAML scalar: plain where safe, else double-quoted."""
    if _PLAIN.match(value) and value.lower() not in _RESERVED:
        return value
    return json.dumps(value, ensure_ascii=False)


def output_url(url: str, connector: str) -> tuple[str, str | None]:
    """The URL for the config: a password becomes ${NAME_DB_PASSWORD}; SQLite paths become absolute."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database and parsed.database != ":memory:":
        from pathlib import Path

        return f"sqlite:///{Path(parsed.database).resolve()}", None
    if parsed.password:
        env = f"{connector.upper()}_DB_PASSWORD"
        text = parsed.set(password="PASSWORDPLACEHOLDER").render_as_string(hide_password=False)
        return text.replace("PASSWORDPLACEHOLDER", "${" + env + "}"), env
    return parsed.render_as_string(hide_password=False), None


def render(d: Discovery) -> str:
    """The proposed config as commented YAML."""
    url, password_env = output_url(d.url, d.connector)
    configured = {t: p for t, p in d.tables.items() if p.action}
    left_out = {t: p for t, p in d.tables.items() if not p.action}
    kinds = sorted({k for p in configured.values() for k in p.identify})
    personal = d.personal_columns()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d")
    env = ["ERASER_SECRET", "ERASER_SIGNING_KEY", "ERASER_PUBLIC_KEY"] + ([password_env] if password_env else [])
    out = [
        f"# Proposed by `eraser discover` on {stamp} from {masked_url(d.url)} ({d.dialect}"
        f"{', schema ' + d.schema if d.schema else ''}): {len(d.tables)} table(s), {len(personal)} personal "
        f"column(s), {len(configured)} table(s) configured.",
        f"# Up to {d.sample} row(s) per table were sampled to recognise personal data; no sampled value is written",
        "# here. Review every proposal (the reason is beside it), then run `eraser config check` and `eraser plan`.",
        f"# Set in the environment: {', '.join(env)}.",
        "organisation: Your organisation          # who issues the certificates",
        "role: controller",
        f"locale: [{d.locale}]",
        f"jurisdiction: {d.jurisdiction}                     # retention presets: invoicing, accounting and patient-file law",
        "secret: ${ERASER_SECRET}                 # HMAC key for subject references and the 'hash' strategy",
        "signing:",
        "  private_key: ${ERASER_SIGNING_KEY}     # `eraser keys generate --out keys`",
        "  public_key: ${ERASER_PUBLIC_KEY}",
        "certificates: certificates",
        "backups:",
        "  retention: 30d                         # how long backups keep copies: adjust",
        "  description: database backups",
        "",
        "identifiers:",
    ]
    if not kinds:
        out.append("  email: {kind: email}                 # no identifier column was found; see the tables below")
    for kind in kinds:
        out.append({"email": "  email: {kind: email}",
                    "phone": _phone_identifier(d),
                    "customer_number": "  customer_number: {kind: exact}"}[kind])
    out += ["", "connectors:", f"  {q(d.connector)}:", f"    url: {q(url)}"]
    if d.schema:
        out.append(f"    schema: {q(d.schema)}")
    out += ["    # Before commit, every text column of every table is searched for the subject's identifiers;",
            "    # a hit outside the rows kept by law rolls the erasure back (redact: replace it; report: list it)."]
    for note in d.notes:
        out.append(f"    # {note}")
    out += ["    residual_scan:", "      mode: fail", "      tables: all"]
    if any((p.rows or 0) > 1_000_000 for p in d.tables.values()):
        out.append("      max_rows_per_table: 50000")
    out.append("    tables:" if configured else "    tables: {}")
    for t, p in configured.items():
        out.append(f"      {q(t)}:")
        for reason in p.reasons:
            out.append(f"        # {reason}")
        if p.category:
            out.append(f"        category: {q(p.category)}")
        if p.identify:
            out.append("        identify:")
            for kind, cols in p.identify.items():
                out.append(f"          {kind}: {q(cols[0]) if len(cols) == 1 else '[' + ', '.join(map(q, cols)) + ']'}")
        out.append(f"        action: {p.action}" + ("                  # undecided: plan shows its rows; erase and "
                                                  "purge refuse until it says delete, anonymize or retain"
                                                  if p.action == "review" else ""))
        if p.owns:
            out.append(f"        owns: [{', '.join(map(q, p.owns))}]")
        if p.links:
            out.append("        links:                           # relations the schema does not declare")
            out += [f"          - {link}" for link in p.links]
        if p.not_followed:
            out.append(f"        not_followed: [{', '.join(map(q, p.not_followed))}]")
        if p.retain:
            out.append("        retain:")
            out += [f"          {k}: {q(v)}" for k, v in p.retain.items()]
        if p.columns:
            out.append("        columns:" if p.action == "anonymize" else
                       "        columns:                         # used if a kept row still refers to it")
            for col, strategy in p.columns.items():
                out.append(f"          {q(col)}: {q(strategy)}" + _why(d.columns[t][col]))
        if p.free_text:
            out.append(f"        free_text: [{', '.join(map(q, p.free_text))}]   # identifiers in it are replaced")
            for col in (c for c in p.free_text if c not in p.columns):
                out.append(f"        #   {col}: {d.columns[t][col].comment()}")
        kept = [c for c, f in d.columns[t].items() if f.personal and c not in p.columns and c not in p.free_text]
        for col in kept:
            out.append(f"        #   {col} (not replaced): {d.columns[t][col].comment()}")
    if left_out:
        out += ["", "# Left out (not part of any subject's data):"]
        for t, p in left_out.items():
            out.append(f"#   {t}: {'; '.join(p.reasons)}")
    return "\n".join(out) + "\n"


def _why(f: ColumnFinding) -> str:
    text = f.comment()
    return f"   # {text}" if text else ""


def _phone_identifier(d: Discovery) -> str:
    """Every region the data names, most frequent first (a national number is read in each); the row's country
    column where the person tables share one."""
    regions = [r for r, _ in sorted(d.regions.items(), key=lambda kv: (-kv[1], kv[0]))] or [d.region]
    region = regions[0] if len(regions) == 1 else "[" + ", ".join(regions) + "]"
    country = f", country_column: {q(d.country_column)}" if d.country_column else ""
    seen = ("   # phone regions in the data: " + ", ".join(f"{r} {n}" for r, n in sorted(
        d.regions.items(), key=lambda kv: (-kv[1], kv[0])))) if d.regions else \
        f"   # no phone region seen in the data: {d.region} from --locale; check it"
    return f"  phone: {{kind: phone, region: {region}{country}}}" + seen
