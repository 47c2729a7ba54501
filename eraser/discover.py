"""`eraser discover`: propose a config from a live schema.

Reflect tables, keys and foreign keys; sample up to N rows per table; find personal columns by name (English,
Dutch, French) and by content (emails, phone numbers with `phonenumbers`, IBANs, Belgian national register and VAT
numbers with `python-stdnum`, IP addresses, user agents, dates of birth, free text that holds any of these or the
names found in identity tables); then propose, per table, what an erasure does with a subject's rows and why:

- identity tables (a person's own row, found by email or phone): delete, with `columns:` to anonymize the row
  instead when a retained invoice still refers to it;
- organisation tables with a contact's email (a customer company's billing contact): anonymize;
- tables below them by foreign key: delete (free text in them under `free_text:`);
- parents the subject owns (their address): `owns:` and delete;
- invoicing tables: retain under the jurisdiction's preset (invoice lines and payments from their invoice);
- tables without personal data or without a link to a person (lookups, catalogues, a company's own records):
  left out, each named in a comment with the reason.

The output is YAML with the evidence as comments; it never holds a sampled value. Secrets are ${ENV} references.
"""

from __future__ import annotations

import ipaddress
import json
import re
import statistics
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import phonenumbers
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from stdnum import iban as std_iban
from stdnum import luhn
from stdnum.be import nn as be_nn
from stdnum.be import vat as be_vat
from stdnum.eu import vat as eu_vat

from connectors.base import Edge
from connectors.sql import SQLConnector, masked_url
from eraser.errors import ConfigError
from eraser.jurisdictions import JURISDICTIONS, PRESETS

PERSONAL = 0.5  # confidence from which a column counts as personal

# -- names ------------------------------------------------------------------------------------

# (category, pattern on the normalized name wrapped in underscores, e.g. `_billing_email_`); first match wins.
NAME_RULES: list[tuple[str, str]] = [
    ("ip_address", r"_(ip|ipv4|ipv6|ip_?addr(ess)?|ip_?adres|adresse_ip|remote_?addr|client_?ip)_"),
    ("email", r"e_?mail|courriel|mailadres|_mail_"),
    ("phone", r"phone|telefoon|telephone|telefon|_tel_|_tel_?n[or]_|gsm|mobile|mobiel|_portable_|_fax_|_cell_"),
    ("date_of_birth", r"birth|geboorte|naissance|_dob_|geburt"),
    ("national_id", r"rijksregister|_(rrn|insz|niss|nn|bsn|ssn)_|national_?(number|nummer|id|register)|"
                    r"registre_?national|numero_?national|social_?security|securite_?sociale|passport|paspoort|"
                    r"passeport|id_?card|identiteitskaart|carte_?(d_)?identite|_eid_"),
    ("bank_account", r"iban|_bic_|bank_?account|rekening_?n|_rekening_|compte_?bancaire|numero_?(de_)?compte|"
                     r"account_?number"),
    ("payment_card", r"card_?(number|last_?4|holder|no)|cardholder|kaart_?(nummer|houder)|_pan_|carte_?bancaire|"
                     r"_ccn_|credit_?card|_cc_?(num|number|nr|no)_"),
    ("vat_number", r"(vat|btw|tva|ust)_?(number|nummer|nr|no|id|numero|num|identification)|ondernemingsnummer|"
                   r"enterprise_?number|_kbo_|_bce_|company_?number|_siren_|_siret_"),
    ("first_name", r"first_?name|given_?name|forename|voornaam|prenom|vorname|_fname_"),
    ("last_name", r"last_?name|surname|family_?name|achternaam|familienaam|nom_de_famille|nachname|_lname_|maiden"),
    ("username", r"_(username|user_name|login|login_name|gebruikersnaam|identifiant|pseudo|nickname|handle)_$"),
    ("password", r"password|passwd|wachtwoord|mot_de_passe|_pwd_|pass_?hash"),
    ("street", r"street|straat|_rue_|address_?line|adres_?lijn|_line_?[12]_|(^|_)(address|adres|adresse)_"),
    ("house_number", r"house_?n(umbe)?r|huis_?n(umme)?r|_house_|_bus_|_box_|_boite_|numero_de_rue"),
    ("postcode", r"post_?code|postal|_zip|code_?postal|_plz_"),
    ("city", r"_city_|_town_|gemeente|woonplaats|_ville_|_commune_|localite|_stad_|_plaats_"),
    ("region", r"_(state|province|provincie|county|region|departement|deelstaat)_"),
    ("gender", r"gender|_sex_|geslacht|_sexe_|civilit|salutation|aanspreking"),
    ("geolocation", r"latitude|longitude|_(lat|lng|lon)_|geoloc|_gps_|coordinates|coordonnees"),
    ("user_agent", r"user_?agent|_browser_|_ua_|device_?id|fingerprint|session|sessie|cookie|visitor_?id|"
                   r"bezoeker_?id|tracking_?id"),
    ("job_title", r"job_?title|_functie_|_fonction_|beroep|profession|occupation"),
    ("customer_number", r"(customer|client|klant|member|lid|lidmaat|abonne|subscriber)_?(number|nummer|nr|no|"
                        r"numero|code|ref)"),
    ("media", r"photo|foto|avatar|picture|image|attachment|bijlage|piece_?jointe"),
]
# An ambiguous name column: a person's name in a person table or with a person qualifier, else a thing's name.
NAME_WORD = re.compile(r"_(name|naam|nom|fullname|full_name|display_?name|contact_?naam|contactnaam|klantnaam)_")
COMPANY_WORDS = re.compile(r"compan|company|bedrijf|societe|entreprise|firma|organi|business|handels")
PERSON_QUALIFIERS = {"full", "display", "contact", "customer", "client", "klant", "billing", "user", "respondent",
                     "person", "persoon", "patient", "employee", "member", "lid", "owner", "recipient", "sender",
                     "payer", "holder", "partner", "guest", "student", "facturatie", "facturation", "complet",
                     "volledige", "contactpersoon", "ontvanger", "destinataire", "expediteur", "afzender"}
# Free text: message-like columns are written by or about people; description-like ones only with evidence.
MESSAGE_WORDS = re.compile(r"_(note|notes|comment|comments|remark|remarks|opmerking|opmerkingen|commentaire|"
                           r"commentaires|remarque|remarques|message|messages|bericht|berichten|body|content|inhoud|"
                           r"contenu|feedback|answer|answer_text|antwoord|reponse|response_text|compte_rendu|"
                           r"verslag|memo|subject|onderwerp|sujet|notities|notitie)_")
TEXT_WORDS = re.compile(r"_(description|omschrijving|beschrijving|text|tekst|texte|title|titel|titre|caption|"
                        r"bijschrift|legende|detail|details|objet|properties|payload|data|metadata|extra|context)_")

# -- tables -----------------------------------------------------------------------------------

ORG_TABLES = re.compile(r"^(tenants?|accounts?|compan(y|ies)|organi[sz]ations?|organisaties?|bedrijf|bedrijven|"
                        r"societes?|entreprises?|firmas?|workspaces?|clients?_?orgs?)$")
MEDIA_TABLES = re.compile(r"photo|foto|picture|image|attachment|bijlage|upload|piece_?jointe|document|avatar")
MEDIA_COLUMNS = re.compile(r"_(path|url|uri|file|filename|file_name|bestand|fichier|chemin|storage_key|location)_")
PARTITION_TABLES = re.compile(r"^(tenants?|workspaces?)$")
INVOICE_TABLES = re.compile(r"invoice|factu|rechnung|credit_?note|creditnota|avoir|payment|betaling|paiement|"
                            r"receipt|kwitantie|quittance")
QUOTE_TABLES = re.compile(r"quote|offerte|devis|angebot|estimate|proposal|order_?form")
PART_TABLES = re.compile(r"line|lijn|ligne|item|regel|payment|betaling|paiement|position|detail")
AMOUNT_COLUMNS = re.compile(r"amount|bedrag|montant|total|totaal|price|prijs|prix|_cents_|betrag|subtotal")
VAT_COLUMNS = re.compile(r"_(vat|btw|tva|tax|mwst)_|vat_|btw_|tva_|_vat|_btw|_tva")
AUTHOR_COLUMNS = re.compile(r"created_?by|updated_?by|modified_?by|changed_?by|deleted_?by|author|owner|"
                            r"assigned_?to|assignee|reviewer|approved_?by|aangemaakt_?door|gewijzigd_?door|"
                            r"eigenaar|verantwoordelijke|cree_?par|modifie_?par|auteur|responsable|handled_?by|"
                            r"behandeld_?door|agent_id|sales_?rep")
INVOICE_DATES = re.compile(r"invoice_?date|factuur_?datum|date_?(de_)?facture|issued?_?(on|at|date)|issue_?date|"
                           r"_date_|_datum_|_dated_|_date$|^date_|rechnungsdatum|uitgifte")
NOT_INVOICE_DATES = re.compile(r"due|verval|echeance|paid|betaal|created|updated|modified|sent|verzonden|"
                               r"closed|deleted|_at_$")
EVENT_DATE = re.compile(r"created|updated|modified|_at_$|_on_$|sent|paid|closed|expires|valid|registered|"
                        r"subscribed|started|ended|verval|datum_?(aanmaak|wijziging)|cree|modifie")

# -- content ----------------------------------------------------------------------------------

EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}$")
EMAIL_IN = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
PHONE_LIKE = re.compile(r"^\+?[\d\s()./\-]{8,22}$")
PHONE_IN = re.compile(r"(?<![\w+])(?:\+|00)?\d[\d\s./\-]{7,16}\d(?!\d)")
IBAN_LIKE = re.compile(r"^[A-Za-z]{2}\d{2}[A-Za-z0-9 ]{10,32}$")
IBAN_IN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?\b")
NN_LIKE = re.compile(r"^\d{2}[.\s]?\d{2}[.\s]?\d{2}[\s\-.]?\d{3}[\s\-.]?\d{2}$")
VAT_LIKE = re.compile(r"^(?:[A-Za-z]{2}\s?)?[01]?\d{3}[.\s]?\d{3}[.\s]?\d{3}$|^[A-Za-z]{2}[0-9A-Za-z+*.\s]{8,14}$")
IP_LIKE = re.compile(r"^[0-9a-fA-F:.]{3,45}$")
DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4}$")
AGENT = re.compile(r"^(Mozilla|Opera|curl|Dalvik|okhttp|Python-urllib)/")
ADDRESS = {"street", "house_number", "postcode", "city", "region", "geolocation"}
HOLDER_TABLES = re.compile(r"card|kaart|carte|bank_?account|rekening")  # a name in them is the holder's
CONTENT_CATEGORIES = ("email", "phone", "bank_account", "national_id", "vat_number", "ip_address", "user_agent",
                      "date_of_birth")

STRATEGY = {"email": "faker:email", "phone": "faker:phone_number", "first_name": "faker:first_name",
            "last_name": "faker:last_name", "full_name": "faker:name", "username": "faker:user_name",
            "street": "faker:street_address", "postcode": "faker:postcode", "city": "faker:city",
            "date_of_birth": "generalize:year", "bank_account": "faker:iban", "ip_address": "faker:ipv4",
            "customer_number": "faker:uuid4", "free_text": "redact", "media": "redact"}
IDENTIFIER_OF = {"email": "email", "phone": "phone", "customer_number": "customer_number"}
LABELS = {"email": "email address", "phone": "phone number", "first_name": "first name", "last_name": "last name",
          "full_name": "person's name", "username": "user name", "password": "password (hash)",
          "street": "street address", "house_number": "house number", "postcode": "postcode", "city": "city",
          "date_of_birth": "date of birth", "national_id": "national register / identity number",
          "bank_account": "bank account (IBAN)", "payment_card": "payment card", "vat_number": "VAT number",
          "ip_address": "IP address", "user_agent": "device, session or user agent", "gender": "gender or title",
          "geolocation": "geolocation", "region": "state or province of an address", "job_title": "job title", "customer_number": "customer number",
          "media": "photo or file of a person", "free_text": "free text about a person"}


def normalize_name(name: str) -> str:
    """`Geboorte-Datum` and `geboorteDatum` -> `geboorte_datum`: no accents, lower case, underscores."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    bare = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", bare)
    return re.sub(r"[^A-Za-z0-9]+", "_", bare).strip("_").lower()


def name_category(name: str) -> str | None:
    wrapped = f"_{normalize_name(name)}_"
    for category, pattern in NAME_RULES:
        if re.search(pattern, wrapped):
            return category
    return None


# -- findings ---------------------------------------------------------------------------------

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

    @property
    def personal(self) -> bool:
        return self.category is not None and self.confidence >= PERSONAL

    def comment(self) -> str:
        if not self.personal:
            return ""
        return f"{LABELS.get(self.category or '', self.category)}, confidence {self.confidence:.2f}: " + \
            "; ".join(self.evidence)


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

    def personal_columns(self) -> set[tuple[str, str]]:
        return {(t, c) for t, cols in self.columns.items() for c, f in cols.items() if f.personal}


# -- sampling and content ---------------------------------------------------------------------

def _kind(column: sa.Column[Any]) -> str:
    t = column.type
    if isinstance(t, sa.JSON):
        return "json"
    if isinstance(t, sa.Enum):
        return "other"
    if isinstance(t, sa.String):
        return "text"
    if isinstance(t, sa.DateTime | sa.Date):
        return "date"
    if isinstance(t, sa.Boolean):
        return "bool"
    if isinstance(t, sa.Integer | sa.Numeric | sa.Float):
        return "number"
    if isinstance(t, sa.LargeBinary):
        return "binary"
    return "other"


def sample_rows(connector: SQLConnector, conn: Any, table: str, columns: list[str], limit: int) -> list[Any]:
    """Up to `limit` rows of the columns worth looking at (bound LIMIT; nothing is written or logged)."""
    if not columns or limit <= 0:
        return []
    tab = connector.table(table)
    try:
        return list(conn.execute(sa.select(*(tab.c[c] for c in columns)).limit(limit)))
    except (sa.exc.SQLAlchemyError, ValueError, TypeError):
        return []  # a value the driver cannot decode: judge this table by names alone


def _is_phone(text: str, region: str) -> bool:
    if not PHONE_LIKE.match(text) or sum(ch.isdigit() for ch in text) < 8:
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(text, region))
    except phonenumbers.NumberParseException:
        return False


def _is_ip(text: str) -> bool:
    if not IP_LIKE.match(text) or ("." not in text and ":" not in text):
        return False
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return False


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and DATE_TEXT.match(value.strip()):
        text = value.strip()
        try:
            if "-" in text[:5]:
                return date.fromisoformat(text)
            day, month, year = re.split(r"[/.\-]", text)
            return date(int(year), int(month), int(day))
        except ValueError:
            return None
    return None


def content_shares(values: list[Any], region: str) -> dict[str, float]:
    """Share of the sampled values that are each kind of personal data (whole values; a few hundred suffice)."""
    texts = [v.strip() for v in values if isinstance(v, str) and v.strip()][:300]
    found: dict[str, int] = {}
    if texts:
        for text in texts:
            kind = None
            if "@" in text and EMAIL.match(text):
                kind = "email"
            elif AGENT.match(text):
                kind = "user_agent"
            elif _is_ip(text):
                kind = "ip_address"
            elif IBAN_LIKE.match(text) and std_iban.is_valid(text):
                kind = "bank_account"
            elif NN_LIKE.match(text) and be_nn.is_valid(text):
                kind = "national_id"
            elif VAT_LIKE.match(text) and (eu_vat.is_valid(text) or be_vat.is_valid(text)):
                kind = "vat_number"
            elif _is_phone(text, region):
                kind = "phone"
            if kind:
                found[kind] = found.get(kind, 0) + 1
        shares = {k: n / len(texts) for k, n in found.items()}
    else:
        shares = {}
    numbers = [str(v) for v in values if isinstance(v, int) and not isinstance(v, bool)][:300]
    cards = sum(1 for n in numbers if 13 <= len(n) <= 19 and luhn.is_valid(n))
    if numbers and cards:
        shares["payment_card"] = cards / len(numbers)
    dates = [d for d in (_as_date(v) for v in values) if d is not None]
    if len(dates) >= 5 and len(dates) >= len([v for v in values if v is not None]) * 0.8:
        today = date.today()
        ages = [today.year - d.year for d in dates]
        adult = sum(1 for a in ages if 12 <= a <= 110) / len(ages)
        if adult >= 0.9 and 16 <= statistics.median(ages) <= 90 and statistics.pstdev(ages) >= 4:
            shares["date_of_birth"] = adult
    return shares


def _text_of(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return None


def _mentions(values: Iterable[str], names: re.Pattern[str] | None, region: str) -> tuple[float, float]:
    """Shares of free-text values that hold an email, a phone number or an IBAN, and of the others that name a
    person known from an identity table."""
    texts = [v for v in values if v][:300]
    if not texts:
        return 0.0, 0.0
    contacts = named = 0
    for text in texts:
        if EMAIL_IN.search(text) or IBAN_IN.search(text) or \
                any(_is_phone(m.group(0).strip(), region) for m in PHONE_IN.finditer(text)):
            contacts += 1
        elif names is not None and names.search(text):
            named += 1
    return contacts / len(texts), named / len(texts)


def _looks_free_text(values: list[str]) -> bool:
    texts = [v for v in values if v][:300]
    if len(texts) < 3:
        return False
    spaced = sum(1 for t in texts if " " in t.strip())
    return spaced / len(texts) >= 0.5 and statistics.mean(len(t) for t in texts) >= 25


# -- discovery --------------------------------------------------------------------------------

def _org(table: str) -> bool:
    return bool(ORG_TABLES.match(normalize_name(table)))


def _connector_name(url: str) -> str:
    try:
        db = make_url(url).database or "main"
    except Exception:
        db = "main"
    name = normalize_name(db.rsplit("/", 1)[-1].rsplit(".", 1)[0]) or "main"
    return name if name[0].isalpha() else f"db_{name}"


def discover(url: str, schema: str | None = None, sample: int = 1000, locale: str = "nl_BE",
             jurisdiction: str = "BE", name: str | None = None) -> Discovery:
    """Reflect, sample and classify one database; nothing is written to it."""
    if jurisdiction not in JURISDICTIONS:
        raise ConfigError(f"unknown jurisdiction '{jurisdiction}' (known: {', '.join(JURISDICTIONS)}).")
    if sample < 0:
        raise ConfigError("--sample must be 0 or more rows per table.")
    region = locale.split("_")[-1].upper() if "_" in locale else "BE"
    connector = SQLConnector(name or _connector_name(url), url, schema)
    try:
        return _discover(connector, url, schema, sample, locale, region, jurisdiction)
    finally:
        connector.dispose()


def _discover(connector: SQLConnector, url: str, schema: str | None, sample: int, locale: str, region: str,
              jurisdiction: str) -> Discovery:
    tables = connector.table_names()
    edges = [e for e in connector.edges() if e.child in tables and e.parent in tables]
    findings: dict[str, dict[str, ColumnFinding]] = {}
    texts: dict[tuple[str, str], list[str]] = {}
    rows: dict[str, int | None] = {}
    with connector.read() as conn:
        for table in tables:
            tab = connector.table(table)
            cols = {c.name: ColumnFinding(table, c.name, _kind(c)) for c in tab.c}
            look = [c for c, f in cols.items() if f.kind in ("text", "json", "date") or
                    (f.kind == "number" and isinstance(tab.c[c].type, sa.BigInteger | sa.Numeric))]
            sampled = sample_rows(connector, conn, table, look, sample)
            rows[table] = len(sampled)
            for i, col in enumerate(look):
                values = [r[i] for r in sampled]
                finding = cols[col]
                finding.sampled = sum(1 for v in values if v is not None)
                finding.content = content_shares(values, region)
                if finding.kind in ("text", "json"):
                    as_text = [t for t in (_text_of(v) for v in values) if t]
                    texts[(table, col)] = as_text
                    finding.free_text = finding.kind == "json" or _looks_free_text(as_text)
            findings[table] = cols
        estimates = _row_estimates(connector, conn, tables)
    for table in tables:
        rows[table] = estimates.get(table, rows[table])
    keys = _key_columns(connector, tables, edges)
    for table, cols in findings.items():
        for finding in cols.values():
            _judge_by_name_and_content(finding, keys.get(table, set()), region)
    person_tables = {t for t, cols in findings.items() if not _org(t) and
                     any(f.category in ("email", "phone", "first_name", "last_name") and f.personal
                         for f in cols.values())}
    names = _known_names(findings, texts, person_tables)
    for table, cols in findings.items():
        addressed = sum(1 for f in cols.values() if f.category in ADDRESS and f.personal) >= 2
        holder = table in person_tables or bool(HOLDER_TABLES.search(normalize_name(table)))
        for finding in cols.values():
            if finding.category == "region" and not addressed:
                finding.category, finding.confidence, finding.evidence = None, 0.0, []  # a status, not a state
            _judge_in_context(finding, holder, _org(table), texts.get((table, finding.column), []), names, region)
    proposals = _propose(connector, tables, edges, findings, person_tables, jurisdiction, rows)
    notes = []
    big = [t for t, n in rows.items() if n and n > 1_000_000]
    if big:
        notes.append(f"{len(big)} table(s) hold more than 1,000,000 rows: the residual scan reads the newest "
                     "50,000 rows of their text columns unless a trigram index serves them (PostgreSQL).")
    return Discovery(url, connector.dialect, schema, connector.name, region, locale, jurisdiction, sample,
                     findings, proposals, notes)


def _row_estimates(connector: SQLConnector, conn: Any, tables: list[str]) -> dict[str, int]:
    """Row counts the database keeps as statistics (PostgreSQL, MariaDB); nothing on SQLite."""
    try:
        if connector.dialect == "postgresql":
            rows = conn.execute(sa.text("SELECT c.relname, c.reltuples::bigint FROM pg_class c JOIN pg_namespace n "
                                        "ON n.oid = c.relnamespace WHERE n.nspname = :s AND c.relkind = 'r'"),
                                {"s": connector.schema or "public"})
            return {r[0]: int(r[1]) for r in rows if r[1] is not None and r[1] >= 0}
        if connector.dialect == "mysql":
            rows = conn.execute(sa.text("SELECT table_name, table_rows FROM information_schema.tables "
                                        "WHERE table_schema = DATABASE()"))
            return {r[0]: int(r[1]) for r in rows if r[1] is not None}
    except sa.exc.SQLAlchemyError:
        pass
    return {}


def _key_columns(connector: SQLConnector, tables: list[str], edges: list[Edge]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {t: {c.name for c in connector.table(t).primary_key.columns} for t in tables}
    for e in edges:
        keys[e.child].update(e.child_cols)
        keys[e.parent].update(e.parent_cols)
    return keys


def _judge_by_name_and_content(f: ColumnFinding, keys: set[str], region: str) -> None:
    """First pass: what the name says and what the sampled values are."""
    if f.column in keys and f.kind == "number":
        return  # surrogate keys and references carry no personal data of their own
    wrapped = f"_{normalize_name(f.column)}_"
    by_name = name_category(f.column)
    if by_name is None and NAME_WORD.search(wrapped):
        f.name_hint = "name"
    elif by_name is None and MESSAGE_WORDS.search(wrapped):
        f.name_hint = "message"
    elif by_name is None and TEXT_WORDS.search(wrapped):
        f.name_hint = "text"
    best, share = max(f.content.items(), key=lambda kv: kv[1], default=(None, 0.0))
    if by_name == "date_of_birth" and f.kind not in ("date", "text"):
        by_name = None if "year" not in wrapped and "jaar" not in wrapped and "annee" not in wrapped else by_name
    if by_name == "vat_number" and f.kind == "number":
        by_name = None
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
                      names: re.Pattern[str] | None, region: str) -> None:
    """Second pass: ambiguous names (a person's or a thing's), free text, and data of organisations. In a
    `person_table` (of persons, or of cards and accounts, whose name is the holder's) a bare name is a person's."""
    if f.kind in ("text", "json") and (f.free_text or f.name_hint in ("message", "text")) and f.category in (
            None, "media") and texts:
        f.mentions, f.named = _mentions(texts, names, region)
    if f.category is None and f.name_hint == "name" and f.kind == "text":
        qualifiers = set(normalize_name(f.column).split("_")) - {"name", "naam", "nom"}
        if qualifiers & PERSON_QUALIFIERS or (person_table and not qualifiers - {"full", "display", "complet"}):
            f.category, f.confidence = "full_name", 0.75
            f.evidence.append("a name column " + ("with a person qualifier" if qualifiers & PERSON_QUALIFIERS
                                                  else "in a table of persons"))
    if f.category is None and f.kind in ("text", "json"):
        # a surname is often also a word or a place: names count at a tenth of their share
        weight = f.mentions + f.named / 10
        if weight >= 0.02:
            f.category, f.confidence = "free_text", round(min(1.0, 0.6 + weight), 2)
            if f.mentions:
                f.evidence.append(f"{f.mentions:.0%} of sampled texts hold an email, phone number or IBAN")
            if f.named:
                f.evidence.append(f"{f.named:.0%} name a person found in an identity table")
        elif f.name_hint == "message" and not org_table:
            f.category, f.confidence = "free_text", 0.65
            f.evidence.append("a message or note column: people write names and contact details into it")
    person_named = f.category in ("full_name", "job_title") and \
        bool(set(normalize_name(f.column).split("_")) & PERSON_QUALIFIERS)  # the billing contact's name
    if org_table and not person_named and f.category in ("street", "house_number", "postcode", "city", "region",
                                                         "vat_number",
                                                         "full_name", "free_text", "job_title"):
        f.evidence.append("but it describes an organisation, not a person")
        f.confidence = 0.3


# -- proposal ---------------------------------------------------------------------------------

def _invoicing(table: str, cols: dict[str, ColumnFinding]) -> bool:
    n = normalize_name(table)
    if QUOTE_TABLES.search(n):
        return False
    if INVOICE_TABLES.search(n):
        return True
    names = [f"_{normalize_name(c)}_" for c in cols]
    has_date = any(f.kind == "date" for f in cols.values())
    return has_date and any(AMOUNT_COLUMNS.search(c) for c in names) and any(VAT_COLUMNS.search(c) for c in names)


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


def _propose(connector: SQLConnector, tables: list[str], edges: list[Edge],
             findings: dict[str, dict[str, ColumnFinding]], person_tables: set[str], jurisdiction: str,
             rows: dict[str, int | None]) -> dict[str, TableProposal]:
    """Per table, the action and why: roles first, then down the foreign keys, owned parents, and the tables
    whose rows a retained invoice keeps (they need columns to anonymize)."""
    schema = _Schema(connector, tables, edges, findings, person_tables)
    schema.assign_roles()
    schema.follow_foreign_keys()
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
        self.orgs = {t for t in tables if _org(t)}
        self.partitions = {t for t in self.orgs if PARTITION_TABLES.match(normalize_name(t))}
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
            if t in self.invoicing:
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

    def followable(self, e: Edge) -> tuple[bool, str]:
        """Whether a child row belongs to the person of its parent row, and if not, why."""
        col = ", ".join(e.child_cols)
        if e.parent in self.orgs:
            return False, f"{col} names the organisation the row belongs to, not a person"
        if e.child in self.orgs:
            return False, f"an organisation's row is not a person's data ({col})"
        if any(AUTHOR_COLUMNS.search(normalize_name(c)) for c in e.child_cols):
            return False, f"{col} only names who created or handles the row"
        if e.child in self.person_tables and e.parent in self.person_tables and \
                self.role.get(e.child) == "identity" and not self.personal[e.child]:
            return False, f"{col} links two persons"
        owned_by_org = any(x.child == e.child and x.parent in self.orgs - self.partitions for x in self.edges)
        if owned_by_org and e.child not in self.invoicing and \
                not [f for f in self.personal[e.child] if f.column not in e.child_cols]:
            return False, f"the row belongs to an organisation and holds no personal data of {e.parent}'s person"
        return True, ""

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
                    part = e.child in self.invoicing or PART_TABLES.search(normalize_name(e.child))
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

    def find_owned_parents(self) -> None:
        """Parents the subject owns: their address, not their company nor the survey they answered."""
        for e in self.edges:
            parent = e.parent
            if self.role.get(e.child) in ("identity", "child") and len(e.child_cols) == 1 and \
                    self.role.get(parent) in (None, "owned") and parent in self.has_pk and \
                    parent not in self.orgs | self.invoicing and self.personal[parent] and \
                    {f.category for f in self.personal[parent]} <= ADDRESS and e.child != parent:
                if parent not in self.role:
                    self.role[parent] = "owned"
                self.why[parent].append(f"the subject's own {parent} row, referred to by {e}")
                self.owns[e.child].append(e.child_cols[0])

    def kept_by_invoices(self) -> set[str]:
        """Tables whose rows a retained invoice may still refer to (they stay, anonymized), and upwards."""
        keeps = {t for t, r in self.role.items() if r in ("invoicing", "invoicing_part")}
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
            p.reasons = _left_out_reason(t, t in self.has_pk, personal, t in self.invoicing, t in self.orgs)
            return p
        tab = self.connector.table(t)
        unique = self.connector.unique_columns(t)
        keys = {c.name for c in tab.primary_key.columns} | {c for e in self.edges if e.child == t
                                                            for c in e.child_cols} | \
            {c for e in self.edges if e.parent == t for c in e.parent_cols}
        for col, kind in sorted(self.identifiers[t].items()):
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
        elif p.role == "organisation":
            p.action, p.category, p.columns = "anonymize", "contact details of a customer's contact person", strategies
        else:
            p.action = "delete"
            p.category = {"identity": "identification and contact details", "owned": "postal address"}.get(
                p.role, _category_of(personal))
            p.columns = dict(strategies)
            if p.role == "child":  # free text is redacted in place; replaced whole only in rows an invoice keeps
                p.free_text = free
                p.columns = {c: s for c, s in strategies.items() if c not in free or t in keeps}
        if p.action == "anonymize" and not p.columns:
            p.action = "delete"
        return p


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
        f"jurisdiction: {d.jurisdiction}                     # retention presets: invoicing and accounting law",
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
                    "phone": f"  phone: {{kind: phone, region: {d.region}}}",
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
        out.append(f"        action: {p.action}")
        if p.owns:
            out.append(f"        owns: [{', '.join(map(q, p.owns))}]")
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
