"""Held-out labelled schemas for `eraser discover`: shapes of public sample databases and application schemas,
written here as minimal DDL of the same shape (no schema file copied), filled with deterministic Faker data.
They were labelled with the rules of bench/labelled_schemas.py (R1-R6) before discovery first ran on them, and
are not used to tune it.

- `jaffle`: dbt Labs' jaffle_shop example project (customers, orders, payments); an email column added.
- `hr`: the MySQL "employees" sample database (datacharmer/test_db): employees, departments, department
  memberships and managers, titles and salaries with composite keys; an email column added.
- `django`: Django's auth and sessions (django.contrib.auth, django.contrib.sessions) with
  django-contrib-comments and a blog app.
- `odoo`: Odoo's contacts, sales and invoicing models (res.partner with companies and their people, sale.order,
  account.move and their lines, mail.message, res.country).
- `clinic`: the OpenMRS core data model (person, person_name, person_address, person_attribute, patient,
  patient_identifier, encounter, obs, location).
- `lms`: Moodle's core user tables (mdl_user, mdl_course, mdl_user_enrolments, mdl_forum_posts,
  mdl_grade_grades, mdl_logstore_standard_log).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker


def _fill(engine: sa.Engine, ddl: str, rows: dict[str, list[dict[str, Any]]]) -> None:
    with engine.begin() as conn:
        for statement in ddl.split(";"):
            if statement.strip():
                conn.execute(sa.text(statement))
        meta = sa.MetaData()
        meta.reflect(conn)
        for table in meta.sorted_tables:
            data = rows.get(table.name, [])
            for i in range(0, len(data), 2000):
                conn.execute(table.insert(), data[i:i + 2000])


def _when(rng: random.Random, start: date = date(2019, 1, 1), days: int = 2400) -> datetime:
    return datetime.combine(start, datetime.min.time()) + timedelta(minutes=rng.randint(0, days * 1440))


class _Rows(dict[str, list[dict[str, Any]]]):
    def add(self, table: str, key: str = "id", **values: Any) -> Any:
        data = self.setdefault(table, [])
        values.setdefault(key, len(data) + 1)
        data.append(values)
        return values[key]


# -- jaffle -----------------------------------------------------------------------------------

def build_jaffle(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_US", "nl_BE"], seed), _Rows()
    for _ in range(150):
        first, last = fake.first_name(), fake.last_name()
        c = rows.add("customers", first_name=first, last_name=last,
                     email=f"{first}.{last}{rng.randint(1, 99)}@example.com".lower().replace(" ", ""))
        for _ in range(rng.randint(0, 4)):
            o = rows.add("orders", user_id=c, order_date=_when(rng).date(),
                         status=rng.choice(["placed", "shipped", "completed", "returned"]))
            rows.add("payments", order_id=o, payment_method=rng.choice(["credit_card", "coupon", "bank_transfer"]),
                     amount=rng.randint(100, 3000))
    _fill(engine, """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                                email VARCHAR(120));
        CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES customers(id), order_date DATE,
                             status VARCHAR(20));
        CREATE TABLE payments (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id),
                               payment_method VARCHAR(20), amount INTEGER)""", rows)


JAFFLE = Labelled(
    "jaffle", "dbt's jaffle_shop: customers, orders, payments", build_jaffle,
    _p({"customers": "first_name last_name email"}),
    {"customers": "delete", "orders": "retain", "payments": "retain"})


# -- hr ---------------------------------------------------------------------------------------

def build_hr(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_US", "de_DE"], seed), _Rows()
    depts = ["Marketing", "Finance", "Human Resources", "Production", "Development", "Quality Management"]
    for i, name in enumerate(depts, 1):
        rows.add("departments", key="dept_no", dept_no=f"d{i:03d}", dept_name=name)
    for emp in range(10001, 10201):
        first, last = fake.first_name(), fake.last_name()
        hired = fake.date_between(date(1985, 1, 1), date(2000, 1, 1))
        rows.add("employees", key="emp_no", emp_no=emp, birth_date=fake.date_of_birth(minimum_age=25, maximum_age=65),
                 first_name=first, last_name=last, gender=rng.choice(["M", "F"]), hire_date=hired,
                 email=f"{first[0]}{last}@corp.example".lower().replace(" ", ""))
        dept = f"d{rng.randint(1, len(depts)):03d}"
        rows.add("dept_emp", key="emp_no", emp_no=emp, dept_no=dept, from_date=hired, to_date=date(9999, 1, 1))
        if emp % 40 == 0:
            rows.add("dept_manager", key="emp_no", emp_no=emp, dept_no=dept, from_date=hired, to_date=date(9999, 1, 1))
        rows.add("titles", key="emp_no", emp_no=emp, title=rng.choice(["Engineer", "Senior Engineer", "Staff",
                                                                        "Technique Leader", "Assistant Engineer"]),
                 from_date=hired, to_date=date(9999, 1, 1))
        for year in range(3):
            rows.add("salaries", key="emp_no", emp_no=emp, salary=rng.randint(40000, 120000),
                     from_date=date(hired.year + year, hired.month, 1), to_date=date(hired.year + year + 1, hired.month, 1))
    _fill(engine, """
        CREATE TABLE departments (dept_no CHAR(4) PRIMARY KEY, dept_name VARCHAR(40) NOT NULL UNIQUE);
        CREATE TABLE employees (emp_no INTEGER PRIMARY KEY, birth_date DATE NOT NULL, first_name VARCHAR(14) NOT NULL,
                                last_name VARCHAR(16) NOT NULL, gender CHAR(1) NOT NULL, hire_date DATE NOT NULL,
                                email VARCHAR(80));
        CREATE TABLE dept_emp (emp_no INTEGER NOT NULL REFERENCES employees(emp_no),
                               dept_no CHAR(4) NOT NULL REFERENCES departments(dept_no), from_date DATE NOT NULL,
                               to_date DATE NOT NULL, PRIMARY KEY (emp_no, dept_no));
        CREATE TABLE dept_manager (emp_no INTEGER NOT NULL REFERENCES employees(emp_no),
                                   dept_no CHAR(4) NOT NULL REFERENCES departments(dept_no), from_date DATE NOT NULL,
                                   to_date DATE NOT NULL, PRIMARY KEY (emp_no, dept_no));
        CREATE TABLE titles (emp_no INTEGER NOT NULL REFERENCES employees(emp_no), title VARCHAR(50) NOT NULL,
                             from_date DATE NOT NULL, to_date DATE, PRIMARY KEY (emp_no, title, from_date));
        CREATE TABLE salaries (emp_no INTEGER NOT NULL REFERENCES employees(emp_no), salary INTEGER NOT NULL,
                               from_date DATE NOT NULL, to_date DATE NOT NULL, PRIMARY KEY (emp_no, from_date))""",
          rows)


HR = Labelled(
    "hr", "MySQL's employees sample: an HR database", build_hr,
    _p({"employees": "birth_date first_name last_name gender email", "titles": "title"}),
    {"departments": None, "employees": "review", "dept_emp": None, "dept_manager": None, "titles": None,
     "salaries": None})


# -- django -----------------------------------------------------------------------------------

def build_django(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE", "en_US"], seed), _Rows()
    for name in ("editors", "moderators", "subscribers"):
        rows.add("auth_group", name=name)
    for _ in range(120):
        first, last = fake.first_name(), fake.last_name()
        staff = rng.random() < 0.05
        u = rows.add("auth_user", password="pbkdf2_sha256$600000$" + fake.sha256()[:40], last_login=_when(rng),
                     is_superuser=staff, username=f"{first}{last}{rng.randint(1, 999)}".lower().replace(" ", ""),
                     first_name=first, last_name=last, email=fake.email(), is_staff=staff, is_active=True,
                     date_joined=_when(rng))
        rows.add("auth_user_groups", user_id=u, group_id=rng.randint(1, 3))
        rows.add("django_session", key="session_key", session_key=fake.uuid4().replace("-", "") + str(u),
                 session_data=fake.sha256() + ":" + fake.lexify("?" * 20), expire_date=_when(rng))
        if staff:
            for _ in range(3):
                rows.add("blog_post", title=fake.sentence(nb_words=6), body=fake.paragraph(nb_sentences=6),
                         author_id=u, published_at=_when(rng))
    posts = len(rows.get("blog_post", [])) or 1
    for _ in range(300):
        registered = rng.random() < 0.6
        user = rng.randint(1, 120) if registered else None
        first, last = fake.first_name(), fake.last_name()
        text = rng.choice([f"Bedankt! Mail me op {fake.email()}", "Great post, thanks.", "Interessant artikel.",
                           f"Bel me gerust: {fake['nl_BE'].phone_number()}", "Je ne suis pas d'accord."])
        rows.add("django_comments", content_type_id=7, object_pk=str(rng.randint(1, posts)), site_id=1,
                 user_id=user, user_name=f"{first} {last}", user_email=fake.email(),
                 user_url=rng.choice(["", f"https://{last.lower()}.example"]), comment=text,
                 submit_date=_when(rng), ip_address=fake.ipv4_public(), is_public=True, is_removed=False)
    _fill(engine, """
        CREATE TABLE auth_group (id INTEGER PRIMARY KEY, name VARCHAR(150) NOT NULL UNIQUE);
        CREATE TABLE auth_user (id INTEGER PRIMARY KEY, password VARCHAR(128) NOT NULL, last_login TIMESTAMP,
                                is_superuser BOOLEAN NOT NULL, username VARCHAR(150) NOT NULL UNIQUE,
                                first_name VARCHAR(150) NOT NULL, last_name VARCHAR(150) NOT NULL,
                                email VARCHAR(254) NOT NULL, is_staff BOOLEAN NOT NULL, is_active BOOLEAN NOT NULL,
                                date_joined TIMESTAMP NOT NULL);
        CREATE TABLE auth_user_groups (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES auth_user(id),
                                       group_id INTEGER NOT NULL REFERENCES auth_group(id));
        CREATE TABLE django_session (session_key VARCHAR(40) PRIMARY KEY, session_data TEXT NOT NULL,
                                     expire_date TIMESTAMP NOT NULL);
        CREATE TABLE blog_post (id INTEGER PRIMARY KEY, title VARCHAR(200) NOT NULL, body TEXT NOT NULL,
                                author_id INTEGER REFERENCES auth_user(id), published_at TIMESTAMP);
        CREATE TABLE django_comments (id INTEGER PRIMARY KEY, content_type_id INTEGER NOT NULL,
                                      object_pk VARCHAR(64) NOT NULL, site_id INTEGER NOT NULL,
                                      user_id INTEGER REFERENCES auth_user(id), user_name VARCHAR(50) NOT NULL,
                                      user_email VARCHAR(254) NOT NULL, user_url VARCHAR(200) NOT NULL,
                                      comment TEXT NOT NULL, submit_date TIMESTAMP NOT NULL,
                                      ip_address VARCHAR(39), is_public BOOLEAN NOT NULL,
                                      is_removed BOOLEAN NOT NULL)""", rows)


DJANGO = Labelled(
    "django", "Django auth, sessions, comments and a blog", build_django,
    _p({"auth_user": "password username first_name last_name email", "django_session": "session_key",
        "django_comments": "user_name user_email user_url comment ip_address"}),
    {"auth_group": None, "auth_user": "delete", "auth_user_groups": "delete", "django_session": None,
     "blog_post": None, "django_comments": "delete"})


# -- odoo -------------------------------------------------------------------------------------

def build_odoo(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    for code, name in [("BE", "Belgium"), ("NL", "Netherlands"), ("FR", "France"), ("LU", "Luxembourg")]:
        rows.add("res_country", code=code, name=name)
    for _ in range(40):
        company = fake.company()
        domain = "".join(ch for ch in company.lower() if ch.isalnum())[:16] + ".example"
        c = rows.add("res_partner", name=company, is_company=True, parent_id=None, email=f"info@{domain}",
                     phone=fake["nl_BE"].phone_number(), mobile=None, street=fake.street_address(), street2=None,
                     zip=fake.postcode(), city=fake.city(), country_id=1, vat=fake["nl_BE"].vat_id(), comment=None,
                     website=f"https://www.{domain}")
        for _ in range(rng.randint(1, 3)):
            first, last = fake.first_name(), fake.last_name()
            p = rows.add("res_partner", name=f"{first} {last}", is_company=False, parent_id=c,
                         email=f"{first}.{last}@{domain}".lower().replace(" ", ""), phone=fake["nl_BE"].phone_number(),
                         mobile=fake["nl_BE"].phone_number(), street=fake.street_address(),
                         street2=rng.choice([None, "bus 2", "2de verdieping"]), zip=fake.postcode(), city=fake.city(),
                         country_id=rng.randint(1, 4), vat=None,
                         comment=rng.choice([None, f"Verkiest contact via {fake.email()}", "Klant sinds 2019."]),
                         website=None)
            for _ in range(rng.randint(0, 3)):
                total = rng.randint(100, 5000)
                o = rows.add("sale_order", name=f"S{rng.randint(10000, 99999)}", partner_id=p, date_order=_when(rng),
                             amount_untaxed=total, amount_tax=round(total * 0.21), amount_total=round(total * 1.21),
                             note=rng.choice([None, f"Leveren na 17u, bel {fake['nl_BE'].phone_number()}",
                                              f"Contactpersoon: {first} {last}"]))
                rows.add("sale_order_line", order_id=o, product_name=rng.choice(["Bureaustoel", "Licentie", "Support"]),
                         product_uom_qty=rng.randint(1, 5), price_unit=total, price_subtotal=total)
                m = rows.add("account_move", name=f"INV/2024/{o:05d}", partner_id=p, invoice_date=_when(rng).date(),
                             amount_untaxed=total, amount_tax=round(total * 0.21), amount_total=round(total * 1.21),
                             invoice_origin=f"S{o}")
                rows.add("account_move_line", move_id=m, name="Licentie", quantity=1, price_unit=total,
                         tax_amount=round(total * 0.21))
            if rng.random() < 0.5:
                rows.add("mail_message", model="res.partner", res_id=p, author_id=p, email_from=f"{first} <{fake.email()}>",
                         body=rng.choice([f"Graag terugbellen op {fake['nl_BE'].phone_number()}",
                                          "Offerte ontvangen, bedankt.", f"Mon adresse: {fake.street_address()}"]),
                         date=_when(rng))
    _fill(engine, """
        CREATE TABLE res_country (id INTEGER PRIMARY KEY, code VARCHAR(2), name VARCHAR(60));
        CREATE TABLE res_partner (id INTEGER PRIMARY KEY, name VARCHAR(120), is_company BOOLEAN,
                                  parent_id INTEGER REFERENCES res_partner(id), email VARCHAR(120), phone VARCHAR(40),
                                  mobile VARCHAR(40), street VARCHAR(120), street2 VARCHAR(120), zip VARCHAR(10),
                                  city VARCHAR(60), country_id INTEGER REFERENCES res_country(id), vat VARCHAR(20),
                                  comment TEXT, website VARCHAR(120));
        CREATE TABLE sale_order (id INTEGER PRIMARY KEY, name VARCHAR(20), partner_id INTEGER REFERENCES res_partner(id),
                                 date_order TIMESTAMP, amount_untaxed INTEGER, amount_tax INTEGER,
                                 amount_total INTEGER, note TEXT);
        CREATE TABLE sale_order_line (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES sale_order(id),
                                      product_name VARCHAR(80), product_uom_qty INTEGER, price_unit INTEGER,
                                      price_subtotal INTEGER);
        CREATE TABLE account_move (id INTEGER PRIMARY KEY, name VARCHAR(30), partner_id INTEGER REFERENCES res_partner(id),
                                   invoice_date DATE, amount_untaxed INTEGER, amount_tax INTEGER,
                                   amount_total INTEGER, invoice_origin VARCHAR(30));
        CREATE TABLE account_move_line (id INTEGER PRIMARY KEY, move_id INTEGER REFERENCES account_move(id),
                                        name VARCHAR(80), quantity INTEGER, price_unit INTEGER, tax_amount INTEGER);
        CREATE TABLE mail_message (id INTEGER PRIMARY KEY, model VARCHAR(40), res_id INTEGER,
                                   author_id INTEGER REFERENCES res_partner(id), email_from VARCHAR(160), body TEXT,
                                   date TIMESTAMP)""", rows)


ODOO = Labelled(
    "odoo", "Odoo contacts, sales and invoicing", build_odoo,
    _p({"res_partner": "name email phone mobile street street2 zip city comment", "sale_order": "note",
        "mail_message": "email_from body"}),
    {"res_country": None, "res_partner": "delete", "sale_order": "retain", "sale_order_line": "retain",
     "account_move": "retain", "account_move_line": "retain", "mail_message": "delete"})


# -- clinic -----------------------------------------------------------------------------------

def build_clinic(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    for name in ("Hoofdgebouw", "Polikliniek Noord"):
        rows.add("location", key="location_id", name=name, address1=fake.street_address(), city_village=fake.city())
    notes = ["Patiënt klaagt over hoofdpijn sinds 3 dagen.", "Bloeddruk normaal.", "Allergisch voor penicilline.",
             "Controle over 6 maanden.", "Douleurs abdominales, à revoir."]
    for pid in range(1, 121):
        rows.add("person", key="person_id", person_id=pid, gender=rng.choice(["M", "F"]),
                 birthdate=fake.date_of_birth(minimum_age=1, maximum_age=95), dead=False, uuid=fake.uuid4())
        rows.add("person_name", key="person_name_id", person_id=pid, prefix=rng.choice([None, "Dhr.", "Mevr.", "Mme"]),
                 given_name=fake.first_name(), middle_name=None, family_name=fake.last_name())
        rows.add("person_address", key="person_address_id", person_id=pid, address1=fake.street_address(),
                 address2=None, city_village=fake.city(), state_province=rng.choice(["Antwerpen", "Liège", "Namur"]),
                 postal_code=fake.postcode(), country="Belgium")
        rows.add("person_attribute", key="person_attribute_id", person_id=pid, person_attribute_type_id=8,
                 value=fake["nl_BE"].phone_number())
        rows.add("patient", key="patient_id", patient_id=pid, date_created=_when(rng))
        rows.add("patient_identifier", key="patient_identifier_id", patient_id=pid, identifier_type=3,
                 identifier=fake["nl_BE"].ssn())
        for _ in range(rng.randint(1, 3)):
            e = rows.add("encounter", key="encounter_id", patient_id=pid, encounter_datetime=_when(rng),
                         location_id=rng.randint(1, 2))
            rows.add("obs", key="obs_id", person_id=pid, encounter_id=e, concept_id=rng.randint(1000, 1200),
                     value_text=rng.choice(notes), obs_datetime=_when(rng))
    _fill(engine, """
        CREATE TABLE location (location_id INTEGER PRIMARY KEY, name VARCHAR(255), address1 VARCHAR(255),
                               city_village VARCHAR(255));
        CREATE TABLE person (person_id INTEGER PRIMARY KEY, gender VARCHAR(50), birthdate DATE, dead BOOLEAN,
                             uuid CHAR(38));
        CREATE TABLE person_name (person_name_id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES person(person_id),
                                  prefix VARCHAR(50), given_name VARCHAR(50), middle_name VARCHAR(50),
                                  family_name VARCHAR(50));
        CREATE TABLE person_address (person_address_id INTEGER PRIMARY KEY,
                                     person_id INTEGER REFERENCES person(person_id), address1 VARCHAR(255),
                                     address2 VARCHAR(255), city_village VARCHAR(255), state_province VARCHAR(255),
                                     postal_code VARCHAR(50), country VARCHAR(50));
        CREATE TABLE person_attribute (person_attribute_id INTEGER PRIMARY KEY,
                                       person_id INTEGER REFERENCES person(person_id),
                                       person_attribute_type_id INTEGER, value VARCHAR(50));
        CREATE TABLE patient (patient_id INTEGER PRIMARY KEY REFERENCES person(person_id), date_created TIMESTAMP);
        CREATE TABLE patient_identifier (patient_identifier_id INTEGER PRIMARY KEY,
                                         patient_id INTEGER REFERENCES patient(patient_id), identifier_type INTEGER,
                                         identifier VARCHAR(50));
        CREATE TABLE encounter (encounter_id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(patient_id),
                                encounter_datetime TIMESTAMP, location_id INTEGER REFERENCES location(location_id));
        CREATE TABLE obs (obs_id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES person(person_id),
                          encounter_id INTEGER REFERENCES encounter(encounter_id), concept_id INTEGER,
                          value_text TEXT, obs_datetime TIMESTAMP)""", rows)


CLINIC = Labelled(
    "clinic", "OpenMRS core: persons, names, addresses, identifiers, encounters, observations", build_clinic,
    _p({"person": "gender birthdate", "person_name": "prefix given_name middle_name family_name",
        "person_address": "address1 address2 city_village state_province postal_code country",
        "person_attribute": "value", "patient_identifier": "identifier", "obs": "value_text"}),
    {"location": None, "person": "delete", "person_name": "delete", "person_address": "delete",
     "person_attribute": "delete", "patient": "delete", "patient_identifier": "delete", "encounter": "retain",
     "obs": "retain"})


# -- lms --------------------------------------------------------------------------------------

def build_lms(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE", "en_US"], seed), _Rows()
    for name in ("Introduction au droit", "Statistiek I", "Academic English"):
        rows.add("mdl_course", fullname=name, shortname=name[:8].upper(), summary=f"<p>{fake.sentence()}</p>")
    for _ in range(150):
        first, last = fake.first_name(), fake.last_name()
        u = rows.add("mdl_user", auth="manual", username=f"{first[0]}{last}{rng.randint(1, 99)}".lower().replace(" ", ""),
                     password="$2y$10$" + fake.sha256()[:53], idnumber=f"S{rng.randint(100000, 999999)}",
                     firstname=first, lastname=last, email=fake.email(), phone1=fake["nl_BE"].phone_number(),
                     phone2="", institution=rng.choice(["UCLouvain", "KU Leuven", "ULB"]),
                     department=rng.choice(["Droit", "Economie", "Letteren"]), address=fake.street_address(),
                     city=fake.city(), country="BE", lang=rng.choice(["fr", "nl", "en"]), lastip=fake.ipv4_public(),
                     description=rng.choice(["", f"Étudiant en première année. Contact: {fake.email()}",
                                             "Ik studeer rechten."]), timecreated=rng.randint(1_500_000_000, 1_700_000_000))
        course = rng.randint(1, 3)
        rows.add("mdl_user_enrolments", enrolid=course, userid=u, timestart=rng.randint(1_500_000_000, 1_700_000_000))
        rows.add("mdl_grade_grades", itemid=course, userid=u, finalgrade=round(rng.uniform(4, 20), 1),
                 feedback=rng.choice(["", f"Bon travail, {first}.", "Onvoldoende, herexamen in augustus."]))
        for _ in range(rng.randint(0, 3)):
            rows.add("mdl_forum_posts", discussion=rng.randint(1, 30), parent=0, userid=u,
                     created=rng.randint(1_500_000_000, 1_700_000_000), subject=rng.choice(["Examen", "Vraag", "Re: TP"]),
                     message=rng.choice([f"Qui veut réviser ensemble ? {fake['fr_BE'].phone_number()}",
                                         "Wanneer is de deadline?", f"Mail me: {fake.email()}"]))
            rows.add("mdl_logstore_standard_log", eventname="\\mod_forum\\event\\post_created", userid=u,
                     courseid=course, ip=fake.ipv4_public(), timecreated=rng.randint(1_500_000_000, 1_700_000_000))
    _fill(engine, """
        CREATE TABLE mdl_course (id INTEGER PRIMARY KEY, fullname VARCHAR(254), shortname VARCHAR(255), summary TEXT);
        CREATE TABLE mdl_user (id INTEGER PRIMARY KEY, auth VARCHAR(20), username VARCHAR(100) UNIQUE,
                               password VARCHAR(255), idnumber VARCHAR(255), firstname VARCHAR(100),
                               lastname VARCHAR(100), email VARCHAR(100), phone1 VARCHAR(20), phone2 VARCHAR(20),
                               institution VARCHAR(255), department VARCHAR(255), address VARCHAR(255),
                               city VARCHAR(120), country VARCHAR(2), lang VARCHAR(30), lastip VARCHAR(45),
                               description TEXT, timecreated BIGINT);
        CREATE TABLE mdl_user_enrolments (id INTEGER PRIMARY KEY, enrolid INTEGER REFERENCES mdl_course(id),
                                          userid INTEGER REFERENCES mdl_user(id), timestart BIGINT);
        CREATE TABLE mdl_grade_grades (id INTEGER PRIMARY KEY, itemid INTEGER, userid INTEGER REFERENCES mdl_user(id),
                                       finalgrade NUMERIC(10,5), feedback TEXT);
        CREATE TABLE mdl_forum_posts (id INTEGER PRIMARY KEY, discussion INTEGER, parent INTEGER,
                                      userid INTEGER REFERENCES mdl_user(id), created BIGINT, subject VARCHAR(255),
                                      message TEXT);
        CREATE TABLE mdl_logstore_standard_log (id INTEGER PRIMARY KEY, eventname VARCHAR(255),
                                                userid INTEGER REFERENCES mdl_user(id),
                                                courseid INTEGER REFERENCES mdl_course(id), ip VARCHAR(45),
                                                timecreated BIGINT)""", rows)


LMS = Labelled(
    "lms", "Moodle core user tables", build_lms,
    _p({"mdl_user": "username password idnumber firstname lastname email phone1 phone2 address city lastip "
                    "description",
        "mdl_grade_grades": "feedback", "mdl_forum_posts": "message", "mdl_logstore_standard_log": "ip"}),
    {"mdl_course": None, "mdl_user": "delete", "mdl_user_enrolments": "delete", "mdl_grade_grades": "delete",
     "mdl_forum_posts": "delete", "mdl_logstore_standard_log": "delete"})


HELD_OUT = {s.name: s for s in (JAFFLE, HR, DJANGO, ODOO, CLINIC, LMS)}
