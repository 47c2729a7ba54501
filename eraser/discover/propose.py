"""Per table: the proposed action (delete, anonymize, retain, review or left out) and why."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from connectors.base import Edge
from connectors.sql import SQLConnector
from eraser.discover.caution import (
    KEPT,
    accounts_of_companies_or_persons,
    arrival_date,
    keep_declared_retention,
    keep_sector_records,
    lines_of_documents,
    owned_by_person,
    persons_behind_contact_values,
    record_not_address,
    staff_like,
    staff_records,
    staff_sub_records,
)
from eraser.discover.evidence import sharing
from eraser.discover.findings import ColumnFinding, TableProposal
from eraser.discover.names import (
    ADDRESS,
    AMOUNT_COLUMNS,
    AUTHOR_COLUMNS,
    COMPANY_WORDS,
    IDENTIFIER_OF,
    INVOICE_DATES,
    INVOICE_TABLES,
    MANDATE_COLUMNS,
    NAME_WORD,
    NOT_INVOICE_DATES,
    OWN_TABLES,
    PART_TABLES,
    PARTITION_TABLES,
    PAYMENT_COLUMNS,
    PRESCRIPTION_TABLES,
    QUOTE_TABLES,
    REFERENCE_NAME,
    STRATEGY,
    VAT_COLUMNS,
    _org,
    inventory_table,
    normalize_name,
    supplier_table,
)
from eraser.jurisdictions import PRESETS

# -- proposal ---------------------------------------------------------------------------------

def _invoicing(table: str, cols: dict[str, ColumnFinding]) -> bool:
    n = normalize_name(table)
    if QUOTE_TABLES.search(n) or PRESCRIPTION_TABLES.search(n):
        return False  # a quote, or a prescription order (no sales order)
    if INVOICE_TABLES.search(n):
        return True
    names = [f"_{normalize_name(c)}_" for c in cols]
    if MANDATE_COLUMNS.search(f"_{n}_") or any(f.personal and f.category == "bank_account" for f in cols.values()) \
            and any(MANDATE_COLUMNS.search(c) for c in names):
        return True  # a bank account with a direct-debit mandate: kept with the payments collected under it
    has_date = any(f.kind == "date" for f in cols.values())
    amounts = any(AMOUNT_COLUMNS.search(c) for c in names)
    if has_date and amounts and any(REFERENCE_NAME.search(normalize_name(c)) and INVOICE_TABLES.search(
            normalize_name(c)) and f.kind == "number" for c, f in cols.items()):
        return True  # an amount on a date against an invoice (`invoice_id`): a credit note, a refund
    return has_date and amounts and any(VAT_COLUMNS.search(c) or PAYMENT_COLUMNS.search(c) for c in names)


def _document_date(cols: dict[str, ColumnFinding]) -> str | None:
    dates = [c for c, f in cols.items() if f.kind == "date"]
    for column in dates:
        wrapped = f"_{normalize_name(column)}_"
        if INVOICE_DATES.search(wrapped) and not NOT_INVOICE_DATES.search(wrapped):
            return column
    return None


def _strategy(f: ColumnFinding, column: sa.Column[Any], unique: bool) -> str | None:
    """A strategy that fits the column's type, nullability and uniqueness; None if none does."""
    text = f.kind == "text"
    choice = STRATEGY.get(f.category or "")
    if f.category == "ip_address" and column.nullable:
        choice = "null"
    if choice is None:
        if column.nullable:
            choice = "null"
        elif text:
            choice = "faker:uuid4" if unique else "redact"
        elif f.kind == "date" and f.category == "date_of_birth":
            choice = "generalize:year"
        else:
            return None
    if choice == "null" and not column.nullable:
        choice = "redact" if text else "keep"
        if choice == "keep":
            return None
    if choice == "redact" and not text:  # a photo as bytes: redact needs text
        return "null" if column.nullable else None
    if choice == "generalize:year" and f.kind not in ("date", "text"):
        return "null" if column.nullable else None
    if choice.startswith("faker:") and not text and f.kind != "date":
        return "null" if column.nullable else None
    if unique and choice in ("redact", "null") and not column.nullable:
        return "faker:uuid4" if text else None
    length = getattr(column.type, "length", None)
    if choice == "redact" and length is not None and length < 8:
        return "null" if column.nullable else None
    return choice


def _propose(connector: SQLConnector, conn: Any, tables: list[str], edges: list[Edge],
             findings: dict[str, dict[str, ColumnFinding]], person_tables: set[str], jurisdiction: str,
             rows: dict[str, int | None], sample: int) -> dict[str, TableProposal]:
    """Per table, the action and why: roles first, then down the foreign keys, owned parents, and the tables
    whose rows a retained invoice keeps (they need columns to anonymize)."""
    schema = _Schema(connector, tables, edges, findings, person_tables)
    schema.conn, schema.sample, schema.rows, schema.jurisdiction = conn, sample, rows, jurisdiction
    schema.assign_roles()
    persons_behind_contact_values(schema)
    staff_records(schema)
    lines_of_documents(schema)
    schema.follow_foreign_keys()
    schema.retain_invoiced_documents()
    accounts_of_companies_or_persons(schema)
    staff_sub_records(schema)
    keep_sector_records(schema)
    keep_declared_retention(schema)
    schema.find_owned_parents()
    keeps = schema.kept_by_invoices()
    return {t: schema.proposal(t, jurisdiction, keeps, rows.get(t)) for t in tables}


class _Schema:
    """The reflected schema with what the columns were found to hold, and the roles given to its tables."""

    def __init__(self, connector: SQLConnector, tables: list[str], edges: list[Edge],
                 findings: dict[str, dict[str, ColumnFinding]], person_tables: set[str]) -> None:
        self.connector, self.tables, self.edges, self.findings = connector, tables, edges, findings
        self.person_tables = person_tables
        self.has_pk = {t for t in tables if connector.table(t).primary_key.columns}
        self.personal = {t: [f for f in findings[t].values() if f.personal] for t in tables}
        self.identifiers = {t: {c: IDENTIFIER_OF[f.category] for c, f in findings[t].items()
                                if f.personal and f.category in ("email", "phone") and f.kind == "text"}
                            for t in tables}
        for t in person_tables:
            unique = connector.unique_columns(t)
            for c, f in findings[t].items():
                if f.personal and f.category == "customer_number" and c in unique and f.kind == "text":
                    self.identifiers[t][c] = "customer_number"
        self.invoicing = {t for t in tables if _invoicing(t, findings[t])}
        self.orgs = {t for t in tables if _org(t) or _company_row(findings[t])}
        self.partitions = {t for t in self.orgs if PARTITION_TABLES.match(normalize_name(t))}
        self.own = {t for t in tables if OWN_TABLES.search(normalize_name(t))}
        self.ours = {t for t in tables if supplier_table(t) or inventory_table(list(findings[t]))}
        self.conn: Any = None
        self.jurisdiction = ""
        self.sample = 0
        self.rows: dict[str, int | None] = {}
        self.role: dict[str, str] = {}
        self.why: dict[str, list[str]] = {t: [] for t in tables}
        self.not_followed: dict[str, list[str]] = {t: [] for t in tables}
        self.owns: dict[str, list[str]] = {t: [] for t in tables}

    def assign_roles(self) -> None:
        """Where a subject is found: identity tables, organisations with a contact's email, invoices naming one."""
        for t in sorted(self.has_pk):
            kinds = " and ".join(sorted(set(self.identifiers[t].values())))
            if not kinds:
                continue
            if t in self.ours:
                self.why[t].append(f"the organisation's own supplier, equipment or licence records ({kinds} of a "
                                   "business contact or of the organisation): not a subject's data; configure it "
                                   "if a supplier's contact asks to be erased")
                continue
            staff = None if t in self.own or t in self.invoicing else staff_like(self, t, self.rows)
            if (t in self.own or staff) and t not in self.invoicing:
                self.role[t] = "own"
                self.why[t].append(f"the organisation's own staff, shop or office records ({staff or kinds}): an "
                                   "employee's data follows HR retention, not a customer's erasure; decide")
            elif self._address_of_a_person(t):
                continue  # found through the person who owns it (find_owned_parents), not by its own phone
            elif t in self.invoicing:
                self.role[t] = "invoicing"
                self.why[t].append(f"an invoicing table that names the customer's {kinds}")
            elif t in self.orgs:
                if t not in self.partitions:
                    self.role[t] = "organisation"
                    self.why[t].append(f"an organisation's row that holds a contact person's {kinds}: the row "
                                       "stays, the contact's data is anonymized")
            else:
                self.role[t] = "identity"
                self.why[t].append(f"holds a person's own identifiers ({', '.join(sorted(self.identifiers[t]))}): "
                                   "the subject is found here")

    def _address_of_a_person(self, t: str) -> bool:
        """An address (perhaps with its landline) that a person's row points to, or that points to one: found
        through that person, never by its phone, which a household shares."""
        cats = {f.category for f in self.personal[t]}
        return bool(cats & ADDRESS) and cats <= ADDRESS | {"phone"} and any(
            (e.parent == t and e.child in self.person_tables - {t}) or
            (e.child == t and e.parent in self.person_tables - {t}) for e in self.edges)

    def followable(self, e: Edge) -> tuple[bool, str]:
        """Whether a child row belongs to the person of its parent row, and if not, why."""
        col = ", ".join(e.child_cols)
        if e.parent in self.orgs and not (e.child in self.invoicing and self.role.get(e.parent) == "organisation"):
            return False, f"{col} names the organisation the row belongs to, not a person"
        if self.role.get(e.parent) == "own" or e.child in self.own:
            return False, f"{col} links to the organisation's own staff, shop or office records"
        if e.child in self.ours or e.parent in self.ours:
            return False, f"{col} links to the organisation's own suppliers, equipment or licences, not a person's data"
        if e.child in self.orgs:
            return False, f"an organisation's row is not a person's data ({col})"
        if any(AUTHOR_COLUMNS.search(normalize_name(c)) for c in e.child_cols) and not owned_by_person(self, e):
            return False, f"{col} only names who created or handles the row"
        if e.child in self.person_tables and e.parent in self.person_tables and \
                self.role.get(e.child) == "identity" and not self.personal[e.child]:
            return False, f"{col} links two persons"
        owned_by_org = any(x.child == e.child and x.parent in self.orgs - self.partitions for x in self.edges)
        if owned_by_org and e.child not in self.invoicing and not self.junction(e.child) and \
                not [f for f in self.personal[e.child] if f.column not in e.child_cols]:
            return False, f"the row belongs to an organisation and holds no personal data of {e.parent}'s person"
        return True, ""

    def junction(self, t: str) -> bool:
        """A link table (its primary key is two or more foreign keys: a segment's or a company's member) without
        amounts: each row only says that a person belongs to something."""
        pk = {c.name for c in self.connector.table(t).primary_key.columns}
        fks = {c for e in self.edges if e.child == t for c in e.child_cols}
        return len(pk) >= 2 and pk <= fks and not self._has_amount(t)

    def _not_followed(self, e: Edge, reason: str) -> None:
        if e.child_cols[0] not in self.not_followed[e.child]:
            self.not_followed[e.child].append(e.child_cols[0])
            self.why[e.child].append(f"not followed: {reason}")

    def follow_foreign_keys(self) -> None:
        """Down the foreign keys from every table where a subject is found, as erasure will."""
        changed = True
        while changed:
            changed = False
            for e in self.edges:
                if e.parent not in self.role or e.child == e.parent or e.child not in self.has_pk:
                    continue
                ok, reason = self.followable(e)
                if not ok:
                    if e.child in self.role:
                        self._not_followed(e, reason)
                    continue
                if e.child in self.role:
                    continue
                changed = True
                if self.role[e.parent] in ("invoicing", "invoicing_part"):
                    part = e.child in self.invoicing or PART_TABLES.search(normalize_name(e.child)) or \
                        self._has_amount(e.child)
                    self.role[e.child] = "invoicing_part" if part else "child"
                    self.why[e.child].append(f"belongs to {e.parent} ({e})")
                else:
                    self.role[e.child] = "invoicing" if e.child in self.invoicing else "child"
                    self.why[e.child].append(f"belongs to a person's row through {e}")
        for e in self.edges:  # a table configured one way may not be followed another
            if e.parent in self.role and e.child in self.role and e.child != e.parent:
                ok, reason = self.followable(e)
                if not ok:
                    self._not_followed(e, reason)

    def _has_amount(self, t: str) -> bool:
        return any(AMOUNT_COLUMNS.search(f"_{normalize_name(c)}_") for c in self.findings[t])

    def retain_invoiced_documents(self) -> None:
        """The row a retained invoice or payment refers to (the booking, order or application it bills or pays
        for) is part of the accounting record: retained with it, and so are its lines that carry an amount. A
        person's identity row is not (unless it carries amounts itself), nor a quote, an organisation or the
        organisation's own records."""
        changed = True
        while changed:
            changed = False
            for e in self.edges:
                parent, role = e.parent, self.role.get(e.parent)
                if self.role.get(e.child) not in ("invoicing", "invoicing_part") or parent == e.child or \
                        e.child_cols[0] in self.not_followed[e.child] or \
                        not (role == "child" or (role == "identity" and self._has_amount(parent)) or
                             (role is None and parent in self.invoicing and parent in self.has_pk)) or \
                        parent in self.orgs | self.own or QUOTE_TABLES.search(normalize_name(parent)):
                    continue
                self.role[parent] = "invoicing"
                self.why[parent].append(f"a retained {e.child} row refers to it ({e}): the document it bills or "
                                        "pays for is kept with it")
                changed = True
                for x in self.edges:
                    if x.parent == parent and x.child != parent and self.role.get(x.child) == "child" and \
                            self._has_amount(x.child):
                        self.role[x.child] = "invoicing_part"
                        self.why[x.child].append(f"a line of {parent} with an amount ({x})")

    def find_owned_parents(self) -> None:
        """Parents the subject owns: their address, not their company nor the survey they answered, and only where
        the sampled data shows each parent row used by one person's row."""
        for e in self.edges:
            parent = e.parent
            cats = {f.category for f in self.personal[parent]}
            address = cats <= ADDRESS | {"phone"}
            household = "street" in cats and cats <= ADDRESS | {"phone", "free_text", "characteristic"} and \
                e.child in self.person_tables and not any(
                    f.name_hint == "message" or normalize_name(c) in ("status", "statut", "etat")
                    for c, f in self.findings[parent].items())  # (a report on public space has a status)
            if self.role.get(e.child) in ("identity", "child", "patient", "uncertain") and len(e.child_cols) == 1 and \
                    self.role.get(parent) in (None, "owned") and parent in self.has_pk and \
                    parent not in self.orgs | self.invoicing | self.own and self.personal[parent] and \
                    (address or household) and e.child != parent:
                owned, detail = sharing(self.connector, self.conn, e, [x for x in self.edges if x.parent == parent and
                                                               self.role.get(x.child) not in ("identity", "child")],
                                        self.sample) if self.conn is not None else (True, "")
                if not owned:
                    self.why[parent].append(f"not proposed as owned through {e}: {detail}; a shared row is not one "
                                            "person's")
                    if parent not in self.role and household and "used by several" in detail:
                        self.role[parent] = "uncertain"  # a household's address: one member's erasure cannot decide
                        self.why[parent].append("the home address of several persons (a household): one member's "
                                                "erasure cannot decide it; decide")
                        self.owns[e.child].append(e.child_cols[0])  # reached through its persons; shared ones wait
                    continue
                if self.role.get(e.child) == "uncertain" or not address:
                    continue  # a row someone decides on owns nothing by default; nor a household's description
                if record_not_address(self, parent):
                    self.why[parent].append(f"not proposed as owned through {e}: a record with a status or text of "
                                            "its own, not the person's address; erasing the person leaves it, "
                                            "configure it (anonymize its text, say) if it holds their data")
                    continue
                if parent not in self.role:
                    self.role[parent] = "owned"
                self.why[parent].append(f"the subject's own {parent} row, referred to by {e}" +
                                        (f" ({detail}: the plan leaves shared ones for review)" if detail else ""))
                self.owns[e.child].append(e.child_cols[0])

    def kept_by_invoices(self) -> set[str]:
        """Tables whose rows a retained invoice may still refer to (they stay, anonymized), and upwards."""
        keeps = {t for t, r in self.role.items() if r in KEPT}
        changed = True
        while changed:
            changed = False
            for e in self.edges:
                if e.child in keeps and e.parent in self.role and e.parent not in keeps and \
                        e.child_cols[0] not in self.not_followed[e.child]:
                    keeps.add(e.parent)
                    changed = True
        return keeps

    def proposal(self, t: str, jurisdiction: str, keeps: set[str], rows: int | None) -> TableProposal:
        p = TableProposal(t, self.role.get(t, "left_out"), None, self.why[t], rows=rows)
        personal = self.personal[t]
        if t not in self.role:
            p.reasons = self.why[t] + _left_out_reason(t, t in self.has_pk, personal, t in self.invoicing,
                                                       t in self.orgs)
            return p
        tab = self.connector.table(t)
        unique = self.connector.unique_columns(t)
        keys = {c.name for c in tab.primary_key.columns} | {c for e in self.edges if e.child == t
                                                            for c in e.child_cols} | \
            {c for e in self.edges if e.parent == t for c in e.parent_cols}
        for col, kind in sorted(self.identifiers[t].items()):
            if p.role != "owned" and not self._address_of_a_person(t):  # a household's landline: found via its owner
                p.identify.setdefault(kind, []).append(col)
        p.not_followed, p.owns = self.not_followed[t], self.owns[t]
        free = [f.column for f in personal if f.category == "free_text" and f.kind in ("text", "json")]
        strategies = {f.column: s for f in personal if f.column not in keys
                      if (s := _strategy(f, tab.c[f.column], f.column in unique))}
        if p.role in ("invoicing", "invoicing_part"):
            p.action, p.category = "retain", "invoicing"
            date_col = _document_date(self.findings[t])
            from_parent = p.role == "invoicing_part" or (date_col is None and any(
                e.child == t and e.parent in self.invoicing for e in self.edges))
            p.retain = {"preset": "invoices", "from": "parent" if from_parent else date_col or "request"}
            basis = PRESETS[jurisdiction]["invoices"]
            before = f", {basis['before']['period']} before {basis['before']['date']}" if "before" in basis else ""
            p.reasons.append(f"kept under the {jurisdiction} invoices preset ({basis['period']}{before})")
            if personal:
                p.reasons.append("personal columns kept with the invoice: " + ", ".join(f.column for f in personal))
        elif p.role == "medical":
            p.action, p.category = "retain", "medical records"
            p.retain = {"preset": "medical_records", "from": _document_date(self.findings[t]) or "request"}
            basis = PRESETS[jurisdiction]["medical_records"]
            p.reasons.append(f"kept under the {jurisdiction} medical records preset ({basis['period']})")
        elif p.role == "register":
            p.action, p.category = "retain", "guest register"
            p.retain = {"preset": "guest_register", "from": arrival_date(self.findings[t]) or "request"}
            p.reasons.append(f"kept under the {jurisdiction} guest register preset "
                             f"({PRESETS[jurisdiction]['guest_register']['period']})")
        elif p.role == "organisation":
            p.action, p.category, p.columns = "anonymize", "contact details of a customer's contact person", strategies
        elif p.role in ("own", "patient", "uncertain") or (p.role == "child" and not self.junction(t) and
                                                           not [f for f in personal if f.column not in keys]):
            p.action, p.category = "review", "the organisation's own records" if p.role == "own" else None
            if p.role == "child":
                p.reasons.append("holds no personal column of its own: decide whether its rows are the subject's "
                                 "data (delete) or business records (retain)")
        else:
            p.action = "delete"
            p.category = {"identity": "identification and contact details", "owned": "postal address"}.get(
                p.role, _category_of(personal))
            if p.role == "child" and self.junction(t) and not personal:
                p.category = "memberships"
                p.reasons.append("a link row (its key is its foreign keys): it only says the person belongs to "
                                 "something; deleted with them")
            p.columns = dict(strategies)
            if p.role == "child":  # free text is redacted in place; replaced whole only in rows an invoice keeps
                p.free_text = free
                p.columns = {c: s for c, s in strategies.items() if c not in free or t in keeps}
        if p.action == "anonymize" and not p.columns:
            p.action = "delete"
        return p


def _company_row(cols: dict[str, ColumnFinding]) -> bool:
    """A row named by a company name with no person's first or last name: a business, perhaps with a contact."""
    named = any(COMPANY_WORDS.search(normalize_name(c)) and NAME_WORD.search(f"_{normalize_name(c)}_")
                for c in cols)
    return named and not any(f.category in ("first_name", "last_name") and f.personal for f in cols.values())


def _category_of(personal: list[ColumnFinding]) -> str:
    cats = {f.category for f in personal}
    if cats & {"ip_address", "user_agent"}:
        return "usage data and IP addresses"
    if "free_text" in cats:
        return "correspondence and notes"
    if "media" in cats:
        return "photographs and files"
    return "data about the subject"


def _left_out_reason(table: str, has_pk: bool, personal: list[ColumnFinding], invoicing: bool,
                     org: bool) -> list[str]:
    if not has_pk:
        return ["no primary key: Eraser cannot address its rows" +
                ("; it holds personal data, give it a primary key" if personal else "")]
    if not personal:
        kind = "invoicing table" if invoicing else "organisation table" if org else "lookup or business table"
        return [f"{kind} without personal data or any link to a person"]
    cols = ", ".join(f.column for f in personal)
    return [f"personal data ({cols}) but no identifier or foreign key path from a person; the residual scan "
            "searches its text, or declare links: to configure it"]


