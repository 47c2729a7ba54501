"""Per column: the category, confidence and evidence (never a value), by name, content and context."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from eraser.discover.content import _mentions
from eraser.discover.names import (
    ATTRIBUTE_NAMES,
    BODY_MEASURES,
    COMPANY_WORDS,
    EVENT_DATE,
    EVENT_NAMES,
    INVOICE_TABLES,
    LABELS,
    MEDIA_COLUMNS,
    MEDIA_TABLES,
    MESSAGE_WORDS,
    NAME_WORD,
    NUMBER_CATEGORIES,
    PERSON_QUALIFIERS,
    PERSONAL,
    REFERENCE_NAME,
    SALUTATIONS,
    TEXT_WORDS,
    _org,
    name_category,
    normalize_name,
)

# -- findings ---------------------------------------------------------------------------------

# The note printed on the documents a customer receives (Dolibarr's `note_public`, Invoice Ninja's `public_notes`):
# the organisation's text, personal only where the sampled values hold a contact or a known name.
PUBLIC_NOTES = re.compile(r"_(public_?notes?|notes?_?public)_")

@dataclass
class ColumnFinding:
    """What discovery concluded about one column, with its confidence and evidence (never a value)."""

    table: str
    column: str
    kind: str  # text, json, date, number, bool, binary, other
    category: str | None = None
    confidence: float = 0.0
    evidence: list[str] = field(default_factory=list)
    name_hint: str | None = None  # category suggested by the name alone ("name", "message", "text" if ambiguous)
    content: dict[str, float] = field(default_factory=dict)  # category -> share of sampled values
    mentions: float = 0.0  # share of sampled free-text values that hold an email, phone number or IBAN
    named: float = 0.0  # share of the others that name a person known from an identity table
    sampled: int = 0
    free_text: bool = False
    bare: str = ""  # the name without the affix most of its table's columns share (`nom_adh` -> `nom`)

    @property
    def name(self) -> str:
        """The normalized name to read: without the table's shared affix (`_adh`, `emp_`) where it has one."""
        return self.bare or normalize_name(self.column)

    @property
    def personal(self) -> bool:
        return self.category is not None and self.confidence >= PERSONAL

    def comment(self) -> str:
        if not self.personal:
            return ""
        return f"{LABELS.get(self.category or '', self.category)}, confidence {self.confidence:.2f}: " + \
            "; ".join(self.evidence)



def _judge_by_name_and_content(f: ColumnFinding, keys: set[str], region: str) -> None:
    """First pass: what the name says and what the sampled values are."""
    wrapped = f"_{f.name}_"
    by_name = name_category(f.name) or name_category(f.column)
    if f.kind == "number" and (f.column in keys or REFERENCE_NAME.match(normalize_name(f.column)) or (
            REFERENCE_NAME.search(normalize_name(f.column)) and by_name not in NUMBER_CATEGORIES)):
        return  # surrogate keys and references carry no personal data of their own
    if f.kind == "bool" or (ATTRIBUTE_NAMES.search(wrapped) and by_name is None):
        return  # a flag, a type or a status (`do_not_email`, `message_transport_type`) holds no one's data
    if by_name is None and f.column in keys:
        return  # a key named `name` or `code` (Frappe's document names): a reference, not a person's name
    if by_name is None and NAME_WORD.search(wrapped):
        f.name_hint = "name"
    elif by_name is None and MESSAGE_WORDS.search(wrapped) and not PUBLIC_NOTES.search(wrapped):
        f.name_hint = "message"  # (the public note printed on a document is its text, looked into below)
    elif by_name is None and (TEXT_WORDS.search(wrapped) or PUBLIC_NOTES.search(wrapped)):
        f.name_hint = "text"
    if by_name != "date_of_birth" and (EVENT_NAMES.search(wrapped) or EVENT_DATE.search(wrapped)):
        f.content.pop("date_of_birth", None)  # hired, valid from, last login: an event, whatever the ages
    best, share = max(f.content.items(), key=lambda kv: kv[1], default=(None, 0.0))
    if by_name == "date_of_birth" and f.kind not in ("date", "text"):
        by_name = None if "year" not in wrapped and "jaar" not in wrapped and "annee" not in wrapped else by_name
    if by_name == "vat_number" and f.kind == "number":
        by_name = None
    if f.kind == "date" and by_name in ("password", "email", "phone", "username", "ip_address", "website"):
        by_name = None  # when a password was made, an email verified: a date about the data, not the data
    if f.kind == "number" and by_name in ("email", "username", "password", "ip_address", "website", "user_agent",
                                          "full_name"):
        by_name = None  # `send_email`, `email_count`: a flag or a count (no number is an email address)
    if by_name is not None:
        f.category, f.confidence = by_name, 0.8
        f.evidence.append(f"the column name reads as: {LABELS[by_name]}")
    if best is not None and share >= 0.3:
        content_conf = round(0.6 + 0.4 * share, 2)
        n = f.sampled if f.sampled else 0
        what = {"phone": f"phone numbers (phonenumbers, region {region})", "bank_account": "IBANs with valid "
                "check digits (python-stdnum)", "national_id": "Belgian national register numbers with valid check "
                "digits (python-stdnum)", "vat_number": "VAT numbers with valid check digits (python-stdnum)",
                "email": "email addresses", "ip_address": "IPv4/IPv6 addresses", "user_agent": "browser user agents",
                "date_of_birth": "dates whose ages spread like dates of birth",
                "payment_card": "card numbers with a valid Luhn check digit (python-stdnum)"}[best]
        f.evidence.append(f"{share:.0%} of {min(n, 300)} sampled values are {what}")
        if f.category is None or f.category == best:
            f.confidence = min(1.0, max(f.confidence, content_conf) + (0.15 if f.category == best else 0.0))
            f.category = best
        elif share >= 0.8:
            f.category, f.confidence = best, content_conf
    if f.category == "media" and f.kind not in ("text", "binary"):
        f.category, f.confidence, f.evidence = None, 0.0, []
    if f.category is None and f.kind == "text" and MEDIA_TABLES.search(normalize_name(f.table)) and \
            MEDIA_COLUMNS.search(wrapped):
        f.category, f.confidence = "media", 0.7
        f.evidence.append("the file's path or link, in a table of photos or attachments")


def _known_names(findings: dict[str, dict[str, ColumnFinding]], texts: dict[tuple[str, str], list[str]],
                 person_tables: set[str]) -> re.Pattern[str] | None:
    """Names sampled from identity tables, to recognise a person named inside free text; words that also name
    companies (Janssens & Zonen) are left out."""
    def capitalized(table: str, column: str) -> set[str]:
        return {w for value in texts.get((table, column), [])[:300]
                for w in re.findall(r"[^\W\d_]{4,}", value) if w[0].isupper()}

    words: set[str] = set()
    companies: set[str] = set()
    for table, cols in findings.items():
        for f in cols.values():
            if table in person_tables and (f.category in ("first_name", "last_name") or
                                           (f.name_hint == "name" and f.category is None)):
                words |= capitalized(table, f.column)
            elif f.name_hint == "name" and (_org(table) or COMPANY_WORDS.search(normalize_name(f.column))):
                companies |= capitalized(table, f.column)
    words -= companies
    if not words:
        return None
    return re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b")


def _judge_in_context(f: ColumnFinding, person_table: bool, org_table: bool, texts: list[str],
                      names: re.Pattern[str] | None, region: str, place: bool = False) -> None:
    """Second pass: ambiguous names (a person's or a thing's), free text, and data of organisations. In a
    `person_table` (of persons, or of cards and accounts, whose name is the holder's) a bare name is a person's."""
    if f.kind in ("text", "json") and (f.free_text or f.name_hint in ("message", "text")) and f.category in (
            None, "media") and texts:
        f.mentions, f.named = _mentions(texts, names, region)
    if f.category is None and f.name_hint == "name" and f.kind == "text":
        qualifiers = set(f.name.split("_")) - {"name", "naam", "nom"}
        if qualifiers & PERSON_QUALIFIERS or (person_table and not qualifiers - {"full", "display", "complet",
                                                                                 "fullname"}):
            f.category, f.confidence = "full_name", 0.75
            f.evidence.append("a name column " + ("with a person qualifier" if qualifiers & PERSON_QUALIFIERS
                                                  else "in a table of persons"))
    if f.category is None and f.kind == "text" and _salutations(texts):
        f.category, f.confidence = "gender", 0.75
        f.evidence.append("the sampled values are salutations (Mr, Mevr., Mme)")
    if f.category is None and f.kind in ("text", "json"):
        # a surname is often also a word or a place: names count at a tenth of their share
        weight = f.mentions + f.named / 10
        if weight >= 0.02:
            f.category, f.confidence = "free_text", round(min(1.0, 0.6 + weight), 2)
            if f.mentions:
                f.evidence.append(f"{f.mentions:.0%} of sampled texts hold an email, phone number or IBAN")
            if f.named:
                f.evidence.append(f"{f.named:.0%} name a person found in an identity table")
        elif f.name_hint == "message" and not org_table and not INVOICE_TABLES.search(normalize_name(f.table)):
            # (in a payment or invoice, a `motif` or `description` with no one's name in it is the document's)
            f.category, f.confidence = "free_text", 0.65
            f.evidence.append("a message or note column: people write names and contact details into it")
    person_named = f.category in ("full_name", "job_title") and \
        bool(set(f.name.split("_")) & PERSON_QUALIFIERS)  # the billing contact's name
    if org_table and not person_named and f.category in ("street", "house_number", "postcode", "city", "region",
                                                         "country",
                                                         "vat_number",
                                                         "full_name", "free_text", "job_title"):
        f.evidence.append("but it describes an organisation, not a person")
        f.confidence = 0.3
    if f.category == "email" and len(texts) >= 50 and len(set(texts)) == 1:
        f.evidence.append("but one address in every sampled row: the sender's or the organisation's, not a person's")
        f.confidence = 0.3
    if f.category is None and f.kind == "text" and LINK_COLUMNS.search(f"_{f.name}_") and texts:
        carrying = sum(bool(EMAIL_IN_LINK.search(t)) for t in texts[:300]) / min(len(texts), 300)
        if carrying >= 0.02:
            f.category, f.confidence = "free_text", round(min(1.0, 0.6 + carrying), 2)
            f.evidence.append(f"{carrying:.0%} of sampled links carry an email address")
    if place and f.category in ("email", "phone", "licence_plate"):
        f.evidence.append("but in a small table many rows share (a branch, a practice, the fleet): a front desk's or "
                          "the organisation's, not a person's")
        f.confidence = 0.3


# An email or phone named as a help desk or a general inbox (a manufacturer's `support_email`).
SERVICE_CONTACT = re.compile(r"_(support|helpdesk|help_?desk|hotline|service_?desk|servicedesk|klantendienst|"
                             r"service_?client|onthaal|accueil|reception|noreply|no_?reply)_")
# An email column named as the sender of messages (`from_address`, `sender_email`, `reply_to`).
SENDER = re.compile(r"^_(from|sender|reply_?to|afzender|expediteur)_|_(from|sender)_(address|email|mail)_|"
                    r"^_(from_)?(address|email)_from_")
LINK_COLUMNS = re.compile(r"_(url|uri|link|href|referr?er|landing_?page|page_?url)_$")
EMAIL_IN_LINK = re.compile(r"[\w.+-]+(@|%40)[\w-]+\.[\w.-]+")


def judge_organisation_contact(f: ColumnFinding, texts: list[str]) -> None:
    """An email or phone named as a help desk (a manufacturer's `support_email`), and a sender address that is one
    or a few addresses in every sampled row (an email template's `from_address`), are the organisation's."""
    if f.category in ("email", "phone") and SERVICE_CONTACT.search(f"_{f.name}_"):
        f.evidence.append("but named as a support line, help desk or general inbox: it reaches no one person")
        f.confidence = 0.3
    if f.category == "email" and SENDER.search(f"_{f.name}_") and len(texts) >= 2 and \
            len({t.strip().lower() for t in texts}) <= max(1, len(texts) // 10):
        f.evidence.append("but the sender address of the organisation's messages (one or a few addresses in every "
                          "sampled row)")
        f.confidence = 0.3


def judge_body_measure(f: ColumnFinding, keys: set[str]) -> None:
    """In a person's table or one directly below it: an age, height or weight is the person's."""
    if f.category is None and f.kind == "number" and f.column not in keys and \
            BODY_MEASURES.search(f"_{f.name}_"):
        f.category, f.confidence = "characteristic", 0.7
        f.evidence.append("a body measurement (age, height, weight) in a table of a person or below one")


def _salutations(texts: list[str]) -> bool:
    words = [t.strip().rstrip(".").lower() for t in texts if t.strip()]
    return len(words) >= 10 and sum(w in SALUTATIONS for w in words) >= 0.8 * len(words)


@dataclass
class TableProposal:
    """What an erasure should do with a subject's rows in one table, and why."""

    table: str
    role: str  # identity, organisation, child, owned, invoicing, invoicing_part, left_out
    action: str | None  # delete, anonymize, retain; None = left out of the config
    reasons: list[str] = field(default_factory=list)
    identify: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)
    free_text: list[str] = field(default_factory=list)
    owns: list[str] = field(default_factory=list)
    not_followed: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)  # relations declared on a partition only, as `links:` entries
    retain: dict[str, str] | None = None
    category: str | None = None
    rows: int | None = None


@dataclass
class Discovery:
    url: str
    dialect: str
    schema: str | None
    connector: str
    region: str
    locale: str
    jurisdiction: str
    sample: int
    columns: dict[str, dict[str, ColumnFinding]]
    tables: dict[str, TableProposal]
    notes: list[str] = field(default_factory=list)
    regions: dict[str, int] = field(default_factory=dict)  # phone regions the data names, with counts
    partitions: dict[str, str] = field(default_factory=dict)  # partition -> partitioned parent (PostgreSQL)
    country_column: str | None = None  # the column giving a row's country in the tables identified by phone

    def personal_columns(self) -> set[tuple[str, str]]:
        return {(t, c) for t, cols in self.columns.items() for c, f in cols.items() if f.personal}
