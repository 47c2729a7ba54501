"""The general weaknesses the blind held-out batch (bench/heldout3_schemas.py) and the three harmful proposals left
by the fresh batch showed, each on a small schema of its own: names of types, statuses and flags are not the data
they describe; more name parts and identifiers by name; salutations by content; a practice or branch with a front
desk's email is a place, not a person; the staff many persons point to are for review; a care provider's patient
file is retained under the jurisdiction's medical records preset; registers, school records, tables under a
retained document and tables with money amounts are for review, never deleted; a report a person filed is not
their address."""

from __future__ import annotations

from pathlib import Path

import pytest

from eraser.discover import discover
from eraser.discover.names import name_category
from eraser.jurisdictions import JURISDICTIONS, preset
from tests.discover_shapes import sqlite_db


@pytest.mark.parametrize(("column", "category"), [
    ("phone_type_id", None), ("portal_pwd_status", None), ("do_not_email", None), ("message_transport_type", None),
    ("email_verified", None), ("address_type", None), ("bic", None), ("gender_id", "gender"),
    ("mname", "first_name"), ("othernames", "first_name"), ("initials", "first_name"),
    ("contactname", "full_name"), ("guardiansname", "full_name"), ("household_name", "full_name"),
    ("sort_name", "full_name"), ("person_to_be_contacted", "full_name"), ("userid", "username"),
    ("nom_utilisateur", "username"), ("geo_code_1", "geolocation"), ("external_identifier", "customer_number"),
    ("policy_number", "customer_number"), ("postal_code", "postcode"), ("zip_code", "postcode"),
])
def test_names_of_personal_data_and_of_their_attributes(column: str, category: str | None) -> None:
    assert name_category(column) == category


def test_flags_type_references_and_salutations(tmp_path: Path) -> None:
    """A boolean `do_not_email` and an integer `phone_type_id` hold no one's data; a `title` column whose values
    are salutations is the person's title."""
    titles = ["Dhr.", "Mevr.", "Mme", "M.", "Dr."]
    rows = [f"INSERT INTO contact VALUES ({i}, '{titles[i % 5]}', 'Jan{i}', 'Peeters{i}', {i % 2}, "
            f"'jan{i}@example.be')" for i in range(1, 41)]
    rows += [f"INSERT INTO phone VALUES ({i}, {i}, '+32 470 12 34 {i:02d}', {1 + i % 3})" for i in range(1, 41)]
    url = sqlite_db(tmp_path, """
        CREATE TABLE contact (id INTEGER PRIMARY KEY, title VARCHAR(10), first_name VARCHAR(60),
                              last_name VARCHAR(60), do_not_email BOOLEAN, email VARCHAR(120));
        CREATE TABLE phone (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES contact(id), phone VARCHAR(30),
                            phone_type_id INTEGER)""", rows)
    found = discover(url).personal_columns()
    assert ("contact", "title") in found and ("phone", "phone") in found
    assert ("contact", "do_not_email") not in found and ("phone", "phone_type_id") not in found


PRACTICE = """
    CREATE TABLE facility (id INTEGER PRIMARY KEY, name VARCHAR(80), phone VARCHAR(30), email VARCHAR(120),
                           street VARCHAR(120), city VARCHAR(60));
    CREATE TABLE users (id INTEGER PRIMARY KEY, fname VARCHAR(60), lname VARCHAR(60), email VARCHAR(120),
                        facility_id INTEGER REFERENCES facility(id));
    CREATE TABLE patient (id INTEGER PRIMARY KEY, fname VARCHAR(60), lname VARCHAR(60), email VARCHAR(120),
                          phone VARCHAR(30), provider_id INTEGER REFERENCES users(id));
    CREATE TABLE encounter (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(id),
                            facility_id INTEGER REFERENCES facility(id), date DATE, reason TEXT);
    CREATE TABLE billing (id INTEGER PRIMARY KEY, encounter_id INTEGER REFERENCES encounter(id), fee NUMERIC(8,2),
                          code VARCHAR(10));
    CREATE TABLE prescriptions (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(id),
                                date_added DATE, drug VARCHAR(80), note TEXT);
    CREATE TABLE lists (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(id), title VARCHAR(80),
                               comments TEXT);
    CREATE TABLE appointments (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patient(id), day DATE,
                               comments TEXT)"""


def _practice(tmp_path: Path) -> str:
    rows = [f"INSERT INTO facility VALUES ({f}, 'Praktijk {f}', '+32 16 12 34 5{f}', 'info{f}@praktijk.example.be', "
            f"'Kerkstraat {f}', 'Leuven')" for f in (1, 2)]
    rows += [f"INSERT INTO users VALUES ({u}, 'Els{u}', 'Maes{u}', 'els{u}@praktijk.example.be', {1 + u % 2})"
             for u in range(1, 7)]
    for p in range(1, 61):
        rows.append(f"INSERT INTO patient VALUES ({p}, 'Anna{p}', 'Claes{p}', 'anna{p}@example.be', "
                    f"'+32 470 11 22 {p:02d}', {1 + p % 6})")
        rows.append(f"INSERT INTO encounter VALUES ({p}, {p}, {1 + p % 2}, '2024-03-0{1 + p % 9}', "
                    f"'Kiespijn, belt terug op +32 470 11 22 {p:02d}')")
        rows.append(f"INSERT INTO billing VALUES ({p}, {p}, 52.5, '371011')")
        rows.append(f"INSERT INTO prescriptions VALUES ({p}, {p}, '2024-03-0{1 + p % 9}', 'Ibuprofen 400 mg', "
                    f"'Anna{p} neemt na de maaltijd')")
        rows.append(f"INSERT INTO lists VALUES ({p}, {p}, 'Penicilline-allergie', 'Anna{p} bevestigd')")
        rows.append(f"INSERT INTO appointments VALUES ({p}, {p}, '2024-04-0{1 + p % 9}', 'Bel anna{p}@example.be')")
    return sqlite_db(tmp_path, PRACTICE, rows)


def test_a_practice_that_staff_and_visits_point_to_is_a_place(tmp_path: Path) -> None:
    """Two practices with a front desk's phone and email, which the staff and 60 encounters point to: neither an
    identity table nor personal, and left out of the draft."""
    found = discover(_practice(tmp_path))
    assert not {c for c in found.personal_columns() if c[0] == "facility"}
    assert found.tables["facility"].action is None, found.tables["facility"].reasons


def test_staff_that_many_persons_point_to_are_for_review(tmp_path: Path) -> None:
    """Six practitioners whom 60 patients' rows point to (`provider_id`): the organisation's staff, `review`."""
    p = discover(_practice(tmp_path)).tables["users"]
    assert p.action == "review", p.reasons


def test_a_patient_file_is_retained_under_the_medical_records_preset(tmp_path: Path) -> None:
    """Encounters (billed ones too) and prescriptions are retained under the jurisdiction's medical_records
    preset, billing under invoices; the patient's
    row the file keeps identifying is for review; a list of entries (problems, allergies) that may be part of the file, is for review; an
    appointment calendar is not the file and is deleted."""
    tables = discover(_practice(tmp_path)).tables
    for t in ("encounter", "prescriptions"):
        assert tables[t].action == "retain", tables[t].reasons
        assert tables[t].retain and tables[t].retain["preset"] == "medical_records"
    assert tables["billing"].action == "retain" and (tables["billing"].retain or {})["preset"] == "invoices"
    assert tables["patient"].action == "review", tables["patient"].reasons
    assert tables["lists"].action == "review", tables["lists"].reasons
    assert tables["appointments"].action == "delete", tables["appointments"].reasons


def test_medical_records_preset_in_every_jurisdiction() -> None:
    for code in JURISDICTIONS:
        rule = preset("medical_records", code)
        assert rule["period"].endswith("y") and rule["count_from"] == "date" and rule["basis"]


def test_one_medical_note_does_not_make_a_patient_file(tmp_path: Path) -> None:
    """A school's allergy alerts: one medical table under a student is the student's data, deleted."""
    rows = [f"INSERT INTO students VALUES ({i}, 'Lotte{i}', 'Wouters{i}', 'lotte{i}@school.example.be')"
            for i in range(1, 31)]
    rows += [f"INSERT INTO medical_alerts VALUES ({i}, {i}, 'Asthma, inhaler in office')" for i in range(1, 31)]
    url = sqlite_db(tmp_path, """
        CREATE TABLE students (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                               email VARCHAR(120));
        CREATE TABLE medical_alerts (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(id),
                                     title VARCHAR(120))""", rows)
    tables = discover(url).tables
    assert tables["students"].action == "delete" and tables["medical_alerts"].action != "retain"


HOTEL = """
    CREATE TABLE guests (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60), email VARCHAR(120));
    CREATE TABLE bookings (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id), checkin DATE,
                           total_price NUMERIC(10,2));
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, booking_id INTEGER REFERENCES bookings(id), invoice_date DATE,
                           amount NUMERIC(10,2));
    CREATE TABLE arrival_cards (id INTEGER PRIMARY KEY, booking_id INTEGER REFERENCES bookings(id), nom VARCHAR(60),
                                prenom VARCHAR(60), date_naissance DATE);
    CREATE TABLE report_card_grades (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id),
                                     grade VARCHAR(2), comment TEXT);
    CREATE TABLE fines (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id), date DATE,
                        amount NUMERIC(10,2), note TEXT);
    CREATE TABLE membership_fees (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id), paid_on DATE,
                                  amount NUMERIC(10,2), payment_method VARCHAR(20));
    CREATE TABLE journal_entrainement (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id),
                                          day DATE, reps INTEGER);
    CREATE TABLE categories (id INTEGER PRIMARY KEY, name VARCHAR(40));
    CREATE TABLE reports (id INTEGER PRIMARY KEY, category_id INTEGER REFERENCES categories(id),
                          location_street VARCHAR(120), text TEXT, status VARCHAR(20));
    CREATE TABLE reporters (id INTEGER PRIMARY KEY, report_id INTEGER REFERENCES reports(id), email VARCHAR(120))"""


def _hotel(tmp_path: Path) -> str:
    rows = [f"INSERT INTO categories VALUES ({c}, 'category {c}')" for c in (1, 2, 3)]
    for i in range(1, 41):
        rows.append(f"INSERT INTO guests VALUES ({i}, 'Marie{i}', 'Dubois{i}', 'marie{i}@example.be')")
        rows.append(f"INSERT INTO bookings VALUES ({i}, {i}, '2024-05-1{i % 9}', {100 + i})")
        rows.append(f"INSERT INTO invoices VALUES ({i}, {i}, '2024-05-1{i % 9}', {100 + i})")
        rows.append(f"INSERT INTO arrival_cards VALUES ({i}, {i}, 'Dubois{i}', 'Marie{i}', '1980-0{1 + i % 9}-12')")
        rows.append(f"INSERT INTO report_card_grades VALUES ({i}, {i}, 'B', 'Marie{i} works hard')")
        rows.append(f"INSERT INTO fines VALUES ({i}, {i}, '2024-06-0{1 + i % 9}', 2.5, 'Marie{i} paid cash')")
        rows.append(f"INSERT INTO membership_fees VALUES ({i}, {i}, '2024-06-0{1 + i % 9}', 25, 'card')")
        rows.append(f"INSERT INTO journal_entrainement VALUES ({i}, {i}, '2024-06-0{1 + i % 9}', 12)")
        rows.append(f"INSERT INTO reports VALUES ({i}, {1 + i % 3}, 'Kerkstraat {i}', 'Lamp broken', 'open')")
        rows.append(f"INSERT INTO reporters VALUES ({i}, {i}, 'reporter{i}@example.be')")
    return sqlite_db(tmp_path, HOTEL, rows)


def test_a_table_under_a_retained_booking_with_personal_data_is_for_review(tmp_path: Path) -> None:
    """The arrival card of a booking a retained invoice bills (a guest register a police law may keep): `review`,
    not deleted while its booking stays."""
    tables = discover(_hotel(tmp_path)).tables
    assert tables["bookings"].action == "retain"
    assert tables["arrival_cards"].action == "review", tables["arrival_cards"].reasons


def test_school_records_and_money_are_for_review_payments_retained(tmp_path: Path) -> None:
    """Report-card grades (a school record), fines with an amount (accounting or the subject's data): `review`;
    fees with an amount and a payment method: retained as payments; a workout journal is no journal entry."""
    tables = discover(_hotel(tmp_path)).tables
    assert tables["report_card_grades"].action == "review", tables["report_card_grades"].reasons
    assert tables["fines"].action == "review", tables["fines"].reasons
    assert tables["membership_fees"].action == "retain", tables["membership_fees"].reasons
    assert tables["journal_entrainement"].action != "retain", tables["journal_entrainement"].reasons


def test_a_report_a_person_filed_is_not_their_address(tmp_path: Path) -> None:
    """A report on public space (a street, a text, a status) that one reporter's row points to: not owned and
    deleted as the reporter's address but left out, with the reason; the reporter's own row is deleted."""
    tables = discover(_hotel(tmp_path)).tables
    assert tables["reporters"].action == "delete"
    assert tables["reports"].action is None, tables["reports"].reasons
    assert any("not the person's address" in r for r in tables["reports"].reasons)
    assert "report_id" not in tables["reporters"].owns


def test_a_few_customers_with_many_logins_are_not_a_place(tmp_path: Path) -> None:
    """Three customers (a name and an email) whom 60 logins and orders point to: nothing says front desk (no table
    of named persons points to them, no place's name), so they stay persons, found by email and deleted."""
    rows = [f"INSERT INTO customer VALUES ({c}, 'Customer {c}', 'customer{c}@example.com')" for c in (1, 2, 3)]
    rows += [f"INSERT INTO login VALUES ({i}, {1 + i % 3}, '2024-01-0{1 + i % 9} 10:00:00')" for i in range(1, 31)]
    rows += [f"INSERT INTO orders VALUES ({i}, {1 + i % 3}, 'shipped')" for i in range(1, 31)]
    url = sqlite_db(tmp_path, """
        CREATE TABLE customer (id INTEGER PRIMARY KEY, name VARCHAR(60), email VARCHAR(120));
        CREATE TABLE login (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id), time TIMESTAMP);
        CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customer(id),
                             status VARCHAR(20))""", rows)
    found = discover(url)
    assert ("customer", "email") in found.personal_columns()
    assert found.tables["customer"].action == "delete", found.tables["customer"].reasons


def test_body_measurements_of_a_person_and_one_sender_address(tmp_path: Path) -> None:
    """An age, a height and weighings in a member's profile and weighings table are the member's; a product's
    weight and the weight lifted in a workout (`poids_kg`) are not; a sender address that every sampled notice
    carries is the organisation's, the recipient's is personal."""
    rows = [f"INSERT INTO products VALUES ({p}, 'Dumbbell {p}', {p * 2})" for p in range(1, 21)]
    for m in range(1, 61):
        rows.append(f"INSERT INTO members VALUES ({m}, 'Chloé{m}', 'Lambert{m}', 'chloe{m}@example.be')")
        rows.append(f"INSERT INTO profiles VALUES ({m}, {m}, {20 + m % 40}, {150 + m % 40})")
        rows.append(f"INSERT INTO weighings VALUES ({m}, {m}, '2024-02-0{1 + m % 9}', {60 + m % 30})")
        rows.append(f"INSERT INTO workouts VALUES ({m}, {m}, {1 + m % 20}, {20 + m % 5 * 10})")
        rows.append(f"INSERT INTO notices VALUES ({m}, {m}, 'noreply@club.example.be', 'chloe{m}@example.be')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR(60), weight INTEGER);
        CREATE TABLE members (id INTEGER PRIMARY KEY, prenom VARCHAR(60), nom VARCHAR(60), courriel VARCHAR(120));
        CREATE TABLE profiles (id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(id), age INTEGER,
                               taille_cm INTEGER);
        CREATE TABLE weighings (id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(id), date DATE,
                                poids NUMERIC(5,1));
        CREATE TABLE workouts (id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(id),
                               product_id INTEGER REFERENCES products(id), poids_kg NUMERIC(6,2));
        CREATE TABLE notices (id INTEGER PRIMARY KEY, member_id INTEGER REFERENCES members(id),
                              from_address VARCHAR(120), to_address VARCHAR(120))""", rows)
    found = discover(url).personal_columns()
    assert {("profiles", "age"), ("profiles", "taille_cm"), ("weighings", "poids"), ("notices", "to_address")} <= found
    assert not {("products", "weight"), ("workouts", "poids_kg"), ("notices", "from_address")} & found


def test_users_whose_comments_copy_their_email_are_not_staff(tmp_path: Path) -> None:
    """Ten users with six comments each that carry a copy of the author's email: the comments are no table of
    named persons, so the users are not taken for staff; they stay the subjects, deleted."""
    rows = [f"INSERT INTO users VALUES ({u}, 'Jonas{u}', 'Mertens{u}', 'jonas{u}@example.be')" for u in range(1, 11)]
    rows += [f"INSERT INTO comments VALUES ({c}, {1 + c % 10}, 'jonas{1 + c % 10}@example.be', 'Nice post {c}')"
             for c in range(1, 61)]
    url = sqlite_db(tmp_path, """
        CREATE TABLE users (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60), email VARCHAR(120));
        CREATE TABLE comments (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), user_email VARCHAR(120),
                               comment TEXT)""", rows)
    tables = discover(url).tables
    assert tables["users"].action == "delete", tables["users"].reasons
