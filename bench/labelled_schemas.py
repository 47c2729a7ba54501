"""Labelled schemas for measuring `eraser discover`: which columns hold personal data, and what an erasure should
do with each table. Three schemas, each built with deterministic Faker data:

- `cover`: the demo schema (eraser/demo_schema.py), a 3D-design vendor storing its installers' end customers.
- `pollen`: a survey-software SaaS: plans, customer accounts and their users, surveys and questions, respondents
  and their answers, usage events with JSON properties, API keys, invoices, items, card and bank payments,
  subscriptions, an audit log without foreign keys, a country list.
- `bureau`: a Belgian agency's CRM/ERP with Dutch and French names: organisaties and contactpersonen, prospects
  (French), contactformulier (contact form), rendez-vous with meeting reports, medewerkers (employees, with
  national register numbers and IBANs), offertes, facturen, factuurlijnen, betalingen, a newsletter list,
  web sessions, projects, VAT rates and countries.

The labels were written from these rules before measuring, and not changed to fit the detector:
R1 direct identifiers and contact data of a person are personal: names, emails, phones, postal address parts,
   national or identity numbers, bank account and card numbers, usernames, customer numbers, IP addresses,
   session or device identifiers and user agents, paths of a person's photos.
R2 characteristics: date of birth, gender, job title of a contact person, password hashes.
R3 free text written by or about a person (messages, notes, answers, meeting reports, descriptions that name the
   customer, JSON event properties that carry an email) is personal; titles and descriptions of products, surveys,
   questions, projects of companies, photo captions that name no one, payment references are not.
R4 data of organisations is not personal (company name, company VAT number and address, website), except emails
   and phone numbers, which reach a person.
R5 keys, references, event timestamps, amounts, statuses, codes, language and country codes are not personal.
Table actions: the action a careful operator would configure for a subject's rows (None: left out).
R6 the organisation's own staff, shops and offices are not a customer's data: `review` (an employee's erasure
   follows HR retention, decided by someone; `medewerkers` was `delete` until this rule was written).
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from eraser.engine.anonymize import make_faker


@dataclass(frozen=True)
class Labelled:
    name: str
    description: str
    build: Callable[[sa.Engine, int], None]
    personal: frozenset[tuple[str, str]]
    actions: dict[str, str | None]


def _p(spec: dict[str, str]) -> frozenset[tuple[str, str]]:
    return frozenset((t, c) for t, cols in spec.items() for c in cols.split())


def _insert(engine: sa.Engine, metadata: sa.MetaData, rows: dict[str, list[dict[str, Any]]]) -> None:
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            data = rows.get(table.name, [])
            for i in range(0, len(data), 2000):
                conn.execute(table.insert(), data[i:i + 2000])


def _when(rng: random.Random, start: date = date(2019, 1, 1), days: int = 2400) -> datetime:
    return datetime.combine(start, datetime.min.time()) + timedelta(minutes=rng.randint(0, days * 1440))


# -- cover: the demo schema ---------------------------------------------------------------------

def build_cover(engine: sa.Engine, seed: int) -> None:
    from eraser.demo import populate

    populate(engine, persons=300, seed=seed)


COVER = Labelled(
    "cover", "the demo schema: a 3D-design vendor's end customers (English names)", build_cover,
    _p({"addresses": "street house_number postcode city",
        "persons": "customer_number first_name last_name email phone mobile date_of_birth",
        "projects": "description", "photos": "path", "quotes": "notes",
        "invoices": "billing_name billing_street billing_postcode billing_city customer_vat_number",
        "payments": "payer_iban", "newsletter_subscriptions": "email", "support_messages": "subject body",
        "usage_events": "ip_address user_agent"}),
    {"tenants": None, "addresses": "delete", "persons": "delete", "projects": "delete", "photos": "delete",
     "quotes": "delete", "invoices": "retain", "invoice_lines": "retain", "payments": "retain",
     "newsletter_subscriptions": "delete", "support_messages": "delete", "usage_events": "delete"})


# -- pollen: a survey SaaS ----------------------------------------------------------------------

def pollen_metadata() -> sa.MetaData:
    m = sa.MetaData()
    S, N, T, D, DT = sa.String, sa.Integer, sa.Text, sa.Date, sa.DateTime
    fk = sa.ForeignKey
    sa.Table("countries", m, sa.Column("code", S(2), primary_key=True), sa.Column("name", S(80), nullable=False))
    sa.Table("plans", m, sa.Column("id", N, primary_key=True), sa.Column("code", S(20), unique=True),
             sa.Column("name", S(80)), sa.Column("monthly_price_cents", N), sa.Column("max_responses", N))
    sa.Table("accounts", m, sa.Column("id", N, primary_key=True), sa.Column("company_name", S(160)),
             sa.Column("vat_number", S(20)), sa.Column("billing_email", S(160)),
             sa.Column("billing_contact_name", S(160)), sa.Column("billing_street", S(160)),
             sa.Column("billing_postcode", S(10)), sa.Column("billing_city", S(80)),
             sa.Column("country_code", S(2), fk("countries.code")), sa.Column("plan_id", N, fk("plans.id")),
             sa.Column("created_at", DT), sa.Column("status", S(12)))
    sa.Table("users", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("email", S(160), unique=True), sa.Column("full_name", S(160)),
             sa.Column("password_hash", S(100)), sa.Column("role", S(12)), sa.Column("locale", S(5)),
             sa.Column("last_login_at", DT), sa.Column("last_login_ip", S(45)), sa.Column("created_at", DT))
    sa.Table("surveys", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("created_by", N, fk("users.id")), sa.Column("title", S(200)), sa.Column("description", T),
             sa.Column("status", S(12)), sa.Column("created_at", DT))
    sa.Table("questions", m, sa.Column("id", N, primary_key=True), sa.Column("survey_id", N, fk("surveys.id")),
             sa.Column("position", N), sa.Column("text", S(500)), sa.Column("kind", S(20)))
    sa.Table("respondents", m, sa.Column("id", N, primary_key=True), sa.Column("survey_id", N, fk("surveys.id")),
             sa.Column("email", S(160)), sa.Column("first_name", S(80)), sa.Column("last_name", S(80)),
             sa.Column("phone", S(30)), sa.Column("date_of_birth", D), sa.Column("ip_address", S(45)),
             sa.Column("user_agent", S(300)), sa.Column("started_at", DT), sa.Column("completed_at", DT))
    sa.Table("responses", m, sa.Column("id", N, primary_key=True),
             sa.Column("respondent_id", N, fk("respondents.id")), sa.Column("question_id", N, fk("questions.id")),
             sa.Column("answer_text", T), sa.Column("answer_number", N), sa.Column("answered_at", DT))
    sa.Table("usage_events", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("user_id", N, fk("users.id")), sa.Column("occurred_at", DT), sa.Column("event_type", S(40)),
             sa.Column("ip", S(45)), sa.Column("user_agent", S(300)), sa.Column("properties", sa.JSON))
    sa.Table("api_keys", m, sa.Column("id", N, primary_key=True), sa.Column("user_id", N, fk("users.id")),
             sa.Column("name", S(80)), sa.Column("token_prefix", S(12)), sa.Column("created_at", DT),
             sa.Column("last_used_at", DT), sa.Column("last_used_ip", S(45)))
    sa.Table("invoices", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("number", S(20), unique=True), sa.Column("issued_on", D), sa.Column("due_on", D),
             sa.Column("amount_excl_cents", N), sa.Column("vat_cents", N), sa.Column("total_cents", N),
             sa.Column("currency", S(3)), sa.Column("billing_email", S(160)), sa.Column("status", S(12)))
    sa.Table("invoice_items", m, sa.Column("id", N, primary_key=True), sa.Column("invoice_id", N, fk("invoices.id")),
             sa.Column("description", S(200)), sa.Column("quantity", N), sa.Column("unit_price_cents", N),
             sa.Column("vat_rate", N))
    sa.Table("payments", m, sa.Column("id", N, primary_key=True), sa.Column("invoice_id", N, fk("invoices.id")),
             sa.Column("paid_at", D), sa.Column("amount_cents", N), sa.Column("method", S(20)),
             sa.Column("card_last4", S(4)), sa.Column("card_holder_name", S(160)), sa.Column("payer_iban", S(34)))
    sa.Table("subscriptions", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("plan_id", N, fk("plans.id")), sa.Column("started_on", D), sa.Column("ends_on", D),
             sa.Column("seats", N), sa.Column("status", S(12)))
    sa.Table("audit_log", m, sa.Column("id", N, primary_key=True), sa.Column("account_id", N, fk("accounts.id")),
             sa.Column("actor_user_id", N), sa.Column("action", S(40)), sa.Column("detail", T),
             sa.Column("ip", S(45)), sa.Column("created_at", DT))
    return m


def build_pollen(engine: sa.Engine, seed: int) -> None:
    rng = random.Random(seed)
    fake = make_faker(["nl_BE", "fr_BE", "en_US"], seed)
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, **values: Any) -> int:
        rows.setdefault(table, []).append(values)
        values.setdefault("id", len(rows[table]))
        return int(values["id"])

    for code, name in [("BE", "Belgium"), ("NL", "Netherlands"), ("FR", "France"), ("DE", "Germany"),
                       ("LU", "Luxembourg")]:
        rows.setdefault("countries", []).append({"code": code, "name": name})
    for code, name, price in [("free", "Free", 0), ("team", "Team", 4900), ("business", "Business", 19900),
                              ("enterprise", "Enterprise", 89900)]:
        add("plans", code=code, name=name, monthly_price_cents=price, max_responses=price * 10 + 100)
    surveys_topics = ["Customer satisfaction 2024", "Employee engagement", "Product feedback", "Event evaluation",
                      "Net Promoter Score", "Onboarding experience", "Website usability"]
    questions = ["How satisfied are you with our service?", "How likely are you to recommend us?",
                 "What could we improve?", "Which features do you use most?", "Any other comments?"]
    for _ in range(60):
        company = fake.company()
        domain = company.lower().replace(" ", "").replace(",", "").replace(".", "")[:18] + ".example"
        contact_first, contact_last = fake.first_name(), fake.last_name()
        acc = add("accounts", company_name=company, vat_number=fake["nl_BE"].vat_id(),
                  billing_email=f"{contact_first}.{contact_last}@{domain}".lower().replace(" ", ""),
                  billing_contact_name=f"{contact_first} {contact_last}", billing_street=fake.street_address(),
                  billing_postcode=fake.postcode(), billing_city=fake.city(),
                  country_code=rng.choice(["BE", "BE", "NL", "FR", "LU"]), plan_id=rng.randint(1, 4),
                  created_at=_when(rng), status=rng.choice(["active", "active", "trial", "closed"]))
        add("subscriptions", account_id=acc, plan_id=rng.randint(1, 4), started_on=_when(rng).date(),
            ends_on=None if rng.random() < 0.7 else _when(rng).date(), seats=rng.randint(1, 40),
            status=rng.choice(["active", "cancelled"]))
        users = []
        for _ in range(rng.randint(1, 6)):
            first, last = fake.first_name(), fake.last_name()
            users.append(add("users", account_id=acc,
                             email=f"{first}.{last}.{len(rows.get('users', [])) + 1}@{domain}".lower().replace(" ", ""),
                             full_name=f"{first} {last}", password_hash="$argon2id$v=19$" + fake.sha256()[:60],
                             role=rng.choice(["owner", "editor", "viewer"]), locale=rng.choice(["nl-BE", "fr-BE", "en"]),
                             last_login_at=_when(rng), last_login_ip=fake.ipv4_public(), created_at=_when(rng)))
            if rng.random() < 0.4:
                add("api_keys", user_id=users[-1], name=rng.choice(["CRM sync", "Zapier", "BI export"]),
                    token_prefix="pk_" + fake.lexify("????????"), created_at=_when(rng), last_used_at=_when(rng),
                    last_used_ip=fake.ipv4_public())
        for _ in range(rng.randint(3, 12)):
            uid = rng.choice(users)
            props: dict[str, Any] = {"page": f"/surveys/{rng.randint(1, 400)}", "plan": rng.randint(1, 4)}
            if rng.random() < 0.2:
                props["invited"] = fake.email()
            add("usage_events", account_id=acc, user_id=uid, occurred_at=_when(rng),
                event_type=rng.choice(["login", "survey_created", "export_csv", "invite_sent"]), ip=fake.ipv4_public(),
                user_agent=fake.user_agent(), properties=props)
            if rng.random() < 0.3:
                target = fake.email()
                add("audit_log", account_id=acc, actor_user_id=uid, action="user_invited",
                    detail=f"user {uid} invited {target} as editor", ip=fake.ipv4_public(), created_at=_when(rng))
            else:
                add("audit_log", account_id=acc, actor_user_id=uid, action="survey_published",
                    detail=f"survey {rng.randint(1, 400)} published", ip=fake.ipv4_public(), created_at=_when(rng))
        for _ in range(rng.randint(1, 4)):
            sid = add("surveys", account_id=acc, created_by=rng.choice(users), title=rng.choice(surveys_topics),
                      description=f"{rng.choice(surveys_topics)} for {company}, sent to the mailing list.",
                      status=rng.choice(["draft", "live", "closed"]), created_at=_when(rng))
            qids = [add("questions", survey_id=sid, position=i + 1, text=q,
                        kind=rng.choice(["scale", "text", "choice"])) for i, q in enumerate(rng.sample(questions, 4))]
            for _ in range(rng.randint(2, 10)):
                known = rng.random() < 0.6
                first, last = fake.first_name(), fake.last_name()
                rid = add("respondents", survey_id=sid,
                          email=f"{first}.{last}@{rng.choice(['example.be', 'example.com'])}".lower().replace(" ", "")
                          if known else None, first_name=first if known else None, last_name=last if known else None,
                          phone=fake["nl_BE"].phone_number() if known and rng.random() < 0.5 else None,
                          date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=80) if known else None,
                          ip_address=fake.ipv4_public() if rng.random() < 0.8 else fake.ipv6(),
                          user_agent=fake.user_agent(), started_at=_when(rng),
                          completed_at=_when(rng) if rng.random() < 0.8 else None)
                for qid in qids:
                    text = None
                    if rng.random() < 0.5:
                        text = rng.choice(["Fast and friendly.", "The export to Excel is slow.",
                                           f"Please call me back on {fake['nl_BE'].phone_number()}.",
                                           f"Contact me at {fake.email()} about the results.",
                                           "Nothing to add.", "Meer opties voor de lay-out a.u.b."])
                    add("responses", respondent_id=rid, question_id=qid, answer_text=text,
                        answer_number=rng.randint(0, 10) if text is None else None, answered_at=_when(rng))
        for n in range(rng.randint(0, 5)):
            issued = _when(rng).date()
            excl = rng.randint(4900, 200000)
            inv = add("invoices", account_id=acc, number=f"PL{acc:04d}-{n + 1:03d}", issued_on=issued,
                      due_on=issued + timedelta(days=30), amount_excl_cents=excl, vat_cents=excl * 21 // 100,
                      total_cents=excl + excl * 21 // 100, currency="EUR",
                      billing_email=rows["accounts"][-1]["billing_email"], status=rng.choice(["paid", "open"]))
            add("invoice_items", invoice_id=inv, description=f"{rng.choice(['Team', 'Business'])} plan, monthly",
                quantity=1, unit_price_cents=excl, vat_rate=21)
            card = rng.random() < 0.5
            add("payments", invoice_id=inv, paid_at=issued + timedelta(days=rng.randint(1, 30)),
                amount_cents=excl + excl * 21 // 100, method="card" if card else "transfer",
                card_last4=f"{rng.randint(0, 9999):04d}" if card else None,
                card_holder_name=f"{fake.first_name()} {fake.last_name()}" if card else None,
                payer_iban=None if card else fake["nl_BE"].iban())
    _insert(engine, pollen_metadata(), rows)


POLLEN = Labelled(
    "pollen", "a survey-software SaaS with usage and financial data (English names)", build_pollen,
    _p({"accounts": "billing_email billing_contact_name", "users": "email full_name password_hash last_login_ip",
        "respondents": "email first_name last_name phone date_of_birth ip_address user_agent",
        "responses": "answer_text", "usage_events": "ip user_agent properties", "api_keys": "last_used_ip",
        "invoices": "billing_email", "payments": "card_last4 card_holder_name payer_iban",
        "audit_log": "detail ip"}),
    {"countries": None, "plans": None, "accounts": "anonymize", "users": "delete", "surveys": None,
     "questions": None, "respondents": "delete", "responses": "delete", "usage_events": "delete",
     "api_keys": "delete", "invoices": "retain", "invoice_items": "retain", "payments": "retain",
     "subscriptions": None, "audit_log": None})


# -- bureau: an agency CRM/ERP in Dutch and French ---------------------------------------------

def bureau_metadata() -> sa.MetaData:
    m = sa.MetaData()
    S, N, T, D, DT = sa.String, sa.Integer, sa.Text, sa.Date, sa.DateTime
    fk = sa.ForeignKey
    sa.Table("landen", m, sa.Column("code", S(2), primary_key=True), sa.Column("naam", S(80)))
    sa.Table("btw_tarieven", m, sa.Column("id", N, primary_key=True), sa.Column("code", S(10)),
             sa.Column("percentage", N), sa.Column("omschrijving", S(80)))
    sa.Table("organisaties", m, sa.Column("id", N, primary_key=True), sa.Column("naam", S(160)),
             sa.Column("btw_nummer", S(20)), sa.Column("straat", S(160)), sa.Column("huisnummer", S(10)),
             sa.Column("postcode", S(10)), sa.Column("gemeente", S(80)), sa.Column("land", S(2), fk("landen.code")),
             sa.Column("website", S(200)), sa.Column("sector", S(60)), sa.Column("aangemaakt_op", DT))
    sa.Table("contactpersonen", m, sa.Column("id", N, primary_key=True),
             sa.Column("organisatie_id", N, fk("organisaties.id")), sa.Column("voornaam", S(80)),
             sa.Column("achternaam", S(80)), sa.Column("functie", S(80)), sa.Column("email", S(160)),
             sa.Column("telefoon", S(30)), sa.Column("gsm", S(30)), sa.Column("geboortedatum", D),
             sa.Column("taal", S(2)), sa.Column("aangemaakt_op", DT))
    sa.Table("medewerkers", m, sa.Column("id", N, primary_key=True), sa.Column("voornaam", S(80)),
             sa.Column("achternaam", S(80)), sa.Column("email", S(160), unique=True),
             sa.Column("rijksregisternummer", S(15)), sa.Column("iban", S(34)), sa.Column("geboortedatum", D),
             sa.Column("straat", S(160)), sa.Column("postcode", S(10)), sa.Column("gemeente", S(80)),
             sa.Column("in_dienst_sinds", D), sa.Column("uurtarief", N))
    sa.Table("prospects", m, sa.Column("id", N, primary_key=True), sa.Column("nom", S(80)), sa.Column("prenom", S(80)),
             sa.Column("courriel", S(160)), sa.Column("telephone", S(30)), sa.Column("societe", S(160)),
             sa.Column("adresse", S(200)), sa.Column("code_postal", S(10)), sa.Column("ville", S(80)),
             sa.Column("source", S(40)), sa.Column("commentaire", T), sa.Column("cree_le", DT))
    sa.Table("contactformulier", m, sa.Column("id", N, primary_key=True), sa.Column("ontvangen_op", DT),
             sa.Column("naam", S(160)), sa.Column("email", S(160)), sa.Column("telefoon", S(30)),
             sa.Column("bericht", T), sa.Column("pagina_url", S(200)), sa.Column("ip_adres", S(45)),
             sa.Column("contactpersoon_id", N, fk("contactpersonen.id")))
    sa.Table("rendez_vous", m, sa.Column("id", N, primary_key=True),
             sa.Column("contactpersoon_id", N, fk("contactpersonen.id")),
             sa.Column("behandeld_door", N, fk("medewerkers.id")), sa.Column("date_rdv", DT),
             sa.Column("lieu", S(160)), sa.Column("objet", S(200)), sa.Column("compte_rendu", T))
    sa.Table("projecten", m, sa.Column("id", N, primary_key=True), sa.Column("organisatie_id", N, fk("organisaties.id")),
             sa.Column("naam", S(160)), sa.Column("status", S(20)), sa.Column("budget", N),
             sa.Column("start_datum", D))
    sa.Table("offertes", m, sa.Column("id", N, primary_key=True), sa.Column("nummer", S(20)),
             sa.Column("organisatie_id", N, fk("organisaties.id")),
             sa.Column("contactpersoon_id", N, fk("contactpersonen.id")), sa.Column("datum", D),
             sa.Column("geldig_tot", D), sa.Column("omschrijving", S(300)), sa.Column("bedrag_excl_btw", N),
             sa.Column("btw_bedrag", N), sa.Column("status", S(12)))
    sa.Table("facturen", m, sa.Column("id", N, primary_key=True), sa.Column("nummer", S(20), unique=True),
             sa.Column("organisatie_id", N, fk("organisaties.id")),
             sa.Column("contactpersoon_id", N, fk("contactpersonen.id")),
             sa.Column("offerte_id", N, fk("offertes.id")), sa.Column("factuurdatum", D), sa.Column("vervaldatum", D),
             sa.Column("bedrag_excl_btw", N), sa.Column("btw_bedrag", N), sa.Column("totaal", N),
             sa.Column("gestructureerde_mededeling", S(20)), sa.Column("facturatie_email", S(160)),
             sa.Column("status", S(12)))
    sa.Table("factuurlijnen", m, sa.Column("id", N, primary_key=True), sa.Column("factuur_id", N, fk("facturen.id")),
             sa.Column("omschrijving", S(300)), sa.Column("aantal", N), sa.Column("eenheidsprijs", N),
             sa.Column("btw_tarief_id", N, fk("btw_tarieven.id")))
    sa.Table("betalingen", m, sa.Column("id", N, primary_key=True), sa.Column("factuur_id", N, fk("facturen.id")),
             sa.Column("betaald_op", D), sa.Column("bedrag", N), sa.Column("rekeningnummer", S(34)),
             sa.Column("mededeling", S(60)))
    sa.Table("nieuwsbrief_inschrijvingen", m, sa.Column("id", N, primary_key=True), sa.Column("email", S(160)),
             sa.Column("taal", S(2)), sa.Column("ingeschreven_op", DT), sa.Column("bron", S(40)))
    sa.Table("websessies", m, sa.Column("id", N, primary_key=True),
             sa.Column("contactpersoon_id", N, fk("contactpersonen.id")), sa.Column("sessie_id", S(64)),
             sa.Column("ip_adres", S(45)), sa.Column("user_agent", S(300)), sa.Column("pagina", S(200)),
             sa.Column("bezocht_op", DT))
    return m


def _structured(rng: random.Random) -> str:
    base = rng.randint(10**9, 10**10 - 1)
    check = base % 97 or 97
    digits = f"{base:010d}{check:02d}"
    return f"+++{digits[:3]}/{digits[3:7]}/{digits[7:]}+++"


def build_bureau(engine: sa.Engine, seed: int) -> None:
    rng = random.Random(seed)
    fake = make_faker(["nl_BE", "fr_BE"], seed)
    nl, fr = fake["nl_BE"], fake["fr_BE"]
    rows: dict[str, list[dict[str, Any]]] = {}

    def add(table: str, **values: Any) -> int:
        rows.setdefault(table, []).append(values)
        values.setdefault("id", len(rows[table]))
        return int(values["id"])

    for code, naam in [("BE", "België"), ("NL", "Nederland"), ("FR", "Frankrijk"), ("LU", "Luxemburg")]:
        rows.setdefault("landen", []).append({"code": code, "naam": naam})
    for code, pct in [("BTW0", 0), ("BTW6", 6), ("BTW12", 12), ("BTW21", 21)]:
        add("btw_tarieven", code=code, percentage=pct, omschrijving=f"BTW-tarief {pct}%")
    staff = []
    for _ in range(14):
        first, last = nl.first_name(), nl.last_name()
        staff.append(add("medewerkers", voornaam=first, achternaam=last,
                         email=f"{first}.{last}@bureau-noord.example".lower().replace(" ", ""),
                         rijksregisternummer=nl.ssn(), iban=nl.iban(),
                         geboortedatum=fake.date_of_birth(minimum_age=21, maximum_age=64),
                         straat=f"{nl.street_name()} {rng.randint(1, 200)}", postcode=nl.postcode(), gemeente=nl.city(),
                         in_dienst_sinds=_when(rng, date(2012, 1, 1), 4000).date(), uurtarief=rng.randint(55, 140)))
    services = ["Nieuwe website", "SEO-audit", "Campagne sociale media", "Huisstijl en logo", "Webshop-koppeling",
                "Refonte du site", "Campagne Google Ads", "Onderhoudscontract"]
    subjects_rdv = ["Kick-off website", "Présentation du devis", "Evaluatie campagne", "Workshop huisstijl",
                    "Suivi du projet"]
    for o in range(1, 81):
        company = fake.company()
        domain = company.lower().replace(" ", "").replace(",", "").replace(".", "")[:16] + ".example"
        org = add("organisaties", naam=company, btw_nummer=nl.vat_id(), straat=nl.street_name(),
                  huisnummer=str(rng.randint(1, 250)), postcode=nl.postcode(), gemeente=nl.city(),
                  land=rng.choice(["BE", "BE", "BE", "NL", "FR", "LU"]), website=f"https://www.{domain}",
                  sector=rng.choice(["bouw", "retail", "zorg", "horeca", "industrie", "onderwijs"]),
                  aangemaakt_op=_when(rng))
        for _ in range(rng.randint(0, 2)):
            add("projecten", organisatie_id=org, naam=f"{rng.choice(services)} {company.split()[0]}",
                status=rng.choice(["lopend", "afgerond", "on hold"]), budget=rng.randint(2000, 80000),
                start_datum=_when(rng).date())
        contacts = []
        for _ in range(rng.randint(1, 4)):
            lang = rng.choice(["nl", "fr"])
            loc = nl if lang == "nl" else fr
            first, last = loc.first_name(), loc.last_name()
            contacts.append(add("contactpersonen", organisatie_id=org, voornaam=first, achternaam=last,
                                functie=rng.choice(["zaakvoerder", "marketingmanager", "directeur commercial",
                                                    "office manager", "responsable communication"]),
                                email=f"{first}.{last}@{domain}".lower().replace(" ", ""),
                                telefoon=nl.phone_number() if rng.random() < 0.6 else None,
                                gsm=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                                    f"{rng.randint(10, 99)}" if rng.random() < 0.8 else None,
                                geboortedatum=fake.date_of_birth(minimum_age=22, maximum_age=70)
                                if rng.random() < 0.3 else None, taal=lang, aangemaakt_op=_when(rng)))
            cid = contacts[-1]
            c = rows["contactpersonen"][-1]
            for _ in range(rng.randint(0, 3)):
                add("rendez_vous", contactpersoon_id=cid, behandeld_door=rng.choice(staff), date_rdv=_when(rng),
                    lieu=rng.choice(["Kantoor Gent", "Chez le client", "Teams", f"{nl.city()}"]),
                    objet=rng.choice(subjects_rdv),
                    compte_rendu=rng.choice([f"{c['voornaam']} wil de offerte tegen eind maart; bellen op "
                                             f"{c['gsm'] or '09 123 45 67'}.",
                                             f"Réunion avec {c['voornaam']} {c['achternaam']}: budget validé.",
                                             "Planning besproken, geen opmerkingen.", None]))
            for _ in range(rng.randint(0, 4)):
                add("websessies", contactpersoon_id=cid, sessie_id=fake.sha1(), ip_adres=fake.ipv4_public(),
                    user_agent=fake.user_agent(), pagina=rng.choice(["/", "/diensten", "/contact", "/blog/seo"]),
                    bezocht_op=_when(rng))
        for n in range(rng.randint(0, 3)):
            excl = rng.randint(1500, 60000)
            off = add("offertes", nummer=f"OF{o:03d}-{n + 1}", organisatie_id=org, contactpersoon_id=rng.choice(contacts),
                      datum=_when(rng).date(), geldig_tot=_when(rng).date(), omschrijving=rng.choice(services),
                      bedrag_excl_btw=excl, btw_bedrag=excl * 21 // 100,
                      status=rng.choice(["verstuurd", "aanvaard", "geweigerd"]))
            if rng.random() < 0.6:
                day = _when(rng, date(2019, 6, 1), 2300).date()
                contact = rows["contactpersonen"][rng.choice(contacts) - 1]
                fid = add("facturen", nummer=f"F{day.year}-{len(rows.get('facturen', [])) + 1:05d}", organisatie_id=org,
                          contactpersoon_id=contact["id"], offerte_id=off, factuurdatum=day,
                          vervaldatum=day + timedelta(days=30), bedrag_excl_btw=excl, btw_bedrag=excl * 21 // 100,
                          totaal=excl + excl * 21 // 100, gestructureerde_mededeling=_structured(rng),
                          facturatie_email=contact["email"], status=rng.choice(["betaald", "open"]))
                for service in rng.sample(services, rng.randint(1, 3)):
                    add("factuurlijnen", factuur_id=fid, omschrijving=service, aantal=rng.randint(1, 20),
                        eenheidsprijs=rng.randint(50, 5000), btw_tarief_id=4)
                add("betalingen", factuur_id=fid, betaald_op=day + timedelta(days=rng.randint(3, 40)),
                    bedrag=excl + excl * 21 // 100, rekeningnummer=nl.iban(),
                    mededeling=rows["facturen"][-1]["gestructureerde_mededeling"])
    for _ in range(150):
        first, last = fr.first_name(), fr.last_name()
        add("prospects", nom=last, prenom=first, courriel=f"{first}.{last}@{rng.choice(['example.be', 'example.fr'])}"
            .lower().replace(" ", ""), telephone=fr.phone_number(), societe=fake.company() if rng.random() < 0.5 else None,
            adresse=fr.street_address() if rng.random() < 0.6 else None, code_postal=fr.postcode(), ville=fr.city(),
            source=rng.choice(["salon", "site web", "LinkedIn", "recommandation"]),
            commentaire=rng.choice([f"Rappeler {first} au {fr.phone_number()}.", "Intéressé par une refonte.",
                                    f"Envoyer la brochure à {first.lower()}@{rng.choice(['example.be', 'example.fr'])}.",
                                    None]), cree_le=_when(rng))
    contacts_all = rows["contactpersonen"]
    for _ in range(200):
        known = rng.random() < 0.3
        c = rng.choice(contacts_all)
        first, last = (c["voornaam"], c["achternaam"]) if known else (nl.first_name(), nl.last_name())
        email = c["email"] if known else f"{first}.{last}@{rng.choice(['example.be', 'gmail.example'])}".lower().replace(" ", "")
        add("contactformulier", ontvangen_op=_when(rng), naam=f"{first} {last}", email=email,
            telefoon=nl.phone_number() if rng.random() < 0.5 else None,
            bericht=rng.choice([f"Graag een offerte voor een nieuwe website. Bel me op {nl.phone_number()}.",
                                "Hebben jullie ervaring met webshops?",
                                f"Bonjour, pouvez-vous me recontacter à {email} ? Merci, {first}",
                                "Wanneer kunnen we afspreken?"]),
            pagina_url=rng.choice(["/contact", "/offerte", "/fr/contact"]), ip_adres=fake.ipv4_public(),
            contactpersoon_id=c["id"] if known else None)
    for _ in range(250):
        first, last = nl.first_name(), nl.last_name()
        add("nieuwsbrief_inschrijvingen", email=f"{first}.{last}@example.be".lower().replace(" ", ""),
            taal=rng.choice(["nl", "fr"]), ingeschreven_op=_when(rng), bron=rng.choice(["website", "beurs", "webinar"]))
    _insert(engine, bureau_metadata(), rows)


BUREAU = Labelled(
    "bureau", "an agency CRM/ERP with contact forms, quotes and invoices (Dutch and French names)", build_bureau,
    _p({"contactpersonen": "voornaam achternaam functie email telefoon gsm geboortedatum",
        "medewerkers": "voornaam achternaam email rijksregisternummer iban geboortedatum straat postcode gemeente",
        "prospects": "nom prenom courriel telephone adresse code_postal ville commentaire",
        "contactformulier": "naam email telefoon bericht ip_adres", "rendez_vous": "compte_rendu",
        "facturen": "facturatie_email", "betalingen": "rekeningnummer", "nieuwsbrief_inschrijvingen": "email",
        "websessies": "sessie_id ip_adres user_agent"}),
    {"landen": None, "btw_tarieven": None, "organisaties": None, "contactpersonen": "delete", "medewerkers": "review",
     "prospects": "delete", "contactformulier": "delete", "rendez_vous": "delete", "projecten": None,
     "offertes": None, "facturen": "retain", "factuurlijnen": "retain", "betalingen": "retain",
     "nieuwsbrief_inschrijvingen": "delete", "websessies": "delete"})

SCHEMAS = {s.name: s for s in (COVER, POLLEN, BUREAU)}


def dump_labels() -> str:
    """The labels as JSON, for a reader who wants them without the code."""
    return json.dumps({s.name: {"personal": sorted(map(list, s.personal)), "actions": s.actions}
                       for s in SCHEMAS.values()}, indent=2)
