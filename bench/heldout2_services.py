"""The `payroll` and `gemeente` schemas of the fresh held-out batch (bench/heldout2_schemas.py says where each
shape comes from and how they were labelled)."""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- payroll: Frappe HRMS -----------------------------------------------------------------------


def build_payroll(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_IN", "en_GB"], seed), _Rows()
    rows.add("tab_company", key="name", name="Acme Industries Pvt Ltd", abbr="AIPL", default_currency="INR",
             country="India", tax_id="27AAACA1234A1Z5")
    for dept in ("Accounts", "Human Resources", "Manufacturing", "Sales", "Research & Development"):
        rows.add("tab_department", key="name", name=f"{dept} - AIPL", department_name=dept, company="Acme Industries Pvt Ltd")
    for designation in ("Accountant", "HR Manager", "Machine Operator", "Sales Executive", "Engineer"):
        rows.add("tab_designation", key="name", name=designation, description=f"{designation} role")
    for n in range(1, 181):
        f = fake["en_IN"]
        first, last = f.first_name(), f.last_name()
        emp = f"HR-EMP-{n:05d}"
        joined = fake.date_between(date(2012, 1, 1), date(2023, 12, 31))
        rows.add("tab_employee", key="name", name=emp, employee_name=f"{first} {last}", first_name=first,
                 last_name=last, gender=rng.choice(["Male", "Female"]), date_of_birth=fake.date_of_birth(minimum_age=21,
                                                                                                         maximum_age=60),
                 date_of_joining=joined, status=rng.choice(["Active", "Active", "Left"]),
                 company="Acme Industries Pvt Ltd", department=f"{rng.choice(['Accounts', 'Sales', 'Manufacturing'])} - AIPL",
                 designation=rng.choice(["Accountant", "Machine Operator", "Sales Executive", "Engineer"]),
                 company_email=f"{first}.{last}@acme.example".lower(), personal_email=fake.free_email(),
                 cell_number=f.phone_number(), current_address=f.address().replace("\n", ", "),
                 permanent_address=f.address().replace("\n", ", "), marital_status=rng.choice(["Single", "Married"]),
                 blood_group=rng.choice(["A+", "B+", "O+", "AB-"]), person_to_be_contacted=f.name(),
                 emergency_phone_number=f.phone_number(), relation=rng.choice(["Spouse", "Father", "Mother"]),
                 bank_name=rng.choice(["HDFC Bank", "State Bank of India", "ICICI Bank"]),
                 bank_ac_no=str(rng.randint(10**11, 10**12 - 1)), passport_number=fake.bothify("?#######").upper())
        for month in range(1, 4):
            start = date(2024, month, 1)
            gross = rng.randint(30000, 150000)
            slip = rows.add("tab_salary_slip", key="name", name=f"Sal Slip/{emp}/{month:05d}", employee=emp,
                            employee_name=f"{first} {last}", start_date=start, end_date=start + timedelta(days=27),
                            gross_pay=gross, total_deduction=round(gross * 0.12), net_pay=round(gross * 0.88),
                            bank_account_no=str(rng.randint(10**11, 10**12 - 1)), docstatus=1)
            for component, share in (("Basic", 0.5), ("House Rent Allowance", 0.2), ("Provident Fund", -0.12)):
                rows.add("tab_salary_detail", key="name", name=f"{slip}-{component[:3]}", parent=slip,
                         salary_component=component, amount=round(gross * share))
        if rng.random() < 0.5:
            rows.add("tab_leave_application", key="name", name=f"HR-LAP-{n:05d}", employee=emp,
                     employee_name=f"{first} {last}", leave_type=rng.choice(["Casual Leave", "Sick Leave"]),
                     from_date=date(2024, 5, 6), to_date=date(2024, 5, 8),
                     description=rng.choice(["Family function", "Fever, doctor's note attached",
                                             f"Visiting my mother in hospital, reachable on {f.phone_number()}"]),
                     status=rng.choice(["Approved", "Open"]))
        if rng.random() < 0.3:
            rows.add("tab_expense_claim", key="name", name=f"HR-EXP-{n:05d}", employee=emp,
                     employee_name=f"{first} {last}", posting_date=_when(rng).date(),
                     total_claimed_amount=rng.randint(500, 20000), remark=rng.choice(["Client visit", "Taxi to airport"]))
        for _ in range(rng.randint(2, 6)):
            rows.add("tab_employee_checkin", key="name", name=f"EMP-CKIN-{len(rows.get('tab_employee_checkin', [])):06d}",
                     employee=emp, log_type=rng.choice(["IN", "OUT"]), time=_when(rng),
                     device_id=f"GATE-{rng.randint(1, 4)}", latitude=round(rng.uniform(18.4, 18.6), 6),
                     longitude=round(rng.uniform(73.7, 73.9), 6))
    _fill(engine, """
        CREATE TABLE tab_company (name VARCHAR(140) PRIMARY KEY, abbr VARCHAR(10), default_currency VARCHAR(3),
                                  country VARCHAR(60), tax_id VARCHAR(20));
        CREATE TABLE tab_department (name VARCHAR(140) PRIMARY KEY, department_name VARCHAR(100),
                                     company VARCHAR(140) REFERENCES tab_company(name));
        CREATE TABLE tab_designation (name VARCHAR(140) PRIMARY KEY, description TEXT);
        CREATE TABLE tab_employee (name VARCHAR(140) PRIMARY KEY, employee_name VARCHAR(140), first_name VARCHAR(60),
                                   last_name VARCHAR(60), gender VARCHAR(10), date_of_birth DATE,
                                   date_of_joining DATE, status VARCHAR(10),
                                   company VARCHAR(140) REFERENCES tab_company(name),
                                   department VARCHAR(140) REFERENCES tab_department(name),
                                   designation VARCHAR(140) REFERENCES tab_designation(name),
                                   company_email VARCHAR(140), personal_email VARCHAR(140), cell_number VARCHAR(40),
                                   current_address TEXT, permanent_address TEXT, marital_status VARCHAR(10),
                                   blood_group VARCHAR(5), person_to_be_contacted VARCHAR(140),
                                   emergency_phone_number VARCHAR(40), relation VARCHAR(20), bank_name VARCHAR(60),
                                   bank_ac_no VARCHAR(30), passport_number VARCHAR(20));
        CREATE TABLE tab_salary_slip (name VARCHAR(140) PRIMARY KEY, employee VARCHAR(140) REFERENCES tab_employee(name),
                                      employee_name VARCHAR(140), start_date DATE, end_date DATE,
                                      gross_pay NUMERIC(18,2), total_deduction NUMERIC(18,2), net_pay NUMERIC(18,2),
                                      bank_account_no VARCHAR(30), docstatus INTEGER);
        CREATE TABLE tab_salary_detail (name VARCHAR(140) PRIMARY KEY,
                                        parent VARCHAR(140) REFERENCES tab_salary_slip(name),
                                        salary_component VARCHAR(60), amount NUMERIC(18,2));
        CREATE TABLE tab_leave_application (name VARCHAR(140) PRIMARY KEY,
                                            employee VARCHAR(140) REFERENCES tab_employee(name),
                                            employee_name VARCHAR(140), leave_type VARCHAR(40), from_date DATE,
                                            to_date DATE, description TEXT, status VARCHAR(10));
        CREATE TABLE tab_expense_claim (name VARCHAR(140) PRIMARY KEY,
                                        employee VARCHAR(140) REFERENCES tab_employee(name),
                                        employee_name VARCHAR(140), posting_date DATE,
                                        total_claimed_amount NUMERIC(18,2), remark TEXT);
        CREATE TABLE tab_employee_checkin (name VARCHAR(140) PRIMARY KEY,
                                           employee VARCHAR(140) REFERENCES tab_employee(name), log_type VARCHAR(3),
                                           time TIMESTAMP, device_id VARCHAR(20), latitude NUMERIC(9,6),
                                           longitude NUMERIC(9,6))""", rows)


PAYROLL = Labelled(
    "payroll", "Frappe HRMS employees, salary slips, leave, expenses and check-ins", build_payroll,
    _p({"tab_employee": "employee_name first_name last_name gender date_of_birth company_email personal_email "
                        "cell_number current_address permanent_address marital_status blood_group "
                        "person_to_be_contacted emergency_phone_number bank_ac_no passport_number",
        "tab_salary_slip": "employee_name bank_account_no",
        "tab_leave_application": "employee_name description", "tab_expense_claim": "employee_name",
        "tab_employee_checkin": "latitude longitude"}),
    {"tab_company": None, "tab_department": None, "tab_designation": None, "tab_employee": "review",
     "tab_salary_slip": "retain", "tab_salary_detail": "retain", "tab_leave_application": "review",
     "tab_expense_claim": "retain", "tab_employee_checkin": "review"})


# -- gemeente: Signalen and a resident portal ---------------------------------------------------

def build_gemeente(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_NL"], seed), _Rows()
    for code, naam in [("A", "Centrum"), ("E", "West"), ("K", "Zuid"), ("M", "Oost"), ("N", "Noord")]:
        rows.add("wijken", code=code, naam=naam)
    for slug, naam in [("wegdek", "Wegdek kapot"), ("straatverlichting", "Lantaarnpaal defect"),
                       ("afval", "Afval naast container"), ("overlast", "Geluidsoverlast"), ("groen", "Boom of struik")]:
        rows.add("categorieen", slug=slug, naam=naam, afhandeltermijn_dagen=rng.randint(3, 14))
    for _ in range(400):
        m = rows.add("meldingen", categorie_id=rng.randint(1, 5), wijk_id=rng.randint(1, 5),
                     tekst=rng.choice(["Gat in het fietspad bij de brug.", "Lamp brandt al een week niet.",
                                       "Vuilniszakken naast de container, stinkt enorm.",
                                       "Buren draaien elke nacht harde muziek, ik woon op nummer 12.",
                                       "Tak hangt over de stoep."]),
                     locatie_straat=fake.street_name(), locatie_huisnummer=str(rng.randint(1, 200)),
                     lat=round(rng.uniform(52.30, 52.42), 6), lon=round(rng.uniform(4.80, 5.00), 6),
                     status=rng.choice(["gemeld", "in behandeling", "afgehandeld"]), aangemaakt_op=_when(rng))
        if rng.random() < 0.7:
            rows.add("melders", melding_id=m, email=rng.choice([None, fake.email()]),
                     telefoonnummer=rng.choice([None, fake.phone_number()]), delen_toegestaan=rng.random() < 0.5)
    for _ in range(200):
        first, last = fake.first_name(), fake.last_name()
        voorvoegsel = rng.choice([None, None, "van", "de", "van der"])
        i = rows.add("inwoners", bsn=fake.ssn(), voornamen=first, voorvoegsel=voorvoegsel, geslachtsnaam=last,
                     geboortedatum=fake.date_of_birth(minimum_age=18, maximum_age=90), email=fake.email(),
                     telefoonnummer=fake.phone_number(), straatnaam=fake.street_name(),
                     huisnummer=rng.randint(1, 300), huisletter=rng.choice([None, None, "A", "B"]),
                     postcode=fake.postcode(), woonplaats=fake.city(), laatst_ingelogd=_when(rng))
        for year in (2023, 2024):
            rows.add("belastingaanslagen", aanslagnummer=f"{year}{rng.randint(10**6, 10**7)}", inwoner_id=i,
                     belastingjaar=year, soort=rng.choice(["afvalstoffenheffing", "OZB", "rioolheffing"]),
                     bedrag=rng.randint(150, 900), vervaldatum=date(year, 5, 31))
        if rng.random() < 0.6:
            rows.add("afvalpassen", pasnummer=fake.numerify("04##########"), inwoner_id=i,
                     uitgegeven_op=_when(rng).date(), geblokkeerd=False)
        if rng.random() < 0.4:
            a = rows.add("aanvragen", inwoner_id=i, soort=rng.choice(["parkeervergunning", "evenementenvergunning",
                                                                      "kapvergunning"]),
                         kenteken=fake.bothify("??-###-?").upper(), toelichting=rng.choice([
                             None, "Tweede auto voor mijn werk als thuiszorger.", f"Bereikbaar op {fake.phone_number()}",
                             "Verhuizing naar dit adres per 1 maart."]), status=rng.choice(["ingediend", "verleend"]),
                         ingediend_op=_when(rng))
            rows.add("leges_betalingen", aanvraag_id=a, bedrag=rng.choice([55, 120, 310]), iban=fake.iban(),
                     betaald_op=_when(rng), transactie_referentie=fake.bothify("TRX########"))
    _fill(engine, """
        CREATE TABLE wijken (id INTEGER PRIMARY KEY, code VARCHAR(2), naam VARCHAR(60));
        CREATE TABLE categorieen (id INTEGER PRIMARY KEY, slug VARCHAR(40), naam VARCHAR(80),
                                  afhandeltermijn_dagen INTEGER);
        CREATE TABLE meldingen (id INTEGER PRIMARY KEY, categorie_id INTEGER REFERENCES categorieen(id),
                                wijk_id INTEGER REFERENCES wijken(id), tekst TEXT, locatie_straat VARCHAR(120),
                                locatie_huisnummer VARCHAR(10), lat NUMERIC(9,6), lon NUMERIC(9,6),
                                status VARCHAR(20), aangemaakt_op TIMESTAMP);
        CREATE TABLE melders (id INTEGER PRIMARY KEY, melding_id INTEGER REFERENCES meldingen(id),
                              email VARCHAR(160), telefoonnummer VARCHAR(30), delen_toegestaan BOOLEAN);
        CREATE TABLE inwoners (id INTEGER PRIMARY KEY, bsn VARCHAR(9), voornamen VARCHAR(120),
                               voorvoegsel VARCHAR(10), geslachtsnaam VARCHAR(120), geboortedatum DATE,
                               email VARCHAR(160), telefoonnummer VARCHAR(30), straatnaam VARCHAR(120),
                               huisnummer INTEGER, huisletter VARCHAR(1), postcode VARCHAR(7), woonplaats VARCHAR(80),
                               laatst_ingelogd TIMESTAMP);
        CREATE TABLE belastingaanslagen (id INTEGER PRIMARY KEY, aanslagnummer VARCHAR(20),
                                         inwoner_id INTEGER REFERENCES inwoners(id), belastingjaar INTEGER,
                                         soort VARCHAR(40), bedrag NUMERIC(10,2), vervaldatum DATE);
        CREATE TABLE afvalpassen (id INTEGER PRIMARY KEY, pasnummer VARCHAR(20),
                                  inwoner_id INTEGER REFERENCES inwoners(id), uitgegeven_op DATE,
                                  geblokkeerd BOOLEAN);
        CREATE TABLE aanvragen (id INTEGER PRIMARY KEY, inwoner_id INTEGER REFERENCES inwoners(id),
                                soort VARCHAR(40), kenteken VARCHAR(10), toelichting TEXT, status VARCHAR(20),
                                ingediend_op TIMESTAMP);
        CREATE TABLE leges_betalingen (id INTEGER PRIMARY KEY, aanvraag_id INTEGER REFERENCES aanvragen(id),
                                       bedrag NUMERIC(10,2), iban VARCHAR(34), betaald_op TIMESTAMP,
                                       transactie_referentie VARCHAR(20))""", rows)


GEMEENTE = Labelled(
    "gemeente", "a Dutch municipality: Signalen reports and a resident portal (Dutch names)", build_gemeente,
    _p({"meldingen": "tekst", "melders": "email telefoonnummer",
        "inwoners": "bsn voornamen voorvoegsel geslachtsnaam geboortedatum email telefoonnummer straatnaam "
                    "huisnummer huisletter postcode woonplaats",
        "afvalpassen": "pasnummer", "aanvragen": "kenteken toelichting", "leges_betalingen": "iban"}),
    {"wijken": None, "categorieen": None, "meldingen": "anonymize", "melders": "delete", "inwoners": "delete",
     "belastingaanslagen": "retain", "afvalpassen": "delete", "aanvragen": "retain", "leges_betalingen": "retain"})
