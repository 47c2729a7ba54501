"""Where a draft must not say `delete`: the records a sector law keeps, and the tables discovery cannot judge.

- a table of a patient's file (consultations, prescriptions, problem lists) is retained under the
  jurisdiction's `medical_records` preset; the patient's own row it keeps identifying is for review, and so is
  any other table of the patient that is not plainly outside the file (an appointment calendar, a portal login);
- a register or a school record that a police or education law may require kept (a hotel's guest register,
  report cards, transcripts) is for review: there is no preset that says how long;
- a table under a retained document (an invoice, a booking it bills) with personal data of its own, and a
  person's table that carries money amounts (a fine, a contract's price), are for review: an accounting record,
  or the subject's data, as someone decides;
- a parent row a person's row points to that has a status or text of its own (a report on public space) is not
  their address: never owned;
- a person table that many rows of another person table point to (the practitioner of many patients, the
  account manager of many customers) is the organisation's own staff: for review, as R6 staff are, and so are
  the staff member's own sub-records (emergency contacts, dependants) keyed by the staff table's own key;
- a table with a person's email that belongs to an invoicing table and carries an amount (a ticket's order
  position with the attendee's email) is a line of that document: retained with it;
- a guest register is retained under the jurisdiction's `guest_register` preset where there is one (France),
  and the person's own row that a register or a school record keeps identifying is for review.
"""

from __future__ import annotations

import re
from typing import Any

from eraser.discover.names import (
    AMOUNT_COLUMNS,
    ARRIVAL_DATES,
    MEDICAL_TABLES,
    NOT_MEDICAL_TABLES,
    OWNER_COLUMNS,
    PART_TABLES,
    PLACE_TABLES,
    QUOTE_TABLES,
    REGISTER_TABLES,
    RETENTION_COLUMNS,
    SECTOR_TABLES,
    normalize_name,
)
from eraser.jurisdictions import PRESETS

USER_TABLES = re.compile(r"(^|_)(users?|accounts?|logins?|gebruikers?|utilisateurs?|benutzer|members?hip_?users?)($|_)")

KEPT = ("invoicing", "invoicing_part", "medical", "register")


# What only an employer keeps about a person: an employee number, a manager (`manager_id` to the same table).
HR_COLUMNS = re.compile(r"^(employee_?(num|number|no|nr|code)|emp_?(num|no|nr)|personeels_?(nummer|nr)|"
                        r"matricule|stamnummer|numero_?(d_)?employe)$")
MANAGER_COLUMNS = re.compile(r"^(manager|supervisor|reports_?to|leidinggevende|chef|responsable|line_?manager)(_?id)?$")


def staff_like(schema: Any, t: str, rows: dict[str, int | None]) -> str | None:
    """The person table that another table of named persons (first, last or full names, not an order or a comment
    with a copy of its author's email) points to, five or more of its rows per row: its staff; and a person table
    with an employee number or a manager among its own rows."""
    n = rows.get(t) or 0
    hr = [c for c in schema.findings[t] if HR_COLUMNS.match(normalize_name(c))] + \
        [c for e in schema.edges if e.child == t and e.parent == t for c in e.child_cols
         if MANAGER_COLUMNS.match(normalize_name(c))]
    if hr:
        return f"an employer's columns: {', '.join(hr)}"
    for e in schema.edges:
        named = any(f.category in ("first_name", "last_name", "full_name") for f in schema.personal.get(e.child, []))
        if e.parent == t and e.child != t and e.child in schema.person_tables and named and \
                e.child not in schema.invoicing and n and (rows.get(e.child) or 0) >= 5 * n:
            return f"{n} rows that {rows.get(e.child)} rows of {e.child}, a table of persons, point to ({e})"
    return None


def keep_sector_records(schema: Any) -> None:
    """Roles `medical` (retained), `patient` and `uncertain` (review), after the roles from the foreign keys."""
    medical = {t for t, role in schema.role.items() if role in ("child", *KEPT) and
               MEDICAL_TABLES.search(normalize_name(t))}
    if len(medical) < 2:  # one medical note (a school's allergy alerts) does not make a care provider's schema
        medical = set()
    for t in medical:  # also one an invoice refers to (a billed consultation): the file's retention is the longer
        if schema.role[t] == "child" or (schema.role[t] in KEPT and t not in schema.invoicing):
            schema.role[t] = "medical"
            schema.why[t].append("part of a patient's medical file: kept under the medical records preset")
    for e in schema.edges:  # (a row an invoice line names, the animal billed for, is the patient all the same)
        parent = schema.role.get(e.parent)
        if e.child in medical and e.child_cols[0] not in schema.not_followed[e.child] and e.parent not in medical and \
                (parent in ("identity", "child") or parent == "invoicing" and e.parent not in schema.invoicing):
            schema.role[e.parent] = "patient"
            schema.why[e.parent].append(f"the patient's own row, which the retained medical file {e.child} keeps "
                                        "identifying: its erasure waits on the file's retention period; decide")
    for e in schema.edges:  # the owner of an animal, the guardian of a child the file is about
        if schema.role.get(e.child) == "patient" and schema.role.get(e.parent) == "identity" and \
                e.child_cols[0] not in schema.not_followed[e.child]:
            schema.role[e.parent] = "patient"
            schema.why[e.parent].append(f"the person of a patient row ({e}) that a retained medical file keeps "
                                        "identifying: their erasure waits on the file's retention period; decide")
    for e in schema.edges:
        t = e.child
        if schema.role.get(t) != "child" or e.child_cols[0] in schema.not_followed[t]:
            continue
        parent = schema.role.get(e.parent)
        if parent == "patient" and not NOT_MEDICAL_TABLES.search(normalize_name(t)):
            _uncertain(schema, t, f"a patient's data ({e}) that may be part of the medical file: decide whether it "
                                  "is kept with the file (retain) or erased")
        elif parent in KEPT and [f for f in schema.personal[t] if f.column not in e.child_cols]:
            _uncertain(schema, t, f"under the retained {e.parent} ({e}) with personal data of its own: decide "
                                  "whether it is kept with that record or erased")
    for t, role in list(schema.role.items()):
        n = normalize_name(t)
        if role in ("child", "uncertain") and REGISTER_TABLES.search(n) and \
                "guest_register" in PRESETS.get(schema.jurisdiction, {}):
            schema.role[t] = "register"
            schema.why[t].append("reads as the guest register a police law requires kept: kept under the "
                                 "guest register preset")
            continue
        if role != "child":
            continue
        if SECTOR_TABLES.search(n):
            _uncertain(schema, t, "reads as a register or a school record that a police or education law may "
                                  "require kept, and no preset says how long: decide")
        elif not QUOTE_TABLES.search(n) and any(AMOUNT_COLUMNS.search(f"_{normalize_name(c)}_")
                                                for c, f in schema.findings[t].items() if f.kind == "number"):
            _uncertain(schema, t, "carries money amounts: an accounting record (retain) or the subject's data "
                                  "(delete): decide")
    for e in schema.edges:  # the guest or pupil such a record keeps identifying waits on it
        sector = schema.role.get(e.child) == "register" or (schema.role.get(e.child) == "uncertain" and
                                                            SECTOR_TABLES.search(normalize_name(e.child)))
        if sector and schema.role.get(e.parent) == "identity" and e.child_cols[0] not in schema.not_followed[e.child]:
            _uncertain(schema, e.parent, f"the person's own row, which the kept record {e.child} keeps identifying "
                                         f"({e}): its erasure waits on that record; decide")


def keep_declared_retention(schema: Any) -> None:
    """A table whose rows state their own retention (an archive action date, a retention period: a municipality's
    case file under an archive law) keeps what hangs under it: the person rows found below it (the case's roles,
    the natural person of a role, their address) are for review, not deleted, whatever the subject's erasure."""
    kept = {t for t in schema.tables if any(RETENTION_COLUMNS.search(normalize_name(c)) and f.kind in ("date", "text")
                                            for c, f in schema.findings[t].items())}
    below = set(kept)
    changed = True
    while changed:
        changed = False
        for e in schema.edges:
            if e.parent in below and e.child not in below and e.child != e.parent and \
                    schema.role.get(e.child) in ("identity", "child", "owned") and \
                    e.child_cols[0] not in schema.not_followed[e.child]:
                below.add(e.child)
                changed = True
                origin = e.parent if e.parent in kept else "a record below one"
                _uncertain(schema, e.child, f"under {origin} that states its own retention ({e}): kept with that "
                                            "record until its retention ends, or erased: decide")


def owned_by_person(schema: Any, e: Any) -> bool:
    """An `owner_id` that points to a customer's identity row (a pet's, a vehicle's owner) makes the row theirs,
    unlike a record's owner or author, who is staff, and unlike an owner that is a user account (a CRM record's)."""
    return schema.role.get(e.parent) == "identity" and not USER_TABLES.search(normalize_name(e.parent)) and \
        all(OWNER_COLUMNS.match(normalize_name(c)) for c in e.child_cols)


def _uncertain(schema: Any, t: str, reason: str) -> None:
    schema.role[t] = "uncertain"
    schema.why[t].append(reason)


def record_not_address(schema: Any, parent: str) -> bool:
    """A parent row with a status or its own text (a report, a case) is a record about something, not a
    person's address, even where its personal columns are all address parts."""
    return any(f.name_hint in ("message", "text") or normalize_name(c) in ("status", "statut", "etat")
               for c, f in schema.findings[parent].items())


def arrival_date(cols: dict[str, Any]) -> str | None:
    """The arrival date of a register entry, from which its retention runs."""
    return next((c for c, f in cols.items() if f.kind == "date" and ARRIVAL_DATES.search(normalize_name(c))), None)


def staff_records(schema: Any) -> None:
    """A staff member's own sub-records (emergency contacts, dependants) found by their phone: keyed by the staff
    table's own key (`emp_number`) or named after it (`employee_id`), they follow the employee: review."""
    for e in schema.edges:
        if schema.role.get(e.parent) != "own" or schema.role.get(e.child) != "identity" or \
                e.child in schema.invoicing or len(e.child_cols) != 1:
            continue
        col, words = normalize_name(e.child_cols[0]), normalize_name(e.parent).split("_")
        named = col.removesuffix("_id").removesuffix("_number") in words and \
            bool(set(normalize_name(e.child).split("_")) & set(words))  # not a customer's account manager
        if col == normalize_name(e.parent_cols[0]) and col != "id" or named:
            schema.role[e.child] = "own"
            schema.why[e.child].append(f"a record of the organisation's own staff member in {e.parent} ({e}): it "
                                       "follows the employee's erasure, decided by someone")


def lines_of_documents(schema: Any) -> None:
    """A table with a person's email below an invoicing table, named as its part (`orderposition`, `order_line`),
    with an amount of its own (an order position with the attendee's email), is a line of the document: retained
    with it, not the attendee's to delete. A customer row pointing to its last order is not."""
    for e in schema.edges:
        t = e.child
        if schema.role.get(e.parent) == "invoicing" and schema.role.get(t) == "identity" and t != e.parent and \
                PART_TABLES.search(normalize_name(t)) and \
                any(AMOUNT_COLUMNS.search(f"_{normalize_name(c)}_") for c, f in schema.findings[t].items()
                    if f.kind == "number"):
            schema.role[t] = "invoicing_part"
            schema.why[t].append(f"a line of {e.parent} with an amount ({e}): kept with the document")


def accounts_of_companies_or_persons(schema: Any) -> None:
    """A customer account found by its email or phone that has no first or last name of its own, that a table of
    named persons points to (its contacts), and that retained invoices refer to, holds companies and private persons
    alike (a third party, a client): never deleted by default; decided by someone, the invoices keep pointing to it."""
    for t, role in list(schema.role.items()):
        if role != "identity" or any(f.category in ("first_name", "last_name") for f in schema.personal[t]):
            continue
        contacts = sorted({e.child for e in schema.edges if e.parent == t and e.child != t and
                           any(f.category in ("first_name", "last_name") for f in schema.personal[e.child])})
        invoices = sorted({e.child for e in schema.edges if e.parent == t and
                           schema.role.get(e.child) in ("invoicing", "invoicing_part") and
                           e.child_cols[0] not in schema.not_followed[e.child]})
        if contacts and invoices:
            _uncertain(schema, t, f"an account that may be a company or a private person (no first or last name of "
                                  f"its own, its contacts in {', '.join(contacts)}), which retained {', '.join(invoices)} "
                                  "rows keep referring to: decide (anonymize a private person's row, keep a "
                                  "company's)")


def staff_sub_records(schema: Any) -> None:
    """A table below the organisation's own staff (by any key: a log row about them, a signed acceptance of what
    they were handed) that holds sampled personal data of its own follows the staff member: review. One without
    (an inventory seat assigned to them) is the organisation's record and stays out."""
    for e in schema.edges:  # the staff member's own row in a table of staff, below their person's row
        if e.child in schema.own and e.child not in schema.role and e.child in schema.has_pk and \
                not PLACE_TABLES.search(normalize_name(e.child)) and \
                schema.role.get(e.parent) in ("identity", "uncertain") and e.parent in schema.person_tables:
            _uncertain(schema, e.child, f"the organisation's own staff record of the person in {e.parent} ({e}): it "
                                        "follows the employee's erasure, decided by someone")
    for e in schema.edges:
        t = e.child
        if schema.role.get(e.parent) != "own" or t == e.parent or t in schema.role or t not in schema.has_pk or \
                t in schema.invoicing | schema.orgs | schema.ours:
            continue
        own = [f.column for f in schema.personal[t] if f.column not in e.child_cols and f.sampled]
        if own:
            _uncertain(schema, t, f"a record about the organisation's own staff member in {e.parent} ({e}) with "
                                  f"personal data of its own ({', '.join(own)}): it follows the employee's erasure, "
                                  "decided by someone")


def persons_behind_contact_values(schema: Any) -> None:
    """A table found by a contact value alone (a party's contact mechanisms: one `value` column of phones and emails,
    no name) that points to a table of named persons with no identifier of its own (a party with a name, a date of
    birth): the person is there, found through those values. Erasure finds rows by their own identifiers and goes
    down the foreign keys, never up: the contact values own that person's row (`owns:`, as a home address), which is
    proposed for review, and what hangs below it is followed from it."""
    for e in schema.edges:
        child, parent = e.child, e.parent
        cats = {f.category for f in schema.personal[child]}
        if schema.role.get(child) != "identity" or parent == child or parent in schema.role or \
                parent not in schema.person_tables or parent not in schema.has_pk or schema.identifiers[parent] or \
                not cats <= {"email", "phone"} or \
                not any(f.category in ("first_name", "last_name", "full_name") for f in schema.personal[parent]):
            continue
        if len(e.child_cols) != 1:
            continue
        _uncertain(schema, parent, f"the person whose contact values are in {child} ({e}): found through them "
                                   f"({child} owns it), and what hangs below it is theirs; decide")
        schema.owns[child].append(e.child_cols[0])
