"""A third held-out batch for `eraser discover`, the blind one: written and labelled, and the labels committed,
before discovery ever ran on it, in sectors no earlier batch covers. Each is the shape of a public application
schema, written here as minimal DDL of the same shape (no schema file copied), filled with deterministic Faker
data, and labelled with rules R1-R6 of bench/labelled_schemas.py and the notes below.

- `dental`: OpenEMR (openemr/openemr, sql/database.sql), the open-source practice management and medical record
  system, as a dental practice uses it: facility, users (dentists and assistants), patient_data,
  insurance_data, openemr_postcalendar_events (appointments), form_encounter, lists (problems and allergies),
  prescriptions, billing, ar_session (patient payments), documents (scans and X-rays), patient_access_onsite
  (the patient portal's login).
- `library`: Koha (Koha-Community/Koha, installer/data/mysql/kohastructure.sql), the open-source integrated
  library system, as a Belgian public library runs it: branches, categories, borrowers, borrower_attributes,
  biblio, items, issues (current loans), old_issues (loan history), reserves (holds), accountlines (fines and
  payments), message_queue (notices sent).
- `club`, `donors`, `energie`: bench/heldout3_services.py.

Labelling notes beyond R1-R6 (decided before the first run):
- B1 the organisation's own branch or practice phone and generic email (a front desk, info@) reach no one
  person: not personal (R4's exception is for a customer organisation's contact).
- B2 a patient's medical record (encounters, problem lists, prescriptions, documents in the file) is kept by
  law (Belgian patient rights: 30 years): `retain`; the patient row itself, which the record must keep
  identifying, waits on that period and is decided by someone: `review`. Billing and payments are accounting:
  `retain`. An appointment calendar and a portal login are not the medical record: `delete`.
- B3 a library's current loans hold the library's own books: an erasure with books out is decided by someone:
  `review`; the loan history, holds and notices are the reader's: `delete`; fines and their payments are
  accounting: `retain`. A book's author in the catalogue is not a borrower's data: not personal.
- B4 a column is personal when it holds a person's data in some rows (a contact table that mixes people and
  organisations: its display name is personal).
- B5 a prescribed drug's name is a catalogue value (R3, like a product's title); a problem-list entry
  (`Diabetes type 2`) is the patient's condition: personal. A bank's BIC names a bank, not a person: not personal; a payment or
  transaction reference is not (R3).
- B6 body measurements (age, height, weight) and a social-tariff entitlement are characteristics of a person
  (R2); the weight lifted in a workout log is not.
- B7 a signed contract with its price (a membership, an energy supply contract) underlies the invoices:
  `retain`, like the invoices; a direct-debit mandate is kept with the payments collected under it: `retain`.
- B8 an energy supply point (EAN code, meter, its address) is the grid's record of a building, kept for the next
  resident: not personal, left out; its meter readings likewise.
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from heldout3_services import CLUB, DONORS, ENERGIE
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- dental: OpenEMR --------------------------------------------------------------------------


def build_dental(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    nl = fake["nl_BE"]
    for name, city in [("Tandartspraktijk De Linde", "Leuven"), ("Cabinet dentaire du Centre", "Wavre")]:
        rows.add("facility", name=name, phone=nl.phone_number(), fax=nl.phone_number(), street=nl.street_address(),
                 city=city, postal_code=nl.postcode(), country_code="BE", federal_ein=f"BE0{rng.randint(10**8, 10**9 - 1)}",
                 email=f"info@{name.split()[-1].lower()}.example.be")
    for i in range(12):
        first, last = nl.first_name(), nl.last_name()
        rows.add("users", username=f"{first[0]}{last}".lower().replace(" ", ""), password=fake.sha256(),
                 fname=first, lname=last, npi=str(rng.randint(10**7, 10**8 - 1)),
                 specialty=rng.choice(["Tandarts", "Orthodontist", "Mondhygiënist", "Assistent"]),
                 email=f"{first}.{last}@praktijk.example.be".lower().replace(" ", ""), phonew1=nl.phone_number(),
                 facility_id=1 + i % 2, authorized=int(i < 8))
    for pid in range(1, 241):
        f = fake[rng.choice(["nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        rows.add("patient_data", pid=pid, pubpid=f"P{pid:06d}", title=rng.choice(["Dhr.", "Mevr.", "M.", "Mme"]),
                 fname=first, lname=last, mname=rng.choice([None, None, f.first_name()]),
                 DOB=fake.date_of_birth(minimum_age=3, maximum_age=90), sex=rng.choice(["Male", "Female"]),
                 ss=nl.ssn(), street=f.street_address(), postal_code=f.postcode(), city=f.city(), country_code="BE",
                 phone_home=rng.choice([None, f.phone_number()]), phone_cell=f.phone_number(),
                 email=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""),
                 occupation=rng.choice([None, "Leerkracht", "Infirmière", "Bediende", "Student"]),
                 language=rng.choice(["dutch", "french"]), providerID=rng.randint(1, 8), date=_when(rng),
                 hipaa_allowsms=rng.choice(["YES", "NO"]), guardiansname=rng.choice([None, None, f.name()]),
                 contact_relationship=rng.choice([None, "Moeder", "Père", "Partner"]),
                 phone_contact=rng.choice([None, f.phone_number()]))
        rows.add("insurance_data", type="primary", provider=rng.choice(["CM/MC", "Solidaris", "Partena", "Helan"]),
                 policy_number=f"{rng.randint(100, 999)}-{rng.randint(10**6, 10**7)}", pid=pid,
                 subscriber_fname=first, subscriber_lname=last, subscriber_relationship="self",
                 subscriber_DOB=fake.date_of_birth(minimum_age=18, maximum_age=90), date=_when(rng).date())
        rows.add("patient_access_onsite", pid=pid, portal_username=f"{first}{last}{pid}".lower().replace(" ", ""),
                 portal_pwd=fake.sha256(), portal_pwd_status=1)
        if rng.random() < 0.3:
            rows.add("lists", pid=pid, type=rng.choice(["medical_problem", "allergy"]),
                     title=rng.choice(["Penicilline-allergie", "Diabetes type 2", "Hypertension", "Latexallergie"]),
                     begdate=_when(rng).date(), comments=rng.choice([None, "Bevestigd door huisarts",
                                                                       f"Signalé par {first} lors du premier rdv"]))
        for _ in range(rng.randint(1, 4)):
            when = _when(rng)
            provider = rng.randint(1, 8)
            rows.add("openemr_postcalendar_events", key="pc_eid", pc_pid=pid, pc_aid=provider, pc_eventDate=when.date(),
                     pc_startTime=when.time(), pc_title=rng.choice(["Controle", "Détartrage",
                                                                                   "Wortelkanaalbehandeling"]),
                     pc_hometext=rng.choice(["", "Patiënt belt bij vertraging", f"Rappeler au {f.phone_number()}"]),
                     pc_apptstatus=rng.choice(["-", "@", "x"]))
            e = rows.add("form_encounter", encounter=len(rows.get("form_encounter", [])) + 1, key="encounter",
                         pid=pid, date=when, reason=rng.choice(["Jaarlijkse controle", "Kiespijn linksonder",
                                                                "Douleur dent 36 depuis une semaine",
                                                                "Gebroken vulling"]),
                         facility_id=1 + provider % 2, provider_id=provider)
            fee = rng.choice([27.0, 52.5, 75.0, 120.0])
            rows.add("billing", date=when, code_type="RIZIV", code=rng.choice(["371011", "371615", "374231"]), pid=pid,
                     encounter=e, provider_id=provider, fee=fee, units=1, billed=1,
                     modifier=rng.choice([None, "BIM"]))
            if rng.random() < 0.6:
                rows.add("ar_session", key="session_id", patient_id=pid, payer_type=0, pay_total=fee, deposit_date=when.date(),
                         payment_type="patient", payment_method=rng.choice(["bancontact", "cash", "overschrijving"]),
                         reference=fake.bothify("BC########"))
            if rng.random() < 0.2:
                rows.add("prescriptions", patient_id=pid, encounter=e, provider_id=provider, date_added=when.date(),
                         drug=rng.choice(["Amoxicilline 500 mg", "Ibuprofen 400 mg", "Chloorhexidine 0,12%"]),
                         dosage=rng.choice(["3x per dag", "2x/jour"]), quantity=rng.choice([10, 20, 30]),
                         note=rng.choice([None, "Na de maaltijd", f"Allergie signalée par {first}"]))
            if rng.random() < 0.25:
                rows.add("documents", foreign_id=pid, encounter_id=e, type="file_url",
                         url=f"/var/www/openemr/sites/default/documents/{pid}/{fake.uuid4()}.jpg",
                         mimetype="image/jpeg", docdate=when.date(), name=rng.choice(["panoramic.jpg", "rx_36.jpg",
                                                                                    "intraoraal.jpg"]))
    _fill(engine, """
        CREATE TABLE facility (id INTEGER PRIMARY KEY, name VARCHAR(255), phone VARCHAR(30), fax VARCHAR(30),
                               street VARCHAR(255), city VARCHAR(255), postal_code VARCHAR(11),
                               country_code VARCHAR(30), federal_ein VARCHAR(15), email VARCHAR(255));
        CREATE TABLE users (id INTEGER PRIMARY KEY, username VARCHAR(255), password VARCHAR(255), fname VARCHAR(255),
                            lname VARCHAR(255), npi VARCHAR(15), specialty VARCHAR(255), email VARCHAR(255),
                            phonew1 VARCHAR(30), facility_id INTEGER REFERENCES facility(id), authorized INTEGER);
        CREATE TABLE patient_data (id INTEGER PRIMARY KEY, pid INTEGER UNIQUE NOT NULL, pubpid VARCHAR(255),
                                   title VARCHAR(255), fname VARCHAR(255), lname VARCHAR(255), mname VARCHAR(255),
                                   DOB DATE, sex VARCHAR(255), ss VARCHAR(255), street VARCHAR(255),
                                   postal_code VARCHAR(255), city VARCHAR(255), country_code VARCHAR(255),
                                   phone_home VARCHAR(255), phone_cell VARCHAR(255), email VARCHAR(255),
                                   occupation VARCHAR(255), language VARCHAR(255),
                                   providerID INTEGER REFERENCES users(id), date TIMESTAMP,
                                   hipaa_allowsms VARCHAR(3), guardiansname VARCHAR(255),
                                   contact_relationship VARCHAR(255), phone_contact VARCHAR(255));
        CREATE TABLE insurance_data (id INTEGER PRIMARY KEY, type VARCHAR(10), provider VARCHAR(255),
                                     policy_number VARCHAR(255), pid INTEGER REFERENCES patient_data(pid),
                                     subscriber_fname VARCHAR(255), subscriber_lname VARCHAR(255),
                                     subscriber_relationship VARCHAR(255), subscriber_DOB DATE, date DATE);
        CREATE TABLE patient_access_onsite (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES patient_data(pid),
                                            portal_username VARCHAR(100), portal_pwd VARCHAR(255),
                                            portal_pwd_status INTEGER);
        CREATE TABLE lists (id INTEGER PRIMARY KEY, pid INTEGER REFERENCES patient_data(pid), type VARCHAR(255),
                            title VARCHAR(255), begdate DATE, comments TEXT);
        CREATE TABLE openemr_postcalendar_events (pc_eid INTEGER PRIMARY KEY,
                                                  pc_pid INTEGER REFERENCES patient_data(pid),
                                                  pc_aid INTEGER REFERENCES users(id), pc_eventDate DATE,
                                                  pc_startTime TIME, pc_title VARCHAR(150), pc_hometext TEXT,
                                                  pc_apptstatus VARCHAR(15));
        CREATE TABLE form_encounter (encounter INTEGER PRIMARY KEY, pid INTEGER REFERENCES patient_data(pid),
                                     date TIMESTAMP, reason TEXT, facility_id INTEGER REFERENCES facility(id),
                                     provider_id INTEGER REFERENCES users(id));
        CREATE TABLE billing (id INTEGER PRIMARY KEY, date TIMESTAMP, code_type VARCHAR(15), code VARCHAR(20),
                              pid INTEGER REFERENCES patient_data(pid),
                              encounter INTEGER REFERENCES form_encounter(encounter),
                              provider_id INTEGER REFERENCES users(id), fee NUMERIC(12,2), units INTEGER,
                              billed INTEGER, modifier VARCHAR(12));
        CREATE TABLE ar_session (session_id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient_data(pid),
                                 payer_type INTEGER, pay_total NUMERIC(12,2), deposit_date DATE,
                                 payment_type VARCHAR(50), payment_method VARCHAR(25), reference VARCHAR(255));
        CREATE TABLE prescriptions (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient_data(pid),
                                    encounter INTEGER REFERENCES form_encounter(encounter),
                                    provider_id INTEGER REFERENCES users(id), date_added DATE, drug VARCHAR(150),
                                    dosage VARCHAR(100), quantity INTEGER, note TEXT);
        CREATE TABLE documents (id INTEGER PRIMARY KEY, foreign_id INTEGER REFERENCES patient_data(pid),
                                encounter_id INTEGER REFERENCES form_encounter(encounter), type VARCHAR(20),
                                url VARCHAR(255), mimetype VARCHAR(255), docdate DATE, name VARCHAR(255))""", rows)


DENTAL = Labelled(
    "dental", "OpenEMR as a dental practice uses it (patients, appointments, encounters, billing)", build_dental,
    _p({"users": "username password fname lname npi email phonew1",
        "patient_data": "pubpid title fname lname mname DOB sex ss street postal_code city phone_home phone_cell "
                        "email occupation guardiansname phone_contact",
        "insurance_data": "policy_number subscriber_fname subscriber_lname subscriber_DOB",
        "patient_access_onsite": "portal_username portal_pwd", "lists": "title comments",
        "openemr_postcalendar_events": "pc_hometext", "form_encounter": "reason", "prescriptions": "note",
        "documents": "url"}),
    {"facility": None, "users": "review", "patient_data": "review", "insurance_data": "retain",
     "patient_access_onsite": "delete", "lists": "retain", "openemr_postcalendar_events": "delete",
     "form_encounter": "retain", "billing": "retain", "ar_session": "retain", "prescriptions": "retain",
     "documents": "retain"})


# -- library: Koha ----------------------------------------------------------------------------

def build_library(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    for code, name, city in [("GENT", "Bibliotheek De Krook", "Gent"), ("LEDE", "Filiaal Ledeberg", "Gent"),
                             ("MONS", "Bibliothèque de Mons", "Mons")]:
        rows.add("branches", key="branchcode", branchcode=code, branchname=name,
                 branchaddress1=fake["nl_BE"].street_address(), branchcity=city, branchzip=fake["nl_BE"].postcode(),
                 branchphone=fake["nl_BE"].phone_number(), branchemail=f"{code.lower()}@bib.example.be")
    for code, description, limit in [("PT", "Volwassene", None), ("J", "Jeugd", 17), ("ST", "Étudiant", 30)]:
        rows.add("categories", key="categorycode", categorycode=code, description=description,
                 enrolmentperiod=12, upperagelimit=limit)
    for _ in range(300):
        rows.add("biblio", key="biblionumber", title=fake.catch_phrase(), author=fake.name(),
                 copyrightdate=rng.randint(1950, 2024), abstract=rng.choice([None, fake.text(120)]))
    for b in range(1, 301):
        for _ in range(rng.randint(1, 2)):
            rows.add("items", key="itemnumber", biblionumber=b, barcode=f"3{rng.randint(10**11, 10**12 - 1)}",
                     homebranch=rng.choice(["GENT", "LEDE", "MONS"]), itemcallnumber=f"{rng.randint(100, 999)}.{rng.randint(1, 99)}",
                     price=rng.randint(8, 45), itemnotes=rng.choice([None, "Beschadigde kaft", "Avec CD"]))
    n_items = len(rows["items"])
    for _ in range(260):
        locale = rng.choice(["nl_BE", "fr_BE"])
        f = fake[locale]
        first, last = f.first_name(), f.last_name()
        child = rng.random() < 0.25
        b = rows.add("borrowers", key="borrowernumber", cardnumber=f"2{rng.randint(10**11, 10**12 - 1)}",
                     surname=last, firstname=first, title=rng.choice([None, "Dhr.", "Mevr.", "M.", "Mme"]),
                     othernames=rng.choice([None, None, f.first_name()]), initials=first[0],
                     streetnumber=str(rng.randint(1, 250)), address=f.street_name(),
                     address2=rng.choice([None, None, "bus 3", "boîte 12"]), city=f.city(), zipcode=f.postcode(),
                     country=rng.choice(["België", "Belgique", "Nederland"]),
                     email=rng.choice([None, f"{first}.{last}@example.be".lower().replace(" ", "")]),
                     phone=rng.choice([None, f.phone_number()]), mobile=f.phone_number(),
                     dateofbirth=fake.date_of_birth(minimum_age=6 if child else 18, maximum_age=17 if child else 90),
                     branchcode=rng.choice(["GENT", "LEDE", "MONS"]), categorycode="J" if child else rng.choice(["PT", "ST"]),
                     dateenrolled=_when(rng).date(), dateexpiry=_when(rng).date() + timedelta(days=365),
                     sex=rng.choice(["M", "F"]), userid=f"{first}{last}".lower().replace(" ", ""),
                     password=fake.sha256(), borrowernotes=rng.choice([None, None, "Verhuisd, nieuw adres gevraagd",
                                                                       f"Contacter {first} par courrier"]),
                     contactname=last if child else None, contactfirstname=f.first_name() if child else None,
                     relationship="parent" if child else None, lang=locale[:2], lastseen=_when(rng))
        rows.add("borrower_attributes", borrowernumber=b, code=rng.choice(["SCHOOL", "INSZ"]),
                 attribute=rng.choice([fake["nl_BE"].ssn(), f"Sint-{f.last_name()}college"]))
        for _ in range(rng.randint(0, 6)):
            out = _when(rng)
            rows.add("old_issues", key="issue_id", borrowernumber=b, itemnumber=rng.randint(1, n_items),
                     issuedate=out, date_due=out + timedelta(days=21), returndate=out + timedelta(days=rng.randint(3, 30)),
                     branchcode=rng.choice(["GENT", "LEDE", "MONS"]), renewals=rng.randint(0, 2))
        if rng.random() < 0.4:
            out = _when(rng)
            rows.add("issues", key="issue_id", borrowernumber=b, itemnumber=rng.randint(1, n_items), issuedate=out,
                     date_due=out + timedelta(days=21), branchcode=rng.choice(["GENT", "LEDE", "MONS"]), renewals=0)
        if rng.random() < 0.2:
            rows.add("reserves", key="reserve_id", borrowernumber=b, biblionumber=rng.randint(1, 300),
                     reservedate=_when(rng).date(), branchcode=rng.choice(["GENT", "MONS"]),
                     reservenotes=rng.choice([None, "Graag in filiaal Ledeberg", f"Appeler {first} au {f.phone_number()}"]),
                     found=rng.choice([None, "W"]))
        if rng.random() < 0.3:
            amount = rng.choice([0.5, 1.0, 2.5, 15.0])
            rows.add("accountlines", key="accountlines_id", borrowernumber=b, date=_when(rng).date(), amount=amount,
                     description=rng.choice(["Te laat ingeleverd", "Retard", "Verloren exemplaar"]),
                     amountoutstanding=rng.choice([0, amount]), debit_type_code=rng.choice(["OVERDUE", "LOST"]),
                     note=rng.choice([None, "Cash betaald aan de balie", f"Kwijtgescholden, {first} verhuisd"]),
                     manager_id=None)
        for _ in range(rng.randint(0, 3)):
            rows.add("message_queue", key="message_id", borrowernumber=b, subject=rng.choice(["Herinnering",
                     "Rappel de retour", "Reservering beschikbaar"]),
                     content=f"Beste {first} {last}, uw boek moet terug naar de bibliotheek.",
                     to_address=f"{first}.{last}@example.be".lower().replace(" ", ""),
                     from_address="noreply@bib.example.be", time_queued=_when(rng),
                     status=rng.choice(["sent", "failed"]), message_transport_type=rng.choice(["email", "sms"]))
    _fill(engine, """
        CREATE TABLE branches (branchcode VARCHAR(10) PRIMARY KEY, branchname TEXT, branchaddress1 TEXT,
                               branchcity TEXT, branchzip VARCHAR(25), branchphone TEXT, branchemail TEXT);
        CREATE TABLE categories (categorycode VARCHAR(10) PRIMARY KEY, description TEXT, enrolmentperiod INTEGER,
                                 upperagelimit INTEGER);
        CREATE TABLE biblio (biblionumber INTEGER PRIMARY KEY, title TEXT, author TEXT, copyrightdate INTEGER,
                             abstract TEXT);
        CREATE TABLE items (itemnumber INTEGER PRIMARY KEY, biblionumber INTEGER REFERENCES biblio(biblionumber),
                            barcode VARCHAR(20), homebranch VARCHAR(10) REFERENCES branches(branchcode),
                            itemcallnumber VARCHAR(255), price NUMERIC(8,2), itemnotes TEXT);
        CREATE TABLE borrowers (borrowernumber INTEGER PRIMARY KEY, cardnumber VARCHAR(32), surname TEXT,
                                firstname TEXT, title TEXT, othernames TEXT, initials TEXT, streetnumber TEXT,
                                address TEXT, address2 TEXT, city TEXT, zipcode TEXT, country TEXT, email TEXT,
                                phone TEXT, mobile TEXT, dateofbirth DATE,
                                branchcode VARCHAR(10) REFERENCES branches(branchcode),
                                categorycode VARCHAR(10) REFERENCES categories(categorycode), dateenrolled DATE,
                                dateexpiry DATE, sex VARCHAR(1), userid VARCHAR(75), password VARCHAR(60),
                                borrowernotes TEXT, contactname TEXT, contactfirstname TEXT,
                                relationship VARCHAR(100), lang VARCHAR(25), lastseen TIMESTAMP);
        CREATE TABLE borrower_attributes (id INTEGER PRIMARY KEY,
                                          borrowernumber INTEGER REFERENCES borrowers(borrowernumber),
                                          code VARCHAR(64), attribute VARCHAR(255));
        CREATE TABLE old_issues (issue_id INTEGER PRIMARY KEY,
                                 borrowernumber INTEGER REFERENCES borrowers(borrowernumber),
                                 itemnumber INTEGER REFERENCES items(itemnumber), issuedate TIMESTAMP,
                                 date_due TIMESTAMP, returndate TIMESTAMP,
                                 branchcode VARCHAR(10) REFERENCES branches(branchcode), renewals INTEGER);
        CREATE TABLE issues (issue_id INTEGER PRIMARY KEY, borrowernumber INTEGER REFERENCES borrowers(borrowernumber),
                             itemnumber INTEGER REFERENCES items(itemnumber), issuedate TIMESTAMP, date_due TIMESTAMP,
                             branchcode VARCHAR(10) REFERENCES branches(branchcode), renewals INTEGER);
        CREATE TABLE reserves (reserve_id INTEGER PRIMARY KEY,
                               borrowernumber INTEGER REFERENCES borrowers(borrowernumber),
                               biblionumber INTEGER REFERENCES biblio(biblionumber), reservedate DATE,
                               branchcode VARCHAR(10) REFERENCES branches(branchcode), reservenotes TEXT,
                               found VARCHAR(1));
        CREATE TABLE accountlines (accountlines_id INTEGER PRIMARY KEY,
                                   borrowernumber INTEGER REFERENCES borrowers(borrowernumber), date DATE,
                                   amount NUMERIC(28,6), description TEXT, amountoutstanding NUMERIC(28,6),
                                   debit_type_code VARCHAR(64), note TEXT, manager_id INTEGER);
        CREATE TABLE message_queue (message_id INTEGER PRIMARY KEY,
                                    borrowernumber INTEGER REFERENCES borrowers(borrowernumber), subject TEXT,
                                    content TEXT, to_address TEXT, from_address TEXT, time_queued TIMESTAMP,
                                    status VARCHAR(20), message_transport_type VARCHAR(20))""", rows)


LIBRARY = Labelled(
    "library", "Koha as a Belgian public library runs it (borrowers, loans, holds, fines, notices)", build_library,
    _p({"borrowers": "cardnumber surname firstname title othernames initials streetnumber address address2 city "
                     "zipcode country email phone mobile dateofbirth sex userid password borrowernotes contactname "
                     "contactfirstname",
        "borrower_attributes": "attribute", "reserves": "reservenotes", "accountlines": "note",
        "message_queue": "content to_address"}),
    {"branches": None, "categories": None, "biblio": None, "items": None, "borrowers": "delete",
     "borrower_attributes": "delete", "old_issues": "delete", "issues": "review", "reserves": "delete",
     "accountlines": "retain", "message_queue": "delete"})


BLIND = {s.name: s for s in (DENTAL, LIBRARY, CLUB, DONORS, ENERGIE)}
