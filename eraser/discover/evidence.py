"""What the data itself says about the schema: phone regions, partitions, and parents shared by several rows.

Each answer is a count or a code read from the database, never a sampled value.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

import phonenumbers
import sqlalchemy as sa
from phonenumbers import geocoder

from connectors.base import Edge
from connectors.sql import SQLConnector

COUNTRY_COLUMN = ("country", "land", "pays", "nation", "country_code", "landcode", "code_pays")
_ALIASES = {"usa": "US", "u_s_a": "US", "us": "US", "uk": "GB", "england": "GB", "great_britain": "GB",
            "holland": "NL", "the_netherlands": "NL", "belgie": "BE", "belgique": "BE", "deutschland": "DE"}


def _country_names() -> dict[str, str]:
    """Country names in English, Dutch, French and German (from phonenumbers' own data) -> region code."""
    names: dict[str, str] = {}
    for region in phonenumbers.SUPPORTED_REGIONS:
        for lang in ("en", "nl", "fr", "de"):
            name = geocoder._region_display_name(region, lang)
            if name:
                names[_key(name)] = region
    return names | _ALIASES


def _key(text: str) -> str:
    import unicodedata

    bare = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    return "_".join(bare.lower().replace(".", " ").split())


_NAMES: dict[str, str] | None = None


def region_of_country(value: Any) -> str | None:
    """'BE', 'Belgium', 'België', 'Belgique', 'USA' -> a phone region; None when the value names no country."""
    global _NAMES
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if len(text) == 2 and text.isalpha() and text.upper() in phonenumbers.SUPPORTED_REGIONS:
        return text.upper()
    if _NAMES is None:
        _NAMES = _country_names()
    return _NAMES.get(_key(text))


def is_country_column(name: str) -> bool:
    words = name.lower().replace("-", "_").split("_")
    return name.lower() in COUNTRY_COLUMN or bool({"country", "land", "pays"} & set(words))


def regions_in(phones: Iterable[str], countries: Iterable[Any]) -> Counter[str]:
    """Phone regions the data names: international numbers by their country code, country columns by name."""
    found: Counter[str] = Counter()
    for text in phones:
        t = text.strip()
        if not (t.startswith("+") or t.startswith("00")) or sum(ch.isdigit() for ch in t) < 8:
            continue
        try:
            number = phonenumbers.parse("+" + t[2:] if t.startswith("00") else t, None)
        except phonenumbers.NumberParseException:
            continue
        region = phonenumbers.region_code_for_number(number)
        if region in phonenumbers.SUPPORTED_REGIONS:  # not ZZ, nor 001 (non-geographic numbers)
            found[region] += 1
    for value in countries:
        if (region := region_of_country(value)) is not None:
            found[region] += 1
    total = sum(found.values())
    return Counter({r: n for r, n in found.items() if n >= 2 and n >= 0.02 * total})  # not a stray typo


def partitions(connector: SQLConnector, conn: Any) -> dict[str, str]:
    """PostgreSQL partition -> its partitioned parent table (empty elsewhere)."""
    if connector.dialect != "postgresql":
        return {}
    rows = conn.execute(sa.text(
        "SELECT c.relname, p.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "JOIN pg_class p ON p.oid = i.inhparent JOIN pg_namespace n ON n.oid = p.relnamespace "
        "WHERE n.nspname = :s AND p.relkind = 'p'"), {"s": connector.schema or "public"})
    found = {child: parent for child, parent in rows}
    for child in list(found):  # a partition of a partition belongs to the top parent
        top = found[child]
        while top in found:
            top = found[top]
        found[child] = top
    return found


SHARED_AT_MOST = 0.2  # a household's shared address is an exception; a city used by many addresses is not


def sharing(connector: SQLConnector, conn: Any, edge: Edge, others: list[Edge], limit: int) -> tuple[bool, str]:
    """Whether the parent rows of `edge` are each a single child row's own (a home address), and why, from a
    sample of `limit` referenced parent keys: owned unless more than a fifth of them are used by several child
    rows or also by another table."""
    if len(edge.child_cols) != 1 or limit <= 0:
        return False, "no sample to judge ownership by"
    col = connector.table(edge.child).c[edge.child_cols[0]]
    keys = sa.select(col.label("k"), sa.func.count().label("n")).where(col.is_not(None)).group_by(col) \
        .limit(limit).subquery()
    try:
        referenced, several = conn.execute(sa.select(
            sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((keys.c.n > 1, 1), else_=0)), 0))).one()
        if not referenced:
            return False, f"no {edge.child} row refers to a {edge.parent} row in the sample"
        also: list[str] = []
        for other in others:
            if other == edge or len(other.child_cols) != 1 or other.parent_cols != edge.parent_cols:
                continue
            ocol = connector.table(other.child).c[other.child_cols[0]]
            n = conn.execute(sa.select(sa.func.count()).select_from(keys).where(
                keys.c.k.in_(sa.select(ocol).where(ocol.is_not(None))))).scalar_one()
            if n:
                several += n
                also.append(f"{other.child} ({n})")
    except sa.exc.SQLAlchemyError:
        return False, "the sample could not be read"
    share = several / referenced
    detail = f"{several} of {referenced} sampled {edge.parent} row(s) are used by several rows" + (
        f", also by {', '.join(also)}" if also else "")
    return share <= SHARED_AT_MOST, detail


_REF = re.compile(r"^(?:id_?|fk_?)(?P<a>[a-z][a-z0-9_]*?)$|^(?P<b>[a-z][a-z0-9_]*?)_?(?:id|nr|no|key)$")
MATCHED_AT_LEAST = 0.95  # of the sampled child values found among the parent's keys


def _stems(name: str, prefix: str) -> set[str]:
    bare = name[len(prefix):] if prefix and name.startswith(prefix) else name
    stems = {bare}
    for plural, single in (("ies", "y"), ("ses", "s"), ("s", ""), ("en", ""), ("es", "")):
        if bare.endswith(plural) and len(bare) > len(plural) + 2:
            stems.add(bare[: -len(plural)] + single)
    return stems


def _prefix(tables: list[str]) -> str:
    """A prefix most table names share (`ps_`, `wp_`, `mdl_`), or ''."""
    heads = Counter(t.split("_", 1)[0] + "_" for t in tables if "_" in t)
    if not heads:
        return ""
    head, n = heads.most_common(1)[0]
    return head if n >= max(2, len(tables) // 2) else ""


def inferred_links(connector: SQLConnector, conn: Any, tables: list[str], edges: list[Edge],
                   limit: int) -> list[tuple[Edge, str]]:
    """Relations the schema does not declare, from column names (`customer_id`, `id_customer`, `klant_id`)
    that name another table, each verified on the data: nearly every sampled value is one of its keys."""
    if limit <= 0:
        return []
    prefix = _prefix(tables)
    by_stem: dict[str, str] = {}
    for t in tables:
        for stem in _stems(t.lower(), prefix):
            by_stem.setdefault(stem, t)
    declared = {(e.child, c) for e in edges for c in e.child_cols}
    found: list[tuple[Edge, str]] = []
    for child in tables:
        tab = connector.table(child)
        own_pk = {c.name for c in tab.primary_key.columns}
        for col in tab.c:
            m = _REF.match(col.name.lower())
            if m is None or (child, col.name) in declared or col.name in own_pk and len(own_pk) == 1:
                continue
            parent = by_stem.get(m.group("a") or m.group("b") or "")
            if parent is None or parent == child:
                continue
            pk = list(connector.table(parent).primary_key.columns)
            if len(pk) != 1 or isinstance(col.type, sa.Integer) != isinstance(pk[0].type, sa.Integer):
                continue  # a cast would be needed: left to the operator
            verdict = _verified(conn, col, pk[0], limit)
            if verdict:
                found.append((Edge(child, (col.name,), parent, (pk[0].name,), declared=True), verdict))
    return found + _shared_keys(connector, conn, tables, edges, limit)


def _shared_keys(connector: SQLConnector, conn: Any, tables: list[str], edges: list[Edge],
                 limit: int) -> list[tuple[Edge, str]]:
    """A table whose one-column primary key has the name of another table's key that declared foreign keys refer
    to (Galette's `galette_pictures.id_adh` beside `galette_adherents.id_adh`) extends that table's rows one to
    one, verified on the data; a key named only `id` says nothing."""
    pks = {t: list(connector.table(t).primary_key.columns) for t in tables}
    referenced = {(e.parent, c) for e in edges for c in e.parent_cols}
    found: list[tuple[Edge, str]] = []
    for child, pk in pks.items():
        if len(pk) != 1 or pk[0].name.lower() == "id" or \
                any(e.child == child and e.child_cols == (pk[0].name,) for e in edges):
            continue
        owners = [t for t, other in pks.items() if t != child and len(other) == 1 and other[0].name == pk[0].name
                  and (t, pk[0].name) in referenced]
        if len(owners) != 1 or isinstance(pk[0].type, sa.Integer) != isinstance(pks[owners[0]][0].type, sa.Integer):
            continue
        verdict = _verified(conn, pk[0], pks[owners[0]][0], limit)
        if verdict:
            found.append((Edge(child, (pk[0].name,), owners[0], (pk[0].name,), declared=True), verdict))
    return found


def _verified(conn: Any, col: sa.Column[Any], key: sa.Column[Any], limit: int) -> str | None:
    values = sa.select(col.label("v")).where(col.is_not(None)).distinct().limit(limit).subquery()
    try:
        total, matched = conn.execute(sa.select(
            sa.func.count(), sa.func.count(key)).select_from(values.outerjoin(key.table, key == values.c.v))).one()
    except sa.exc.SQLAlchemyError:
        return None
    if not total or matched < MATCHED_AT_LEAST * total:
        return None
    return f"{matched} of {total} sampled values of {col.table.name}.{col.name} are keys of {key.table.name}"
