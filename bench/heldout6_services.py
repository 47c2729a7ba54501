"""The `gnuhealth`, `snipeit` and `mautic` schemas of the fourth blind batch (bench/heldout6_schemas.py holds the
labelling notes F1-F7 and the other two schemas; the notes F8-F14 below are part of the same set, written before
discovery first ran on the batch).

- `gnuhealth`: GNU Health (the GNU project's hospital and health information system, savannah.gnu.org/projects/
  health, not hosted on GitHub; its Tryton module `health` in tryton/health/health.py: the models party.party,
  party.contact_mechanism, gnuhealth.du, gnuhealth.patient, gnuhealth.healthprofessional, gnuhealth.institution,
  gnuhealth.pathology, gnuhealth.medicament, gnuhealth.appointment, gnuhealth.patient.evaluation,
  gnuhealth.patient.disease, gnuhealth.prescription.order and its lines, gnuhealth.vaccination, written as the
  tables Tryton creates for them), as a Flemish community health centre (wijkgezondheidscentrum) runs it: parties
  that mix patients, health professionals and institutions, their contact mechanisms, the domiciliary units
  (households) several patients share, patients, appointments, evaluations with vital signs, diseases,
  prescriptions and vaccinations.
- `snipeit`: Snipe-IT (grokability/snipe-it, database/migrations: users, assets, models, categories,
  manufacturers, status_labels, locations, departments, companies, suppliers, custom_fields, licenses,
  license_seats, accessories_users, action_logs, checkout_acceptances), the open-source IT asset manager, as a
  Leuven company tracks the laptops and phones it issues to its staff: lookup and catalogue tables, staff users,
  assets with custom-field columns (MAC address, IMEI), licence seats and accessories assigned to users, the
  polymorphic action log (item and target by type and id) and the signed checkout acceptances.
- `mautic`: Mautic (mautic/mautic, app/bundles/LeadBundle, EmailBundle, PageBundle, CampaignBundle,
  CoreBundle entities), the open-source marketing automation platform, as a Walloon events company runs its
  newsletters: contacts (`leads`), their companies, segments and campaign memberships, the do-not-contact list,
  devices, IP addresses and their link table, email templates and the per-recipient send log (`email_stats`), the
  page-hit tracking log (its largest table), the contact event log and the audit log (polymorphic by bundle,
  object and object id), staff users.

Labelling notes (continued):
- F8 a patient's medical record (evaluations with their vital signs, diseases, prescriptions and their lines,
  vaccinations) is `retain` (B2); the party row of a patient and the patient row are `review` (B2); a party table
  that mixes patients, health professionals and institutions is `review` (D8); appointments are `delete` (B2);
  contact mechanisms (phone, email values of a party) are the person's contact values: `delete` (D8).
- F9 vital signs and body measurements (weight, height, BMI, blood pressure, heart rate, temperature), a blood
  type and rhesus factor, whether and when the person died, a health professional's specialty (as a job title)
  and a household's dwelling type are characteristics (R2, B6): personal; a party's internal code (`PAR000123`)
  is a customer number (R1): personal. A disease or a vaccine referenced by foreign key to a catalogue is a
  reference (D10), not personal.
- F10 a domiciliary unit (an address several patients of one household share) has its address parts and a
  description naming the family personal; one member's erasure cannot decide it: `review`.
- F11 the organisation's own equipment (an asset's tag, serial number, MAC address, IMEI, name, purchase data),
  licences and their seats, and accessories handed out are the organisation's records (E3): not personal and
  left out, even where assigned to a person; a device the person owns and uses (a marketing contact's browser
  or phone: `lead_devices`) is theirs: its fingerprint and client info (with the user agent) are personal (R1), its
  type, brand, model and OS are codes (R5). A supplier's contact name, email and phone are personal (R4); a
  manufacturer's support line and support address reach no one person (B1): not personal.
- F12 staff users (Snipe-IT's users are the company's employees; Mautic's and GNU Health's staff) are `review`
  (R6); a staff member's signed checkout acceptance (its signature image path and note) and the action-log rows
  that target them follow them: `review` (N4, E2); an employee number, job title and manager link are not all
  personal: the number and title are (R1, R2), the manager's id is a reference (R5); hire and leaving dates
  (`start_date`, `end_date`) are not personal, as `hire_date` in the hr schema and `in_dienst_sinds` before.
- F13 a marketing contact and everything tracking them (segment and campaign memberships, company links, devices,
  IP addresses and their links, email send stats with their tracking hash, page hits, the event log, the
  do-not-contact entry, audit rows about the contact) are `delete`: Eraser keeps its own suppression list of
  erased identifiers, so the application's do-not-contact row need not survive. A per-recipient tracking hash
  and a page hit's tracking id identify the visitor (R1, as a session identifier); a page's URL, title and referrer
  are not personal unless they carry the contact's email (a URL with `?email=` in some rows: personal, B4).
- F14 a geolocation looked up from a contact's IP (city, region, ISP, in `ip_details` or in a page hit's own
  columns) and the IP's reverse host name are personal with the IP (R1); a country code there is not (E4); an email template's subject and body, a segment's and a campaign's name are the organisation's (D4).
"""

from __future__ import annotations

import json
import random
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- gnuhealth: GNU Health -------------------------------------------------------------------------------------


def build_gnuhealth(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    nl = fake["nl_BE"]
    for code, name in [("BE", "Belgium"), ("NL", "Netherlands"), ("MA", "Morocco"), ("TR", "Turkey"),
                       ("PL", "Poland"), ("SY", "Syria")]:
        rows.add("country_country", code=code, name=name)
    for code, name in [("E11", "Type 2 diabetes mellitus"), ("I10", "Essential (primary) hypertension"),
                       ("J45", "Asthma"), ("F32", "Depressive episode"), ("M54.5", "Low back pain"),
                       ("J06.9", "Acute upper respiratory infection"), ("E66", "Obesity"), ("K21", "Gastro-oesophageal reflux")]:
        rows.add("gnuhealth_pathology", code=code, name=name, active=1)
    for name, form in [("Metformine 850 mg", "tablet"), ("Amlodipine 5 mg", "tablet"),
                       ("Salbutamol 100 mcg", "inhaler"), ("Sertraline 50 mg", "tablet"), ("Ibuprofen 400 mg", "tablet"),
                       ("Omeprazol 20 mg", "capsule"), ("Influenza vaccine 2024", "injection"),
                       ("COVID-19 mRNA vaccine", "injection"), ("Tetanus-diphtheria vaccine", "injection")]:
        rows.add("gnuhealth_medicament", name=name, form=form, active=1)

    def party(**values: Any) -> int:
        return int(rows.add("party_party", code=f"PAR{len(rows.get('party_party', [])) + 1:06d}", **values))

    inst_party = party(name="Wijkgezondheidscentrum De Brug", lastname=None, ref=None, dob=None, gender=None,
                       marital_status=None, du=None, citizenship=None, alias="WGC De Brug", federation_account=None,
                       is_person=0, is_patient=0, is_healthprof=0, is_institution=1, active=1)
    rows.add("party_contact_mechanism", party=inst_party, type="phone", value="09 223 45 60", active=1)
    rows.add("party_contact_mechanism", party=inst_party, type="email", value="onthaal@wgcdebrug.example.be", active=1)
    inst = rows.add("gnuhealth_institution", name=inst_party, code="WGC-BRUG", institution_type="primary_care", beds=0)
    profs = []
    for _i in range(9):
        first, last = nl.first_name(), nl.last_name()
        p = party(name=first, lastname=last, ref=nl.ssn(), dob=fake.date_of_birth(minimum_age=26, maximum_age=64),
                  gender=rng.choice(["m", "f"]), marital_status=None, du=None, citizenship=1, alias=None,
                  federation_account=None, is_person=1, is_patient=0, is_healthprof=1, is_institution=0, active=1)
        rows.add("party_contact_mechanism", party=p, type="email",
                 value=f"{first}.{last}@wgcdebrug.example.be".lower().replace(" ", ""), active=1)
        profs.append(rows.add("gnuhealth_healthprofessional", name=p, institution=inst,
                              code=f"{rng.randint(1, 9)}-{rng.randint(10000, 99999)}-{rng.randint(10, 99)}-"
                                   f"{rng.choice([0, 3, 4])}{rng.randint(10, 99)}",
                              main_specialty=rng.choice(["Huisarts", "Verpleegkundige", "Kinesitherapeut",
                                                         "Psycholoog", "Diëtist"]), active=1))
    complaints = ["Hoest sinds twee weken", "Controle bloeddruk", "Rugpijn na val", "Vermoeidheid", "Opvolging diabetes",
                  "Toux persistante", "Slaapproblemen"]
    patients: list[tuple[int, str, str]] = []
    for d in range(1, 121):
        f = fake[rng.choice(["nl_BE", "nl_BE", "fr_BE"])]
        family = f.last_name()
        du = rows.add("gnuhealth_du", name=f"DU-{d:05d}", desc=rng.choice([f"Familie {family}", f"Gezin {family}", ""]),
                      address_street=f.street_name(), address_street_number=rng.randint(1, 220),
                      address_zip=f.postcode(), address_city=f.city(), address_country=1,
                      dwelling=rng.choice(["house", "apartment", "apartment", "shelter"]))
        for m in range(rng.choice([1, 1, 2, 2, 3, 4, 5])):
            first = f.first_name()
            last = family if m == 0 or rng.random() < 0.7 else f.last_name()
            child = m >= 2
            p = party(name=first, lastname=last, ref=nl.ssn(),
                      dob=fake.date_of_birth(minimum_age=0 if child else 19, maximum_age=17 if child else 92),
                      gender=rng.choice(["m", "f", "f", "nb"]),
                      marital_status=None if child else rng.choice(["s", "m", "c", "w", "d"]), du=du,
                      citizenship=rng.choice([1, 1, 1, 1, 2, 3, 4, 5, 6]), alias=rng.choice([None, None, first[:3]]),
                      federation_account=rng.choice([None, f"BE{fake.lexify('?????????').upper()}"]), is_person=1,
                      is_patient=1, is_healthprof=0, is_institution=0, active=1)
            if not child:
                rows.add("party_contact_mechanism", party=p, type="mobile",
                         value=f"04{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}",
                         active=1)
                if rng.random() < 0.6:
                    rows.add("party_contact_mechanism", party=p, type="email",
                             value=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""), active=1)
            deceased = rng.random() < 0.02
            pat = rows.add("gnuhealth_patient", name=p, primary_care_doctor=rng.choice(profs),
                           blood_type=rng.choice(["A", "B", "AB", "O", None]), rh=rng.choice(["+", "-", None]),
                           critical_info=rng.choice([None, None, "Allergisch voor penicilline", "Latex allergy",
                                                     f"Epilepsie, contactpersoon {f.first_name()} {f.phone_number()}"]),
                           general_info=rng.choice([None, None, "Spreekt enkel Frans", "Mantelzorger van moeder"]),
                           deceased=int(deceased), dod=_when(rng) if deceased else None)
            patients.append((pat, first, last))
    for pat, first, last in patients:
        for _ in range(rng.randint(0, 4)):
            prof = rng.choice(profs)
            rows.add("gnuhealth_appointment", name=f"APP{len(rows.get('gnuhealth_appointment', [])) + 1:06d}",
                     patient=pat, healthprof=prof, institution=inst, appointment_date=_when(rng),
                     state=rng.choice(["confirmed", "done", "no_show", "user_cancelled"]),
                     urgency=rng.choice(["a", "a", "b"]), comments=rng.choice(
                         [None, None, f"{first} belt terug op {nl.phone_number()}", "Tolk Arabisch nodig"]))
        for _ in range(rng.randint(0, 3)):
            height = rng.randint(150, 195)
            weight = round(rng.uniform(50, 120), 1)
            rows.add("gnuhealth_patient_evaluation", patient=pat, healthprof=rng.choice(profs),
                     evaluation_start=_when(rng), chief_complaint=rng.choice(complaints),
                     present_illness=rng.choice([None, f"{first} meldt sinds een maand pijn bij het stappen",
                                                 "Geen koorts, wel hoest 's nachts"]),
                     notes=rng.choice([None, "Labo aangevraagd", f"Bespreking met echtgenoot van {first}"]),
                     weight=weight, height=height, bmi=round(weight / (height / 100) ** 2, 1),
                     systolic=rng.randint(100, 170), diastolic=rng.randint(60, 100), bpm=rng.randint(55, 100),
                     temperature=round(rng.uniform(36.0, 39.2), 1), diagnosis=rng.choice([None, rng.randint(1, 8)]))
        for _ in range(rng.randint(0, 2)):
            rows.add("gnuhealth_patient_disease", name=pat, pathology=rng.randint(1, 8),
                     diagnosed_date=_when(rng).date(), is_active=rng.choice([0, 1, 1]),
                     short_comment=rng.choice([None, None, "Goed ingesteld op medicatie", "Familiale voorgeschiedenis"]))
        for _ in range(rng.randint(0, 2)):
            order = rows.add("gnuhealth_prescription_order", patient=pat, healthprof=rng.choice(profs),
                             prescription_id=f"RX{len(rows.get('gnuhealth_prescription_order', [])) + 1:06d}",
                             prescription_date=_when(rng), notes=rng.choice(
                                 [None, "Herhaalvoorschrift", f"Voor {first} {last}, niet vervangen"]))
            for _ in range(rng.randint(1, 2)):
                rows.add("gnuhealth_prescription_line", name=order, medicament=rng.randint(1, 6),
                         indication=rng.choice([None, rng.randint(1, 8)]), dose=rng.choice([1.0, 0.5, 2.0]),
                         frequency=rng.choice(["1x/dag", "2x/dag", "zo nodig"]), duration=rng.choice([7, 30, 90]))
        if rng.random() < 0.5:
            day = _when(rng)
            rows.add("gnuhealth_vaccination", name=pat, vaccine=rng.randint(7, 9), dose=rng.randint(1, 3),
                     date=day, next_dose_date=day + timedelta(days=365) if rng.random() < 0.5 else None,
                     lot=f"LOT{rng.randint(10000, 99999)}", institution=inst, observations=rng.choice(
                         [None, None, "Lichte koorts na vaccinatie", f"{first} had eerder een reactie"]))
    _fill(engine, """
        CREATE TABLE country_country (id INTEGER PRIMARY KEY, code VARCHAR(2), name VARCHAR(100));
        CREATE TABLE gnuhealth_pathology (id INTEGER PRIMARY KEY, code VARCHAR(10), name VARCHAR(255), active INTEGER);
        CREATE TABLE gnuhealth_medicament (id INTEGER PRIMARY KEY, name VARCHAR(255), form VARCHAR(40),
                                           active INTEGER);
        CREATE TABLE gnuhealth_du (id INTEGER PRIMARY KEY, name VARCHAR(40), "desc" VARCHAR(255),
                                   address_street VARCHAR(255), address_street_number INTEGER,
                                   address_zip VARCHAR(10), address_city VARCHAR(100),
                                   address_country INTEGER REFERENCES country_country(id), dwelling VARCHAR(20));
        CREATE TABLE party_party (id INTEGER PRIMARY KEY, code VARCHAR(20), name VARCHAR(255), lastname VARCHAR(255),
                                  ref VARCHAR(20), dob DATE, gender VARCHAR(2), marital_status VARCHAR(2),
                                  du INTEGER REFERENCES gnuhealth_du(id),
                                  citizenship INTEGER REFERENCES country_country(id), alias VARCHAR(60),
                                  federation_account VARCHAR(20), is_person INTEGER, is_patient INTEGER,
                                  is_healthprof INTEGER, is_institution INTEGER, active INTEGER);
        CREATE TABLE party_contact_mechanism (id INTEGER PRIMARY KEY, party INTEGER REFERENCES party_party(id),
                                              type VARCHAR(20), value VARCHAR(255), active INTEGER);
        CREATE TABLE gnuhealth_institution (id INTEGER PRIMARY KEY, name INTEGER REFERENCES party_party(id),
                                            code VARCHAR(20), institution_type VARCHAR(30), beds INTEGER);
        CREATE TABLE gnuhealth_healthprofessional (id INTEGER PRIMARY KEY, name INTEGER REFERENCES party_party(id),
                                                   institution INTEGER REFERENCES gnuhealth_institution(id),
                                                   code VARCHAR(20), main_specialty VARCHAR(60), active INTEGER);
        CREATE TABLE gnuhealth_patient (id INTEGER PRIMARY KEY, name INTEGER UNIQUE REFERENCES party_party(id),
                                        primary_care_doctor INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                        blood_type VARCHAR(2), rh VARCHAR(1), critical_info TEXT, general_info TEXT,
                                        deceased INTEGER, dod TIMESTAMP);
        CREATE TABLE gnuhealth_appointment (id INTEGER PRIMARY KEY, name VARCHAR(20),
                                            patient INTEGER REFERENCES gnuhealth_patient(id),
                                            healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                            institution INTEGER REFERENCES gnuhealth_institution(id),
                                            appointment_date TIMESTAMP, state VARCHAR(20), urgency VARCHAR(1),
                                            comments TEXT);
        CREATE TABLE gnuhealth_patient_evaluation (id INTEGER PRIMARY KEY,
                                                   patient INTEGER REFERENCES gnuhealth_patient(id),
                                                   healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                                   evaluation_start TIMESTAMP, chief_complaint VARCHAR(255),
                                                   present_illness TEXT, notes TEXT, weight REAL, height REAL,
                                                   bmi REAL, systolic INTEGER, diastolic INTEGER, bpm INTEGER,
                                                   temperature REAL,
                                                   diagnosis INTEGER REFERENCES gnuhealth_pathology(id));
        CREATE TABLE gnuhealth_patient_disease (id INTEGER PRIMARY KEY, name INTEGER REFERENCES gnuhealth_patient(id),
                                                pathology INTEGER REFERENCES gnuhealth_pathology(id),
                                                diagnosed_date DATE, is_active INTEGER, short_comment VARCHAR(255));
        CREATE TABLE gnuhealth_prescription_order (id INTEGER PRIMARY KEY,
                                                   patient INTEGER REFERENCES gnuhealth_patient(id),
                                                   healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                                   prescription_id VARCHAR(20), prescription_date TIMESTAMP,
                                                   notes TEXT);
        CREATE TABLE gnuhealth_prescription_line (id INTEGER PRIMARY KEY,
                                                  name INTEGER REFERENCES gnuhealth_prescription_order(id),
                                                  medicament INTEGER REFERENCES gnuhealth_medicament(id),
                                                  indication INTEGER REFERENCES gnuhealth_pathology(id), dose REAL,
                                                  frequency VARCHAR(20), duration INTEGER);
        CREATE TABLE gnuhealth_vaccination (id INTEGER PRIMARY KEY, name INTEGER REFERENCES gnuhealth_patient(id),
                                            vaccine INTEGER REFERENCES gnuhealth_medicament(id), dose INTEGER,
                                            date TIMESTAMP, next_dose_date TIMESTAMP, lot VARCHAR(20),
                                            institution INTEGER REFERENCES gnuhealth_institution(id),
                                            observations TEXT)""", rows)


GNUHEALTH = Labelled(
    "gnuhealth", "GNU Health as a Flemish community health centre runs it (patients, households, medical record)",
    build_gnuhealth,
    _p({"gnuhealth_du": "desc address_street address_street_number address_zip address_city dwelling",
        "party_party": "code name lastname ref dob gender marital_status alias federation_account",
        "party_contact_mechanism": "value",
        "gnuhealth_healthprofessional": "code main_specialty",
        "gnuhealth_patient": "blood_type rh critical_info general_info deceased dod",
        "gnuhealth_appointment": "comments",
        "gnuhealth_patient_evaluation": "chief_complaint present_illness notes weight height bmi systolic diastolic "
                                        "bpm temperature",
        "gnuhealth_patient_disease": "short_comment",
        "gnuhealth_prescription_order": "notes",
        "gnuhealth_vaccination": "observations"}),
    {"country_country": None, "gnuhealth_pathology": None, "gnuhealth_medicament": None, "gnuhealth_du": "review",
     "party_party": "review", "party_contact_mechanism": "delete", "gnuhealth_institution": None,
     "gnuhealth_healthprofessional": "review", "gnuhealth_patient": "review", "gnuhealth_appointment": "delete",
     "gnuhealth_patient_evaluation": "retain", "gnuhealth_patient_disease": "retain",
     "gnuhealth_prescription_order": "retain", "gnuhealth_prescription_line": "retain",
     "gnuhealth_vaccination": "retain"})


# -- snipeit: Snipe-IT ------------------------------------------------------------------------------------------

USER, ASSET, LICENSE_SEAT, ACCESSORY = "App\\Models\\User", "App\\Models\\Asset", "App\\Models\\LicenseSeat", \
    "App\\Models\\Accessory"


def build_snipeit(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE", "en_US"], seed), _Rows()
    nl = fake["nl_BE"]
    rows.add("companies", name="Brabant Logistics NV", created_at=_when(rng))
    for name, city, pc in [("Hoofdkantoor Leuven", "Leuven", "3000"), ("Magazijn Tienen", "Tienen", "3300"),
                           ("Bureau Wavre", "Wavre", "1300")]:
        rows.add("locations", name=name, address=nl.street_address(), city=city, state="Vlaams-Brabant", country="BE",
                 zip=pc, currency="EUR", created_at=_when(rng))
    for name in ("IT", "Logistiek", "Financiën", "Verkoop", "HR"):
        rows.add("departments", name=name, company_id=1, location_id=rng.randint(1, 3), created_at=_when(rng))
    for name, kind in [("Laptops", "asset"), ("Smartphones", "asset"), ("Monitors", "asset"),
                       ("Office software", "license"), ("Headsets", "accessory"), ("Docking stations", "accessory")]:
        rows.add("categories", name=name, category_type=kind, require_acceptance=int(kind == "asset"),
                 eula_text="Het toestel blijft eigendom van de werkgever." if kind == "asset" else None)
    for name, url, phone, email in [("Dell", "https://www.dell.com", "+32 2 481 88 00", "support@dell.example.com"),
                                    ("Apple", "https://www.apple.com", "0800 80 404", "support@apple.example.com"),
                                    ("Samsung", "https://www.samsung.com", "02 201 24 18", None),
                                    ("Lenovo", "https://www.lenovo.com", "+32 2 339 36 11", "emea@lenovo.example.com")]:
        rows.add("manufacturers", name=name, url=url, support_url=f"{url}/support", support_phone=phone,
                 support_email=email)
    for _ in range(4):
        first, last = nl.first_name(), nl.last_name()
        company = nl.company()
        rows.add("suppliers", name=company, address=nl.street_address(), city=nl.city(), zip=nl.postcode(),
                 contact=f"{first} {last}", phone=nl.phone_number(),
                 email=f"{first}.{last}@{company.split()[0].lower().strip(',')}.example.be".replace(" ", ""),
                 url=None, notes=rng.choice([None, "Raamcontract tot 2026"]))
    for label, deployable in [("Ready to Deploy", 1), ("Deployed", 1), ("Pending", 0), ("Broken", 0),
                              ("Archived", 0)]:
        rows.add("status_labels", name=label, deployable=deployable, pending=int(label == "Pending"),
                 archived=int(label == "Archived"))
    rows.add("custom_fieldsets", name="Netwerktoestellen")
    for name, column, fmt in [("MAC Address", "_snipeit_mac_address_1", "MAC"), ("IMEI", "_snipeit_imei_2",
                                                                                   "regex:/^[0-9]{15}$/")]:
        rows.add("custom_fields", name=name, db_column=column, format=fmt, element="text", fieldset_id=1)
    models = [("Latitude 5440", 1, 1), ("MacBook Air 13", 2, 1), ("Galaxy A54", 3, 2), ("iPhone 14", 2, 2),
              ("ThinkPad T14", 4, 1), ("P2422H", 1, 3)]
    for name, manu, cat in models:
        rows.add("models", name=name, model_number=fake.bothify("??-####").upper(), manufacturer_id=manu,
                 category_id=cat, fieldset_id=1 if cat in (1, 2) else None, eol=36)
    users = []
    for n in range(1, 191):
        f = fake[rng.choice(["nl_BE", "nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        users.append(rows.add(
            "users", first_name=first, last_name=last, username=f"{first[0]}{last}".lower().replace(" ", "")[:20] + str(n),
            email=f"{first}.{last}@brabantlogistics.example.be".lower().replace(" ", ""),
            password="$2y$10$" + fake.sha256()[:53], phone=rng.choice([None, f.phone_number()]),
            jobtitle=rng.choice(["Magazijnier", "Heftruckchauffeur", "Boekhouder", "Account manager", "Teamleader",
                                 "Dispatcher", "HR business partner", "IT-medewerker"]),
            employee_num=f"E{rng.randint(10000, 99999)}", manager_id=rng.choice([None, rng.randint(1, 10)]) if n > 10
            else None, location_id=rng.randint(1, 3), department_id=rng.randint(1, 5), company_id=1,
            address=rng.choice([None, f.street_address()]), city=f.city(), zip=f.postcode(), country="BE",
            notes=rng.choice([None, None, "Werkt halftijds", f"Thuiswerk: privé-adres {f.street_address()}"]),
            avatar=rng.choice([None, f"avatar-{fake.sha1()[:12]}.jpg"]),
            remember_token=rng.choice([None, fake.sha1()[:60]]), last_login=_when(rng), activated=1,
            vip=rng.choice([0, 0, 0, 1]), start_date=fake.date_between("-15y", "-1m"),
            end_date=rng.choice([None] * 9 + [fake.date_between("-1y", "today")]), created_at=_when(rng)))
    for n in range(1, 321):
        model = rng.randint(1, 6)
        cat = models[model - 1][2]
        assigned = rng.choice(users) if rng.random() < 0.75 else None
        asset = rows.add("assets", name=f"{['LT', 'PH', 'MON'][cat - 1]}-{n:04d}", asset_tag=f"BL{n:05d}",
                         model_id=model, serial=fake.bothify("??#######??").upper(),
                         purchase_date=fake.date_between("-5y", "-1m"), purchase_cost=round(rng.uniform(150, 1900), 2),
                         order_number=f"PO-{rng.randint(2019, 2024)}-{rng.randint(100, 999)}",
                         assigned_to=assigned, assigned_type=USER if assigned else None,
                         status_id=2 if assigned else rng.choice([1, 3, 4, 5]), location_id=rng.randint(1, 3),
                         rtd_location_id=1, notes=rng.choice([None, None, "Scherm vervangen in 2023", "Batterij zwak"]),
                         image=None, company_id=1, supplier_id=rng.randint(1, 4),
                         last_checkout=_when(rng) if assigned else None, expected_checkin=None,
                         _snipeit_mac_address_1=fake.mac_address() if cat == 1 else None,
                         _snipeit_imei_2=str(rng.randint(10**14, 10**15 - 1)) if cat == 2 else None,
                         created_at=_when(rng))
        if assigned:
            user = rows["users"][assigned - 1]
            rows.add("action_logs", user_id=rng.randint(1, 10), action_type="checkout", target_id=assigned,
                     target_type=USER, item_type=ASSET, item_id=asset,
                     note=rng.choice([None, f"Afgegeven aan {user['first_name']} bij indiensttreding",
                                      "Vervangtoestel"]), log_meta=None, filename=None, accept_signature=None,
                     remote_ip=fake.ipv4_private(), user_agent=fake.user_agent(), created_at=_when(rng))
            if cat in (1, 2):
                accepted = rng.random() < 0.8
                signature = f"siglog-{fake.uuid4()}.png" if accepted else None
                rows.add("checkout_acceptances", checkoutable_type=ASSET, checkoutable_id=asset, assigned_to_id=assigned,
                         signature_filename=signature, accepted_at=_when(rng) if accepted else None,
                         declined_at=None if accepted else _when(rng),
                         note=rng.choice([None, None, "Kras op behuizing bij ontvangst",
                                          f"{user['first_name']} {user['last_name']} weigert: eigen toestel"]),
                         created_at=_when(rng))
                if accepted:
                    rows.add("action_logs", user_id=assigned, action_type="accepted", target_id=assigned,
                             target_type=USER, item_type=ASSET, item_id=asset, note=None, log_meta=None,
                             filename=rng.choice([None, f"ontvangstbewijs_{user['last_name'].lower()}.pdf".replace(" ", "_")]),
                             accept_signature=signature, remote_ip=fake.ipv4_public(), user_agent=fake.user_agent(),
                             created_at=_when(rng))
    for uid in rng.sample(users, 60):
        user = rows["users"][uid - 1]
        old, new = user["phone"] or "", nl.phone_number()
        rows.add("action_logs", user_id=rng.randint(1, 10), action_type="update", target_id=None, target_type=None,
                 item_type=USER, item_id=uid, note=None,
                 log_meta=json.dumps({"phone": {"old": old, "new": new}} if rng.random() < 0.5
                                     else {"location_id": {"old": 1, "new": rng.randint(2, 3)}}),
                 filename=None, accept_signature=None, remote_ip=fake.ipv4_private(), user_agent=fake.user_agent(),
                 created_at=_when(rng))
    for name, seats, key in [("Microsoft 365 Business", 200, "M365"), ("Adobe Acrobat Pro", 25, "ACRO"),
                             ("JetBrains All Products", 6, "JB")]:
        lic = rows.add("licenses", name=name, serial=fake.bothify(f"{key}-????-####-????").upper(), seats=seats,
                       license_name="Brabant Logistics NV", license_email="it@brabantlogistics.example.be",
                       purchase_cost=round(rng.uniform(500, 25000), 2), expiration_date=fake.date_between("today", "+2y"),
                       supplier_id=rng.randint(1, 4), category_id=4, created_at=_when(rng))
        for holder in rng.sample(users, min(seats, 150)):
            rows.add("license_seats", license_id=lic, assigned_to=holder if rng.random() < 0.9 else None,
                     asset_id=None, notes=None, created_at=_when(rng))
    for name, cat, qty in [("Jabra Evolve2 40", 5, 80), ("Dell WD19 dock", 6, 60)]:
        acc = rows.add("accessories", name=name, category_id=cat, qty=qty, company_id=1, location_id=1,
                       purchase_cost=round(rng.uniform(60, 250), 2))
        for holder in rng.sample(users, qty // 2):
            rows.add("accessories_users", accessory_id=acc, assigned_to=holder, assigned_type=USER,
                     note=None, created_at=_when(rng))
    _fill(engine, """
        CREATE TABLE companies (id INTEGER PRIMARY KEY, name VARCHAR(255), created_at TIMESTAMP);
        CREATE TABLE locations (id INTEGER PRIMARY KEY, name VARCHAR(255), address VARCHAR(255), city VARCHAR(255),
                                state VARCHAR(255), country VARCHAR(2), zip VARCHAR(10), currency VARCHAR(10),
                                created_at TIMESTAMP);
        CREATE TABLE departments (id INTEGER PRIMARY KEY, name VARCHAR(255),
                                  company_id INTEGER REFERENCES companies(id),
                                  location_id INTEGER REFERENCES locations(id), created_at TIMESTAMP);
        CREATE TABLE categories (id INTEGER PRIMARY KEY, name VARCHAR(255), category_type VARCHAR(255),
                                 require_acceptance INTEGER, eula_text TEXT);
        CREATE TABLE manufacturers (id INTEGER PRIMARY KEY, name VARCHAR(255), url VARCHAR(255),
                                    support_url VARCHAR(255), support_phone VARCHAR(255), support_email VARCHAR(255));
        CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name VARCHAR(255), address VARCHAR(250), city VARCHAR(255),
                                zip VARCHAR(10), contact VARCHAR(100), phone VARCHAR(35), email VARCHAR(150),
                                url VARCHAR(250), notes TEXT);
        CREATE TABLE status_labels (id INTEGER PRIMARY KEY, name VARCHAR(255), deployable INTEGER, pending INTEGER,
                                    archived INTEGER);
        CREATE TABLE custom_fieldsets (id INTEGER PRIMARY KEY, name VARCHAR(255));
        CREATE TABLE custom_fields (id INTEGER PRIMARY KEY, name VARCHAR(255), db_column VARCHAR(255),
                                    format VARCHAR(255), element VARCHAR(255),
                                    fieldset_id INTEGER REFERENCES custom_fieldsets(id));
        CREATE TABLE models (id INTEGER PRIMARY KEY, name VARCHAR(255), model_number VARCHAR(255),
                             manufacturer_id INTEGER REFERENCES manufacturers(id),
                             category_id INTEGER REFERENCES categories(id),
                             fieldset_id INTEGER REFERENCES custom_fieldsets(id), eol INTEGER);
        CREATE TABLE users (id INTEGER PRIMARY KEY, first_name VARCHAR(191), last_name VARCHAR(191),
                            username VARCHAR(191), email VARCHAR(191), password VARCHAR(191), phone VARCHAR(191),
                            jobtitle VARCHAR(191), employee_num TEXT, manager_id INTEGER REFERENCES users(id),
                            location_id INTEGER REFERENCES locations(id),
                            department_id INTEGER REFERENCES departments(id),
                            company_id INTEGER REFERENCES companies(id), address VARCHAR(191), city VARCHAR(191),
                            zip VARCHAR(10), country VARCHAR(191), notes TEXT, avatar VARCHAR(191),
                            remember_token VARCHAR(100), last_login TIMESTAMP, activated INTEGER, vip INTEGER,
                            start_date DATE, end_date DATE, created_at TIMESTAMP);
        CREATE TABLE assets (id INTEGER PRIMARY KEY, name VARCHAR(255), asset_tag VARCHAR(255),
                             model_id INTEGER REFERENCES models(id), serial VARCHAR(255), purchase_date DATE,
                             purchase_cost DECIMAL(20, 2), order_number VARCHAR(255), assigned_to INTEGER,
                             assigned_type VARCHAR(255), status_id INTEGER REFERENCES status_labels(id),
                             location_id INTEGER REFERENCES locations(id),
                             rtd_location_id INTEGER REFERENCES locations(id), notes TEXT, image TEXT,
                             company_id INTEGER REFERENCES companies(id),
                             supplier_id INTEGER REFERENCES suppliers(id), last_checkout TIMESTAMP,
                             expected_checkin DATE, _snipeit_mac_address_1 TEXT, _snipeit_imei_2 TEXT,
                             created_at TIMESTAMP);
        CREATE TABLE licenses (id INTEGER PRIMARY KEY, name VARCHAR(255), serial TEXT, seats INTEGER,
                               license_name VARCHAR(255), license_email VARCHAR(255), purchase_cost DECIMAL(20, 2),
                               expiration_date DATE, supplier_id INTEGER REFERENCES suppliers(id),
                               category_id INTEGER REFERENCES categories(id), created_at TIMESTAMP);
        CREATE TABLE license_seats (id INTEGER PRIMARY KEY, license_id INTEGER REFERENCES licenses(id),
                                    assigned_to INTEGER REFERENCES users(id), asset_id INTEGER REFERENCES assets(id),
                                    notes TEXT, created_at TIMESTAMP);
        CREATE TABLE accessories (id INTEGER PRIMARY KEY, name VARCHAR(255),
                                  category_id INTEGER REFERENCES categories(id), qty INTEGER,
                                  company_id INTEGER REFERENCES companies(id),
                                  location_id INTEGER REFERENCES locations(id), purchase_cost DECIMAL(20, 2));
        CREATE TABLE accessories_users (id INTEGER PRIMARY KEY, accessory_id INTEGER REFERENCES accessories(id),
                                        assigned_to INTEGER REFERENCES users(id), assigned_type VARCHAR(255),
                                        note TEXT, created_at TIMESTAMP);
        CREATE TABLE action_logs (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id),
                                  action_type VARCHAR(255), target_id INTEGER, target_type VARCHAR(255),
                                  item_type VARCHAR(255), item_id INTEGER, note TEXT, log_meta TEXT,
                                  filename TEXT, accept_signature VARCHAR(100), remote_ip VARCHAR(45),
                                  user_agent VARCHAR(255), created_at TIMESTAMP);
        CREATE TABLE checkout_acceptances (id INTEGER PRIMARY KEY, checkoutable_type VARCHAR(255),
                                           checkoutable_id INTEGER, assigned_to_id INTEGER REFERENCES users(id),
                                           signature_filename VARCHAR(255), accepted_at TIMESTAMP,
                                           declined_at TIMESTAMP, note TEXT, created_at TIMESTAMP)""", rows)


SNIPEIT = Labelled(
    "snipeit", "Snipe-IT as a Leuven company tracks the laptops and phones it issues (staff, assets, action log)",
    build_snipeit,
    _p({"suppliers": "contact phone email",
        "users": "first_name last_name username email password phone jobtitle employee_num address city zip notes "
                 "avatar remember_token",
        "action_logs": "note log_meta filename accept_signature remote_ip user_agent",
        "checkout_acceptances": "signature_filename note"}),
    {"companies": None, "locations": None, "departments": None, "categories": None, "manufacturers": None,
     "suppliers": None, "status_labels": None, "custom_fieldsets": None, "custom_fields": None, "models": None,
     "users": "review", "assets": None, "licenses": None, "license_seats": None, "accessories": None,
     "accessories_users": None, "action_logs": "review", "checkout_acceptances": "review"})


# -- mautic: Mautic -------------------------------------------------------------------------------------------


def build_mautic(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE", "fr_FR"], seed), _Rows()
    fr = fake["fr_BE"]
    for i in range(7):
        first, last = fr.first_name(), fr.last_name()
        rows.add("users", role_id=1 if i == 0 else 2, username=f"{first[0]}{last}".lower().replace(" ", ""),
                 first_name=first, last_name=last, email=f"{first}.{last}@events-wallonie.example.be".lower()
                 .replace(" ", ""), password="$2y$13$" + fake.sha256()[:53],
                 position=rng.choice(["Chargée de communication", "Event manager", "Marketing"]),
                 signature=f"{first} {last}\nEvents Wallonie\n+32 81 {rng.randint(10, 99)} {rng.randint(10, 99)} "
                           f"{rng.randint(10, 99)}", last_login=_when(rng), last_active=_when(rng))
    for name in ("Participants salon 2023", "Newsletter FR", "Nieuwsbrief NL", "Prospects B2B"):
        rows.add("lead_lists", name=name, alias=name.lower().replace(" ", "-"), is_published=1, created_by=1)
    for name in ("Relance inscription salon", "Bienvenue newsletter"):
        rows.add("campaigns", name=name, is_published=1, created_by=1, publish_up=_when(rng))
    for subject in ("Votre invitation au Salon de l'Emploi", "Newsletter de mai", "Dernière chance: inscrivez-vous",
                    "Nieuwsbrief mei"):
        rows.add("emails", name=subject[:30], subject=subject, from_address="newsletter@events-wallonie.example.be",
                 from_name="Events Wallonie", custom_html=f"<h1>{subject}</h1><p>Bonjour {{contactfield=firstname}},</p>",
                 email_type="list", is_published=1, sent_count=0)
    for title, alias in [("Accueil", "accueil"), ("Inscription salon", "inscription"), ("Programme", "programme"),
                         ("Merci", "merci")]:
        rows.add("pages", title=title, alias=alias, is_published=1, hits=0)
    for _ in range(50):
        company = fr.company()
        domain = company.lower().replace(" ", "").replace(",", "").replace(".", "")[:14] + ".example.be"
        first, last = fr.first_name(), fr.last_name()
        rows.add("companies", companyname=company, companyemail=rng.choice([f"info@{domain}",
                 f"{first}.{last}@{domain}".lower().replace(" ", "")]), companyphone=fr.phone_number(),
                 companyaddress1=fr.street_address(), companycity=fr.city(), companyzipcode=fr.postcode(),
                 companycountry="Belgium", companywebsite=f"https://www.{domain}", owner_id=rng.randint(1, 7))
    cities = ["Namur", "Liège", "Charleroi", "Mons", "Bruxelles", "Gent", "Wavre"]
    for _n in range(1, 421):
        f = fake[rng.choice(["fr_BE", "fr_BE", "nl_BE", "fr_FR"])]
        known = rng.random() < 0.8
        first, last = f.first_name(), f.last_name()
        email = f"{first}.{last}{rng.randint(1, 999)}@example.be".lower().replace(" ", "") if known else None
        lead = rows.add("leads", owner_id=rng.choice([None, rng.randint(1, 7)]), title=rng.choice([None, "Mme", "M."])
                        if known else None, firstname=first if known else None, lastname=last if known else None,
                        email=email, phone=rng.choice([None, f.phone_number()]) if known else None,
                        mobile=rng.choice([None, f"+32 4{rng.randint(70, 99)} {rng.randint(100000, 999999)}"])
                        if known else None, position=rng.choice([None, "Directrice RH", "Étudiant", "Recruteur"])
                        if known else None, company=rng.choice([None, f.company()]) if known else None,
                        address1=rng.choice([None, f.street_address()]) if known else None,
                        address2=rng.choice([None, None, None, "Boîte 3", "2e étage"]) if known else None,
                        city=rng.choice([None, f.city()]) if known else None,
                        state=rng.choice([None, None, "Namur", "Hainaut", "Liège"]) if known else None,
                        zipcode=rng.choice([None, f.postcode()]) if known else None,
                        country=rng.choice([None, "Belgium", "Belgium", "France"]) if known else None,
                        preferred_locale=rng.choice(["fr_BE", "nl_BE", "fr_FR"]), timezone="Europe/Brussels",
                        points=rng.randint(0, 120), last_active=_when(rng),
                        date_identified=_when(rng) if known else None, date_added=_when(rng),
                        linkedin=rng.choice([None, None, f"{first}-{last}-{rng.randint(10, 99)}".lower()
                                             .replace(" ", "")]) if known else None,
                        twitter=rng.choice([None, None, f"@{first.lower()}{rng.randint(1, 99)}"]) if known else None,
                        website=rng.choice([None] * 6 + [f"https://{last.lower().replace(' ', '')}.example.be"])
                        if known else None)
        for seg in rng.sample(range(1, 5), rng.randint(0, 2)):
            rows.add("lead_lists_leads", leadlist_id=seg, lead_id=lead, date_added=_when(rng),
                     manually_removed=rng.choice([0, 0, 1]))
        if known and rng.random() < 0.3:
            rows.add("companies_leads", company_id=rng.randint(1, 50), lead_id=lead, date_added=_when(rng), is_primary=1)
        if rng.random() < 0.4:
            rows.add("campaign_leads", campaign_id=rng.randint(1, 2), lead_id=lead, date_added=_when(rng),
                     manually_removed=0, rotation=1)
        ua = fake.user_agent()
        ips = []
        for _ in range(rng.randint(1, 2)):
            ip = fake.ipv4_public()
            ips.append(rows.add("ip_addresses", ip_address=ip, ip_details=json.dumps(
                {"city": rng.choice(cities), "region": rng.choice(["Wallonie", "Bruxelles", "Vlaanderen"]),
                 "country": "Belgium", "isp": rng.choice(["Proximus", "VOO", "Telenet", "Orange Belgium"]),
                 "latitude": round(rng.uniform(50.1, 51.1), 4), "longitude": round(rng.uniform(3.5, 5.9), 4)})))
            rows.add("lead_ips_xref", lead_id=lead, ip_id=ips[-1])
        if rng.random() < 0.6:
            rows.add("lead_devices", lead_id=lead, date_added=_when(rng),
                     client_info=json.dumps({"type": "browser", "name": rng.choice(["Chrome", "Firefox", "Safari"]),
                                             "user_agent": ua}),
                     device=rng.choice(["desktop", "smartphone", "tablet"]),
                     device_os_name=rng.choice(["Windows", "Android", "iOS", "Mac"]),
                     device_os_version=rng.choice(["10", "11", "14", "17.2"]),
                     device_fingerprint=fake.sha256()[:32], device_brand=rng.choice([None, "AP", "SA"]),
                     device_model=rng.choice([None, "iPhone", "Galaxy S21"]))
        for _ in range(rng.randint(0, 5)):
            page = rng.randint(1, 4)
            url = f"https://www.events-wallonie.example.be/{rows['pages'][page - 1]['alias']}"
            if email and rng.random() < 0.15:
                url += f"?email={email}&utm_source=newsletter"
            elif rng.random() < 0.4:
                url += "?utm_source=newsletter&utm_medium=email"
            hit = _when(rng)
            rows.add("page_hits", page_id=page, lead_id=lead, ip_id=rng.choice(ips), date_hit=hit,
                     date_left=hit + timedelta(seconds=rng.randint(5, 600)), country="BE",
                     region=rng.choice(["Wallonie", "Bruxelles", "Vlaanderen"]), city=rng.choice(cities),
                     isp=rng.choice(["Proximus", "VOO", "Telenet", "Orange Belgium"]), code=200,
                     referer=rng.choice([None, "https://www.google.com/", "https://www.linkedin.com/"]), url=url,
                     url_title=rows["pages"][page - 1]["title"], user_agent=ua,
                     remote_host=rng.choice([None, f"{rng.randint(1, 254)}.{rng.randint(1, 254)}.dyn.proximus.example.be"]),
                     page_language=rng.choice(["fr", "nl"]), browser_languages=json.dumps(["fr-BE", "fr", "en"]),
                     tracking_id=fake.sha1()[:24], source=rng.choice([None, "email"]), source_id=None)
        if email:
            for mail in rng.sample(range(1, 5), rng.randint(0, 3)):
                sent = _when(rng)
                read = rng.random() < 0.4
                rows.add("email_stats", email_id=mail, lead_id=lead, email_address=email, ip_id=ips[0] if read else None,
                         date_sent=sent, is_read=int(read), date_read=sent + timedelta(hours=rng.randint(1, 72))
                         if read else None, tracking_hash=fake.lexify("?" * 13).lower(), retry_count=0,
                         is_failed=0, open_count=rng.randint(1, 4) if read else 0,
                         open_details=json.dumps([{"datetime": str(sent), "useragent": ua,
                                                   "inBrowser": False}]) if read else None,
                         source="campaign", source_id=rng.randint(1, 2))
            if rng.random() < 0.12:
                reason = rng.choice([1, 2, 3])
                rows.add("lead_donotcontact", lead_id=lead, date_added=_when(rng), reason=reason, channel="email",
                         channel_id=rng.randint(1, 4), comments={1: "User unsubscribed.",
                                                                  2: f"550 5.1.1 <{email}>: Recipient address rejected",
                                                                  3: f"Demande téléphonique de {first}"}[reason])
        for _ in range(rng.randint(0, 3)):
            staff = rows["users"][rng.randint(0, 6)]
            action = rng.choice(["identified", "update", "segment_added", "points_added"])
            props = ({"fields": {"email": [None, email], "firstname": [None, first]}} if action == "identified" and email
                     else {"fields": {"points": [0, rng.randint(1, 50)]}} if action != "update"
                     else {"fields": {"phone": [None, f.phone_number()]}})
            rows.add("lead_event_log", lead_id=lead, user_id=staff["id"],
                     user_name=f"{staff['first_name']} {staff['last_name']}", bundle="lead", object="lead",
                     action=action, object_id=lead, date_added=_when(rng), properties=json.dumps(props))
        if known and rng.random() < 0.3:
            staff = rows["users"][rng.randint(0, 6)]
            rows.add("audit_log", user_id=staff["id"], user_name=f"{staff['first_name']} {staff['last_name']}",
                     bundle="lead", object="lead", object_id=lead, action=rng.choice(["create", "update"]),
                     details=json.dumps({"firstname": [None, first], "lastname": [None, last], "email": [None, email]}),
                     date_added=_when(rng), ip_address=fake.ipv4_public())
    for _ in range(40):
        staff = rows["users"][rng.randint(0, 6)]
        rows.add("audit_log", user_id=staff["id"], user_name=f"{staff['first_name']} {staff['last_name']}",
                 bundle="email", object="email", object_id=rng.randint(1, 4), action="update",
                 details=json.dumps({"subject": ["Newsletter", "Newsletter de mai"]}), date_added=_when(rng),
                 ip_address=fake.ipv4_public())
    _fill(engine, """
        CREATE TABLE users (id INTEGER PRIMARY KEY, role_id INTEGER, username VARCHAR(191), first_name VARCHAR(191),
                            last_name VARCHAR(191), email VARCHAR(191), password VARCHAR(64), position VARCHAR(191),
                            signature TEXT, last_login TIMESTAMP, last_active TIMESTAMP);
        CREATE TABLE lead_lists (id INTEGER PRIMARY KEY, name VARCHAR(191), alias VARCHAR(191), is_published INTEGER,
                                 created_by INTEGER REFERENCES users(id));
        CREATE TABLE campaigns (id INTEGER PRIMARY KEY, name VARCHAR(191), is_published INTEGER,
                                created_by INTEGER REFERENCES users(id), publish_up TIMESTAMP);
        CREATE TABLE emails (id INTEGER PRIMARY KEY, name VARCHAR(191), subject TEXT, from_address VARCHAR(191),
                             from_name VARCHAR(191), custom_html TEXT, email_type TEXT, is_published INTEGER,
                             sent_count INTEGER);
        CREATE TABLE pages (id INTEGER PRIMARY KEY, title VARCHAR(191), alias VARCHAR(191), is_published INTEGER,
                            hits INTEGER);
        CREATE TABLE companies (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id),
                                companyname VARCHAR(191), companyemail VARCHAR(191), companyphone VARCHAR(191),
                                companyaddress1 VARCHAR(191), companycity VARCHAR(191), companyzipcode VARCHAR(191),
                                companycountry VARCHAR(191), companywebsite VARCHAR(191));
        CREATE TABLE leads (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id), title VARCHAR(191),
                            firstname VARCHAR(191), lastname VARCHAR(191), email VARCHAR(191), phone VARCHAR(191),
                            mobile VARCHAR(191), position VARCHAR(191), company VARCHAR(191),
                            address1 VARCHAR(191), address2 VARCHAR(191), city VARCHAR(191), state VARCHAR(191),
                            zipcode VARCHAR(191), country VARCHAR(191), preferred_locale VARCHAR(191),
                            timezone VARCHAR(191), points INTEGER, last_active TIMESTAMP, date_identified TIMESTAMP,
                            date_added TIMESTAMP, linkedin VARCHAR(191), twitter VARCHAR(191),
                            website VARCHAR(191));
        CREATE TABLE lead_lists_leads (leadlist_id INTEGER REFERENCES lead_lists(id),
                                       lead_id INTEGER REFERENCES leads(id), date_added TIMESTAMP,
                                       manually_removed INTEGER, PRIMARY KEY (leadlist_id, lead_id));
        CREATE TABLE companies_leads (company_id INTEGER REFERENCES companies(id),
                                      lead_id INTEGER REFERENCES leads(id), date_added TIMESTAMP, is_primary INTEGER,
                                      PRIMARY KEY (company_id, lead_id));
        CREATE TABLE campaign_leads (campaign_id INTEGER REFERENCES campaigns(id),
                                     lead_id INTEGER REFERENCES leads(id), date_added TIMESTAMP,
                                     manually_removed INTEGER, rotation INTEGER, PRIMARY KEY (campaign_id, lead_id));
        CREATE TABLE ip_addresses (id INTEGER PRIMARY KEY, ip_address VARCHAR(45), ip_details TEXT);
        CREATE TABLE lead_ips_xref (lead_id INTEGER REFERENCES leads(id), ip_id INTEGER REFERENCES ip_addresses(id),
                                    PRIMARY KEY (lead_id, ip_id));
        CREATE TABLE lead_devices (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads(id), date_added TIMESTAMP,
                                   client_info TEXT, device VARCHAR(191), device_os_name VARCHAR(191),
                                   device_os_version VARCHAR(191), device_fingerprint VARCHAR(191),
                                   device_brand VARCHAR(191), device_model VARCHAR(191));
        CREATE TABLE page_hits (id INTEGER PRIMARY KEY, page_id INTEGER REFERENCES pages(id),
                                lead_id INTEGER REFERENCES leads(id), ip_id INTEGER REFERENCES ip_addresses(id),
                                date_hit TIMESTAMP, date_left TIMESTAMP, country VARCHAR(191), region VARCHAR(191),
                                city VARCHAR(191), isp VARCHAR(191), code INTEGER, referer TEXT, url TEXT,
                                url_title VARCHAR(191), user_agent TEXT, remote_host VARCHAR(191),
                                page_language VARCHAR(191), browser_languages TEXT, tracking_id VARCHAR(191),
                                source VARCHAR(191), source_id INTEGER);
        CREATE TABLE email_stats (id INTEGER PRIMARY KEY, email_id INTEGER REFERENCES emails(id),
                                  lead_id INTEGER REFERENCES leads(id), email_address VARCHAR(191),
                                  ip_id INTEGER REFERENCES ip_addresses(id), date_sent TIMESTAMP, is_read INTEGER,
                                  date_read TIMESTAMP, tracking_hash VARCHAR(191), retry_count INTEGER,
                                  is_failed INTEGER, open_count INTEGER, open_details TEXT, source VARCHAR(191),
                                  source_id INTEGER);
        CREATE TABLE lead_donotcontact (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads(id),
                                        date_added TIMESTAMP, reason INTEGER, channel VARCHAR(191),
                                        channel_id INTEGER, comments TEXT);
        CREATE TABLE lead_event_log (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads(id),
                                     user_id INTEGER, user_name VARCHAR(191), bundle VARCHAR(191), object VARCHAR(191),
                                     action VARCHAR(191), object_id INTEGER, date_added TIMESTAMP, properties TEXT);
        CREATE TABLE audit_log (id INTEGER PRIMARY KEY, user_id INTEGER, user_name VARCHAR(191), bundle VARCHAR(50),
                                object VARCHAR(50), object_id INTEGER, action VARCHAR(50), details TEXT,
                                date_added TIMESTAMP, ip_address VARCHAR(45))""", rows)


MAUTIC = Labelled(
    "mautic", "Mautic as a Walloon events company runs its newsletters (contacts, tracking logs; French data)",
    build_mautic,
    _p({"users": "username first_name last_name email password position signature",
        "companies": "companyemail companyphone",
        "leads": "title firstname lastname email phone mobile position address1 address2 city state zipcode country "
                 "linkedin twitter website",
        "ip_addresses": "ip_address ip_details",
        "lead_devices": "client_info device_fingerprint",
        "page_hits": "region city isp url user_agent remote_host tracking_id",
        "email_stats": "email_address tracking_hash open_details",
        "lead_donotcontact": "comments",
        "lead_event_log": "user_name properties",
        "audit_log": "user_name details ip_address"}),
    {"users": "review", "lead_lists": None, "campaigns": None, "emails": None, "pages": None, "companies": None,
     "leads": "delete", "lead_lists_leads": "delete", "companies_leads": "delete", "campaign_leads": "delete",
     "ip_addresses": "delete", "lead_ips_xref": "delete", "lead_devices": "delete", "page_hits": "delete",
     "email_stats": "delete", "lead_donotcontact": "delete", "lead_event_log": "delete", "audit_log": "delete"})
