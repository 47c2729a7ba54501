"""A second, fresh held-out batch of labelled schemas for `eraser discover`, written after the first held-out
batch (bench/heldout_schemas.py) had been used to correct the detector. Each is the shape of a public
application schema, written here as minimal DDL of the same shape (no schema file copied), filled with
deterministic Faker data, and labelled with rules R1-R6 of bench/labelled_schemas.py before discovery ran on it.

- `hotel`: Solidres (the open-source Joomla hotel booking extension): properties, room types and rooms,
  customers, reservations that carry the guest's contact details, reserved rooms with a guest name, invoices,
  guest reviews; plus the guest register (fiche individuelle de police) that Belgian and French hotels must keep,
  with French column names.
- `school`: OpenSIS Community Edition (an open-source student information system): schools, school years,
  courses and course periods, staff, students, the students' contacts (OpenSIS's people and
  students_join_people folded into one table), enrollments, report card grades, medical alerts.
- `payroll`: Frappe HRMS (ERPNext's HR and payroll app): company, department, designation, employee with
  emergency contact and bank details, salary slips and their lines, leave applications, expense claims,
  check-ins from attendance devices. Table names use underscores where Frappe's have a space.
- `gemeente`: a Dutch municipality's resident services, after Amsterdam's open-source Signalen (reports on
  public space: meldingen, their reporters and categories, city districts) and an Open Formulieren-style portal
  (inwoners logged in with DigiD, aanvragen for permits, leges payments, belastingaanslagen, afvalpassen).

Labelling notes beyond R1-R6 (decided before the first run):
- N1 the location of a report on public space (the street of a broken lamp post) is not a person's address.
- N2 a hotel reservation, a paid permit application, a salary slip and an expense claim are accounting or
  administrative records: `retain`; a school's enrollments and grades are academic records: `retain`; the
  hotel's guest register is kept by law: `retain`.
- N3 a report on public space is kept for the work it caused, its reporter's details erased: `anonymize`.
- N4 children of an employee (R6) that are not accounting records follow the employee: `review`.
- N5 a guest's nationality written as a word (belge, française) is a characteristic (R2), a country code is not.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from heldout2_services import GEMEENTE, PAYROLL
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- hotel ------------------------------------------------------------------------------------


def build_hotel(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_FR", "fr_BE", "nl_BE", "en_GB"], seed), _Rows()
    for code, name in [("BE", "Belgium"), ("FR", "France"), ("NL", "Netherlands"), ("GB", "United Kingdom")]:
        rows.add("sr_countries", code_2=code, name=name)
    for name, city in [("Hôtel du Parc", "Namur"), ("Hotel Zeezicht", "Oostende")]:
        rows.add("sr_reservation_assets", name=name, address_1=fake["fr_BE"].street_address(), city=city,
                 postcode=fake["fr_BE"].postcode(), stars=rng.randint(2, 4))
    for asset in (1, 2):
        for kind in ("Single", "Double", "Suite"):
            t = rows.add("sr_room_types", reservation_asset_id=asset, name=kind, occupancy_max=2 if kind != "Single"
                         else 1, description=f"{kind} room with a view of the garden")
            for n in range(1, 6):
                rows.add("sr_rooms", room_type_id=t, label=f"{asset}{t:02d}{n}")
    nationality = {"fr_FR": "française", "fr_BE": "belge", "nl_BE": "belge", "en_GB": "britannique"}
    for _ in range(160):
        locale = rng.choice(list(nationality))
        f = fake[locale]
        first, last = f.first_name(), f.last_name()
        email = f"{first}.{last}{rng.randint(1, 99)}@example.org".lower().replace(" ", "")
        c = rows.add("sr_customers", customer_code=f"C{rng.randint(100000, 999999)}", firstname=first, lastname=last,
                     email=email, phonenumber=f.phone_number(), mobilephone=rng.choice([None, f.phone_number()]),
                     company=rng.choice([None, None, f.company()]), address1=f.street_address(),
                     address2=rng.choice([None, "Appt 3", "2e étage"]), city=f.city(), zipcode=f.postcode(),
                     country_id=rng.randint(1, 4))
        for _ in range(rng.randint(1, 3)):
            checkin = _when(rng).date()
            nights = rng.randint(1, 6)
            price = nights * rng.randint(80, 220)
            r = rows.add("sr_reservations", code=f"R{rng.randint(10**7, 10**8 - 1)}", reservation_asset_id=rng.randint(1, 2),
                         customer_id=c, customer_firstname=first, customer_lastname=last, customer_email=email,
                         customer_phonenumber=f.phone_number(), customer_address1=f.street_address(),
                         customer_city=f.city(), customer_zipcode=f.postcode(), customer_country_id=rng.randint(1, 4),
                         checkin=checkin, checkout=checkin + timedelta(days=nights), total_price=price,
                         total_paid=price, payment_status=rng.choice([0, 1, 1]),
                         note=rng.choice([None, "Late arrival around 23h", f"Allergique aux noix, appeler le "
                                          f"{f.phone_number()}", f"Surprise pour l'anniversaire de {first}"]),
                         customer_ip=fake.ipv4_public(), created_date=_when(rng))
            rows.add("sr_reservation_room_xref", reservation_id=r, room_id=rng.randint(1, 30), room_price=price,
                     guest_fullname=rng.choice([f"{first} {last}", f"{f.first_name()} {last}"]),
                     adults_number=rng.randint(1, 2), children_number=rng.randint(0, 2))
            rows.add("sr_invoices", reservation_id=r, invoice_number=f"INV{r:06d}", invoice_date=checkin,
                     amount=price, tax_amount=round(price * 0.06))
            rows.add("fiche_police", reservation_id=r, nom=last, prenom=first,
                     date_naissance=fake.date_of_birth(minimum_age=18, maximum_age=85), lieu_naissance=f.city(),
                     nationalite=nationality[locale], numero_piece_identite=fake.bothify("??#######").upper(),
                     date_arrivee=checkin)
            if rng.random() < 0.3:
                rows.add("sr_reviews", reservation_asset_id=rng.randint(1, 2), customer_id=c, rating=rng.randint(1, 5),
                         title=rng.choice(["Great stay", "Séjour agréable", "Noisy room", "Parfait"]),
                         comment=rng.choice(["Breakfast was excellent.", f"Merci à toute l'équipe ! {first}",
                                             "The room was too warm.", f"Contact me at {email} about my refund"]),
                         created=_when(rng))
    _fill(engine, """
        CREATE TABLE sr_countries (id INTEGER PRIMARY KEY, code_2 CHAR(2), name VARCHAR(60));
        CREATE TABLE sr_reservation_assets (id INTEGER PRIMARY KEY, name VARCHAR(120), address_1 VARCHAR(120),
                                            city VARCHAR(60), postcode VARCHAR(10), stars INTEGER);
        CREATE TABLE sr_room_types (id INTEGER PRIMARY KEY,
                                    reservation_asset_id INTEGER REFERENCES sr_reservation_assets(id),
                                    name VARCHAR(60), occupancy_max INTEGER, description TEXT);
        CREATE TABLE sr_rooms (id INTEGER PRIMARY KEY, room_type_id INTEGER REFERENCES sr_room_types(id),
                               label VARCHAR(20));
        CREATE TABLE sr_customers (id INTEGER PRIMARY KEY, customer_code VARCHAR(20), firstname VARCHAR(60),
                                   lastname VARCHAR(60), email VARCHAR(120), phonenumber VARCHAR(40),
                                   mobilephone VARCHAR(40), company VARCHAR(120), address1 VARCHAR(120),
                                   address2 VARCHAR(120), city VARCHAR(60), zipcode VARCHAR(10),
                                   country_id INTEGER REFERENCES sr_countries(id));
        CREATE TABLE sr_reservations (id INTEGER PRIMARY KEY, code VARCHAR(20),
                                      reservation_asset_id INTEGER REFERENCES sr_reservation_assets(id),
                                      customer_id INTEGER REFERENCES sr_customers(id), customer_firstname VARCHAR(60),
                                      customer_lastname VARCHAR(60), customer_email VARCHAR(120),
                                      customer_phonenumber VARCHAR(40), customer_address1 VARCHAR(120),
                                      customer_city VARCHAR(60), customer_zipcode VARCHAR(10),
                                      customer_country_id INTEGER REFERENCES sr_countries(id), checkin DATE,
                                      checkout DATE, total_price NUMERIC(10,2), total_paid NUMERIC(10,2),
                                      payment_status INTEGER, note TEXT, customer_ip VARCHAR(45),
                                      created_date TIMESTAMP);
        CREATE TABLE sr_reservation_room_xref (id INTEGER PRIMARY KEY,
                                               reservation_id INTEGER REFERENCES sr_reservations(id),
                                               room_id INTEGER REFERENCES sr_rooms(id), room_price NUMERIC(10,2),
                                               guest_fullname VARCHAR(120), adults_number INTEGER,
                                               children_number INTEGER);
        CREATE TABLE sr_invoices (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES sr_reservations(id),
                                  invoice_number VARCHAR(20), invoice_date DATE, amount NUMERIC(10,2),
                                  tax_amount NUMERIC(10,2));
        CREATE TABLE fiche_police (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES sr_reservations(id),
                                   nom VARCHAR(60), prenom VARCHAR(60), date_naissance DATE,
                                   lieu_naissance VARCHAR(60), nationalite VARCHAR(30),
                                   numero_piece_identite VARCHAR(20), date_arrivee DATE);
        CREATE TABLE sr_reviews (id INTEGER PRIMARY KEY,
                                 reservation_asset_id INTEGER REFERENCES sr_reservation_assets(id),
                                 customer_id INTEGER REFERENCES sr_customers(id), rating INTEGER, title VARCHAR(120),
                                 comment TEXT, created TIMESTAMP)""", rows)


HOTEL = Labelled(
    "hotel", "Solidres hotel bookings with a French guest register", build_hotel,
    _p({"sr_customers": "customer_code firstname lastname email phonenumber mobilephone address1 address2 city "
                        "zipcode",
        "sr_reservations": "customer_firstname customer_lastname customer_email customer_phonenumber "
                           "customer_address1 customer_city customer_zipcode note customer_ip",
        "sr_reservation_room_xref": "guest_fullname",
        "fiche_police": "nom prenom date_naissance lieu_naissance nationalite numero_piece_identite",
        "sr_reviews": "comment"}),
    {"sr_countries": None, "sr_reservation_assets": None, "sr_room_types": None, "sr_rooms": None,
     "sr_customers": "delete", "sr_reservations": "retain", "sr_reservation_room_xref": "retain",
     "sr_invoices": "retain", "fiche_police": "retain", "sr_reviews": "delete"})


# -- school -----------------------------------------------------------------------------------

def build_school(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_US"], seed), _Rows()
    for title in ("Lincoln High School", "Riverside Middle School"):
        rows.add("schools", title=title, address=fake.street_address(), city=fake.city(), zipcode=fake.zipcode(),
                 www_address=f"https://{title.split()[0].lower()}.example.edu")
    for school in (1, 2):
        for year in (2022, 2023, 2024):
            rows.add("school_years", school_id=school, syear=year, title=f"{year}-{year + 1}",
                     start_date=date(year, 9, 1), end_date=date(year + 1, 6, 30))
    for _ in range(30):
        first, last = fake.first_name(), fake.last_name()
        rows.add("staff", key="staff_id", title=rng.choice(["Mr.", "Ms.", "Mrs.", "Dr."]), first_name=first,
                 last_name=last, username=f"{first[0]}{last}".lower(), password=fake.sha256(),
                 email=f"{first}.{last}@district.example.edu".lower(), phone=fake.phone_number(),
                 profile=rng.choice(["teacher", "teacher", "admin"]))
    for i, title in enumerate(["Algebra I", "Biology", "World History", "English 9", "Chemistry", "Spanish I"], 1):
        rows.add("courses", key="course_id", school_id=1 + i % 2, title=title, short_name=title[:4].upper(),
                 credits=rng.choice([0.5, 1.0]))
        for period in range(1, 4):
            rows.add("course_periods", key="course_period_id", course_id=i, teacher_id=rng.randint(1, 30),
                     period=period, room=f"{rng.randint(1, 3)}{rng.randint(10, 40)}")
    for _ in range(220):
        first, last = fake.first_name(), fake.last_name()
        s = rows.add("students", key="student_id", first_name=first, middle_name=rng.choice([None, fake.first_name()]),
                     last_name=last, name_suffix=rng.choice([None, None, None, "Jr.", "III"]),
                     gender=rng.choice(["Male", "Female"]), ethnicity=rng.choice(["Hispanic", "White", "Black",
                                                                                  "Asian", "Two or more"]),
                     birthdate=fake.date_of_birth(minimum_age=11, maximum_age=18), language=rng.choice(["en", "es"]),
                     estimated_grad_date=date(rng.randint(2025, 2031), 6, 15), alt_id=f"{rng.randint(10**6, 10**7)}",
                     email=f"{first}.{last}{rng.randint(1, 99)}@students.example.edu".lower(),
                     phone=fake.phone_number(), username=f"{first}{last}{rng.randint(1, 99)}".lower(),
                     password=fake.sha256(), is_disable=None)
        for relation in rng.sample(["Mother", "Father", "Guardian", "Grandparent"], rng.randint(1, 2)):
            cf = fake.first_name()
            rows.add("student_contacts", student_id=s, relationship=relation, first_name=cf, last_name=last,
                     email=fake.email(), phone=fake.phone_number(), address=fake.street_address(),
                     custody=rng.choice(["Y", "N"]))
        school = rng.randint(1, 2)
        rows.add("student_enrollment", student_id=s, school_id=school, syear=2023, grade_id=rng.randint(6, 12),
                 start_date=date(2023, 9, 1), end_date=None, drop_code=None)
        for cp in rng.sample(range(1, 19), 4):
            rows.add("student_report_card_grades", student_id=s, course_period_id=cp, marking_period_id=school * 3,
                     grade_letter=rng.choice("ABCDF"), grade_percent=rng.randint(55, 100),
                     comment=rng.choice([None, "Works hard", f"{first} needs to hand in homework on time",
                                         "Excellent participation"]))
        if rng.random() < 0.15:
            rows.add("student_medical_alerts", student_id=s, title=rng.choice(["Peanut allergy", "Asthma: inhaler "
                     "in office", f"Diabetic, call {fake.phone_number()}", "Epilepsy"]), entered=_when(rng))
    _fill(engine, """
        CREATE TABLE schools (id INTEGER PRIMARY KEY, title VARCHAR(100), address VARCHAR(100), city VARCHAR(60),
                              zipcode VARCHAR(10), www_address VARCHAR(100));
        CREATE TABLE school_years (id INTEGER PRIMARY KEY, school_id INTEGER REFERENCES schools(id), syear INTEGER,
                                   title VARCHAR(20), start_date DATE, end_date DATE);
        CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, title VARCHAR(5), first_name VARCHAR(60),
                            last_name VARCHAR(60), username VARCHAR(60), password VARCHAR(100), email VARCHAR(120),
                            phone VARCHAR(30), profile VARCHAR(20));
        CREATE TABLE courses (course_id INTEGER PRIMARY KEY, school_id INTEGER REFERENCES schools(id),
                              title VARCHAR(100), short_name VARCHAR(10), credits NUMERIC(4,2));
        CREATE TABLE course_periods (course_period_id INTEGER PRIMARY KEY,
                                     course_id INTEGER REFERENCES courses(course_id),
                                     teacher_id INTEGER REFERENCES staff(staff_id), period INTEGER, room VARCHAR(10));
        CREATE TABLE students (student_id INTEGER PRIMARY KEY, first_name VARCHAR(60), middle_name VARCHAR(60),
                               last_name VARCHAR(60), name_suffix VARCHAR(5), gender VARCHAR(10),
                               ethnicity VARCHAR(30), birthdate DATE, language VARCHAR(5), estimated_grad_date DATE,
                               alt_id VARCHAR(20), email VARCHAR(120), phone VARCHAR(30), username VARCHAR(60),
                               password VARCHAR(100), is_disable VARCHAR(1));
        CREATE TABLE student_contacts (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(student_id),
                                       relationship VARCHAR(20), first_name VARCHAR(60), last_name VARCHAR(60),
                                       email VARCHAR(120), phone VARCHAR(30), address VARCHAR(120),
                                       custody VARCHAR(1));
        CREATE TABLE student_enrollment (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(student_id),
                                         school_id INTEGER REFERENCES schools(id), syear INTEGER, grade_id INTEGER,
                                         start_date DATE, end_date DATE, drop_code VARCHAR(10));
        CREATE TABLE student_report_card_grades (id INTEGER PRIMARY KEY,
                                                 student_id INTEGER REFERENCES students(student_id),
                                                 course_period_id INTEGER REFERENCES course_periods(course_period_id),
                                                 marking_period_id INTEGER, grade_letter VARCHAR(2),
                                                 grade_percent INTEGER, comment TEXT);
        CREATE TABLE student_medical_alerts (id INTEGER PRIMARY KEY,
                                             student_id INTEGER REFERENCES students(student_id), title VARCHAR(120),
                                             entered TIMESTAMP)""", rows)


SCHOOL = Labelled(
    "school", "OpenSIS students, contacts, enrollments, grades and staff", build_school,
    _p({"staff": "title first_name last_name username password email phone",
        "students": "first_name middle_name last_name name_suffix gender ethnicity birthdate alt_id email phone "
                    "username password",
        "student_contacts": "first_name last_name email phone address",
        "student_report_card_grades": "comment", "student_medical_alerts": "title"}),
    {"schools": None, "school_years": None, "staff": "review", "courses": None, "course_periods": None,
     "students": "delete", "student_contacts": "delete", "student_enrollment": "retain",
     "student_report_card_grades": "retain", "student_medical_alerts": "delete"})


FRESH = {s.name: s for s in (HOTEL, SCHOOL, PAYROLL, GEMEENTE)}
