"""The general weaknesses the second blind batch (bench/heldout4_schemas.py) showed, each on a small schema of its
own: more personal-data vocabulary (nicknames, driving licences, military service, smoking, special needs, identity
document numbers, a customer's VAT number, a bare house number beside a street); a person's name known from an
identity table, in a column whose name does not say so; a file name that names a person; a number unique to each
person; a phone extension, a flag and a payment's motive are not personal data; a school or a location is a place;
the lines of an order that carry an attendee's email are retained with the order; a staff member's sub-records are
for review; a person that a register or a school record keeps identifying is for review; a French guest register is
retained under its own preset."""

from __future__ import annotations

from pathlib import Path

import pytest

from eraser.discover import discover
from eraser.discover.names import name_category
from eraser.jurisdictions import preset
from tests import test_discover_safety
from tests.discover_shapes import LAST, sqlite_db
from tests.discover_shapes import people as _people
from tests.test_bad_input import run
from tests.test_discover_safety import passes_check

keys_env = test_discover_safety.keys_env  # the fixture: signing keys and secret in the environment


@pytest.mark.parametrize(("column", "category"), [
    ("emp_nick_name", "first_name"), ("preferred_name", "first_name"), ("emp_dri_lice_num", "national_id"),
    ("emp_dri_lice_exp_date", "national_id"), ("emp_military_service", "characteristic"),
    ("emp_smoker", "characteristic"), ("special_need_type", "characteristic"), ("provin_code", "region"),
    ("contact_person", "full_name"), ("numero_document", "national_id"), ("tva_client", "vat_number"),
    ("phone_ext", None), ("ep_passport_type_flg", None),
])
def test_more_names_of_personal_data_and_of_their_attributes(column: str, category: str | None) -> None:
    assert name_category(column) == category


def test_a_name_known_from_an_identity_table_and_a_full_name_column(tmp_path: Path) -> None:
    """A thread entry's `poster` and a cached `name_cached` hold names of persons found in an identity table; a
    `fullname` in a table of persons is a person's name; a product's name is not."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO users VALUES ({i}, '{first.lower()}{i}@example.be', '{first}', '{last}', "
                    f"'{first} {last}')")
        rows.append(f"INSERT INTO entries VALUES ({i}, {i}, '{first} {last}', 'Printer offline')")
        rows.append(f"INSERT INTO addresses VALUES ({i}, '{last} {first}', 'Kerkstraat {i}')")
        rows.append(f"INSERT INTO products VALUES ({i}, 'Widget {i} Pro')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(120), first_name VARCHAR(60), last_name VARCHAR(60),
                            fullname VARCHAR(120));
        CREATE TABLE entries (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), poster VARCHAR(120),
                              title VARCHAR(120));
        CREATE TABLE addresses (id INTEGER PRIMARY KEY, name_cached VARCHAR(120), street VARCHAR(120));
        CREATE TABLE products (id INTEGER PRIMARY KEY, name VARCHAR(120))""", rows)
    found = discover(url).personal_columns()
    assert {("users", "fullname"), ("entries", "poster"), ("addresses", "name_cached")} <= found
    assert ("products", "name") not in found and ("entries", "title") not in found


def test_a_file_name_that_names_a_person_and_a_number_unique_to_each(tmp_path: Path) -> None:
    """An attachment's `file_name` (`cv_peeters.pdf`) names the person; generic file names do not; a text
    `employee_id` unique to each row of a table of persons is their number, a shared `lang_code` is not."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO candidates VALUES ({i}, '{first.lower()}{i}@example.be', '{first}', '{last}', "
                    f"'{i:04d}', 'nl')")
        rows.append(f"INSERT INTO cvs VALUES ({i}, {i}, 'cv_{last.lower()}_{first.lower()}.pdf')")
        rows.append(f"INSERT INTO shots VALUES ({i}, {i}, 'screenshot_{i}.png')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE candidates (id INTEGER PRIMARY KEY, email VARCHAR(120), first_name VARCHAR(60),
                                 last_name VARCHAR(60), employee_id VARCHAR(10), lang_code VARCHAR(2));
        CREATE TABLE cvs (id INTEGER PRIMARY KEY, candidate_id INTEGER REFERENCES candidates(id),
                          file_name VARCHAR(200));
        CREATE TABLE shots (id INTEGER PRIMARY KEY, candidate_id INTEGER REFERENCES candidates(id),
                            file_name VARCHAR(200))""", rows)
    found = discover(url).personal_columns()
    assert ("cvs", "file_name") in found and ("candidates", "employee_id") in found
    assert ("shots", "file_name") not in found and ("candidates", "lang_code") not in found


def test_house_number_vat_beside_a_company_and_a_payment_motive(tmp_path: Path) -> None:
    """A bare `numero` beside a street is a house number, not an order's; a VAT number in rows that name a company
    is the company's, a guest's own is personal; a payment's `motif` picked from a list is no message."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        vat = f"'BE0{123456700 + i}'" if i % 5 == 0 else "NULL"
        rows.append(f"INSERT INTO clients VALUES ({i}, '{last}', '{first.lower()}{i}@example.be', 'Rue Haute', "
                    f"'{i}', '500{i % 10}', 'Namur', {vat})")
        rows.append(f"INSERT INTO commandes VALUES ({i}, {i}, '{1000 + i}', 80.0)")
        rows.append(f"INSERT INTO paiements VALUES ({i}, {i}, 80.0, '2024-05-0{1 + i % 9}', "
                    f"'{['Solde séjour', 'Acompte', 'Solde'][i % 3]}')")
        company = f"'{LAST[i % 10]} & Zonen'" if i % 2 else "''"
        vat_id = f"'BE0{223456700 + i}'" if i % 2 else "''"
        rows.append(f"INSERT INTO billing_addresses VALUES ({i}, {i}, {company}, '{first} {last}', {vat_id})")
    url = sqlite_db(tmp_path, """
        CREATE TABLE clients (id INTEGER PRIMARY KEY, nom VARCHAR(60), courriel VARCHAR(120), rue VARCHAR(120),
                              numero VARCHAR(10), code_postal VARCHAR(10), ville VARCHAR(60), numero_tva VARCHAR(20));
        CREATE TABLE commandes (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id), numero VARCHAR(10),
                                total NUMERIC(10,2));
        CREATE TABLE paiements (id INTEGER PRIMARY KEY, commande_id INTEGER REFERENCES commandes(id),
                                montant NUMERIC(10,2), date_paiement DATE, motif VARCHAR(60));
        CREATE TABLE billing_addresses (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id),
                                        company VARCHAR(120), name VARCHAR(120), vat_id VARCHAR(20))""", rows)
    found = discover(url).personal_columns()
    assert ("clients", "numero") in found and ("clients", "numero_tva") in found
    assert ("commandes", "numero") not in found and ("paiements", "motif") not in found
    assert ("billing_addresses", "vat_id") not in found


def test_a_school_and_a_location_are_places(tmp_path: Path) -> None:
    """Three schools that students' records point to, and the organisation's own locations: their name, address,
    phone and generic email are a place's, not a person's, and they are never erased; a school's contact person is
    personal."""
    rows = [f"INSERT INTO institutions VALUES ({s}, 'School {s}', 'Kerkstraat {s}', '100{s}', "
            f"'secretariat{s}@school.example.be', '+32 2 512 34 5{s}', 'Marie Dubois') " for s in (1, 2, 3)]
    rows += [f"INSERT INTO locations VALUES ({s}, 'Site {s}', '+32 15 20 30 4{s}', '+32 15 20 30 5{s}')" for s in (1, 2)]
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO students VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        for k in range(3):
            rows.append(f"INSERT INTO enrolments VALUES ({3 * i + k}, {i}, {1 + i % 3}, 2024)")
            rows.append(f"INSERT INTO results VALUES ({3 * i + k}, {i}, {1 + i % 3}, 14.5)")
    url = sqlite_db(tmp_path, """
        CREATE TABLE institutions (id INTEGER PRIMARY KEY, name VARCHAR(80), address VARCHAR(120),
                                   postal_code VARCHAR(10), email VARCHAR(120), telephone VARCHAR(30),
                                   contact_person VARCHAR(120));
        CREATE TABLE locations (id INTEGER PRIMARY KEY, name VARCHAR(80), phone VARCHAR(30), fax VARCHAR(30));
        CREATE TABLE students (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                               email VARCHAR(120));
        CREATE TABLE enrolments (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(id),
                                 institution_id INTEGER REFERENCES institutions(id), year INTEGER);
        CREATE TABLE results (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES students(id),
                              institution_id INTEGER REFERENCES institutions(id), marks NUMERIC(5,2))""", rows)
    found = discover(url)
    personal = found.personal_columns()
    assert not {c for t, c in personal if t in ("institutions", "locations")} - {"contact_person"}, personal
    assert ("institutions", "contact_person") in personal
    assert found.tables["institutions"].action is None and found.tables["locations"].action is None


def test_order_lines_with_an_attendee_and_a_staff_members_emergency_contacts(tmp_path: Path) -> None:
    """An order position with a price and the attendee's email belongs to the retained order: retained, not
    deleted; an employee's emergency contacts (keyed by the employee's own number) follow the employee: review."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO orders VALUES ({i}, '{first.lower()}{i}@example.be', '2024-04-0{1 + i % 9}', 150)")
        rows.append(f"INSERT INTO orderposition VALUES ({i}, {i}, 150, '{first} {last}', "
                    f"'{last.lower()}{i}@example.org')")
        rows.append(f"INSERT INTO employee VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@work.example.be')")
        rows.append(f"INSERT INTO emp_emergency_contacts VALUES ({i}, {i}, 'Partner {last}', "
                    f"'+32 470 55 66 {i:02d}')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE orders (id INTEGER PRIMARY KEY, email VARCHAR(120), datetime DATE, total NUMERIC(10,2));
        CREATE TABLE orderposition (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES orders(id),
                                    price NUMERIC(10,2), attendee_name VARCHAR(120), attendee_email VARCHAR(120));
        CREATE TABLE employee (emp_number INTEGER PRIMARY KEY, emp_firstname VARCHAR(60), emp_lastname VARCHAR(60),
                               emp_work_email VARCHAR(120));
        CREATE TABLE emp_emergency_contacts (id INTEGER PRIMARY KEY,
                                             emp_number INTEGER REFERENCES employee(emp_number),
                                             eec_name VARCHAR(120), eec_mobile_no VARCHAR(30))""", rows)
    tables = discover(url).tables
    assert tables["orders"].action == "retain"
    assert tables["orderposition"].action == "retain", tables["orderposition"].reasons
    assert tables["employee"].action == "review"
    assert tables["emp_emergency_contacts"].action == "review", tables["emp_emergency_contacts"].reasons


REGISTER = """
    CREATE TABLE clients (id INTEGER PRIMARY KEY, nom VARCHAR(60), prenom VARCHAR(60), courriel VARCHAR(120));
    CREATE TABLE reservations (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id), date_arrivee DATE,
                               prix_total NUMERIC(10,2));
    CREATE TABLE factures (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES reservations(id),
                           date_facture DATE, total_tvac NUMERIC(10,2));
    CREATE TABLE registre_voyageurs (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES reservations(id),
                                     client_id INTEGER REFERENCES clients(id), nom VARCHAR(60),
                                     date_naissance DATE, date_arrivee DATE);
    CREATE TABLE pupils (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60), email VARCHAR(120));
    CREATE TABLE report_cards (id INTEGER PRIMARY KEY, pupil_id INTEGER REFERENCES pupils(id), comments TEXT);
    CREATE TABLE student_absences (id INTEGER PRIMARY KEY, pupil_id INTEGER REFERENCES pupils(id), date DATE,
                                   comment TEXT);
    CREATE TABLE special_needs_assessments (id INTEGER PRIMARY KEY, pupil_id INTEGER REFERENCES pupils(id),
                                            need VARCHAR(60), comment TEXT)"""


def _register(tmp_path: Path) -> str:
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        day = f"2024-05-{10 + i % 9}"
        rows.append(f"INSERT INTO clients VALUES ({i}, '{last}', '{first}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO reservations VALUES ({i}, {i}, '{day}', 190)")
        rows.append(f"INSERT INTO factures VALUES ({i}, {i}, '{day}', 190)")
        rows.append(f"INSERT INTO registre_voyageurs VALUES ({i}, {i}, {i}, '{last}', '1980-0{1 + i % 9}-12', '{day}')")
        rows.append(f"INSERT INTO pupils VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@school.example.be')")
        rows.append(f"INSERT INTO report_cards VALUES ({i}, {i}, '{first} works hard')")
        rows.append(f"INSERT INTO student_absences VALUES ({i}, {i}, '{day}', 'Ziek, briefje van {first}')")
        rows.append(f"INSERT INTO special_needs_assessments VALUES ({i}, {i}, 'Dyslexie', 'Extra tijd voor {first}')")
    return sqlite_db(tmp_path, REGISTER, rows)


def test_a_person_a_register_or_school_record_keeps_identifying_is_for_review(tmp_path: Path) -> None:
    """The guest whose register entry stays, the pupil whose report cards stay: `review`, not deleted; a pupil's
    absences and special-needs assessments are part of the school record: `review`."""
    tables = discover(_register(tmp_path)).tables
    assert tables["registre_voyageurs"].action == "review", tables["registre_voyageurs"].reasons
    assert tables["clients"].action == "review", tables["clients"].reasons
    assert tables["pupils"].action == "review", tables["pupils"].reasons
    assert tables["student_absences"].action == "review", tables["student_absences"].reasons
    assert tables["special_needs_assessments"].action == "review", tables["special_needs_assessments"].reasons


def test_a_french_guest_register_is_retained_under_its_preset(tmp_path: Path) -> None:
    """Under FR the register is retained under the `guest_register` preset (CESEDA, six months from arrival);
    Belgium has no such preset, so it stays `review` with the reason."""
    fr = discover(_register(tmp_path), jurisdiction="FR").tables["registre_voyageurs"]
    assert fr.action == "retain" and fr.retain == {"preset": "guest_register", "from": "date_arrivee"}, fr.reasons
    assert preset("guest_register", "FR")["period"] == "6m"
    with pytest.raises(ValueError):
        preset("guest_register", "BE")


def test_a_french_draft_with_a_guest_register_passes_config_check(keys_env: Path) -> None:
    """`eraser discover --jurisdiction FR` on the register schema, then `config check`, nothing edited."""
    url = _register(keys_env)
    result = run("discover", "--url", url, "--jurisdiction", "FR")
    assert result.exit_code == 0, result.output
    assert "preset: guest_register" in result.stdout
    path = keys_env / "draft.yaml"
    path.write_text(result.stdout)
    passes_check(path)


def test_customers_with_an_account_manager_and_a_last_order_are_still_customers(tmp_path: Path) -> None:
    """A customer row pointing to its account manager (`employee_id`) is no staff record, and one pointing to its
    last order while holding a credit amount is no line of that order: both stay the customer's to delete."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO employee VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@work.example.be')")
        rows.append(f"INSERT INTO orders VALUES ({i}, '{last.lower()}{i}@shop.example.be', '2024-04-0{1 + i % 9}', "
                    "150)")
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first.lower()}{i}@example.org', '{first}', '{last}', "
                    f"{1 + i % 5}, {i}, 12.5)")
    url = sqlite_db(tmp_path, """
        CREATE TABLE employee (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                               email VARCHAR(120));
        CREATE TABLE orders (id INTEGER PRIMARY KEY, email VARCHAR(120), datetime DATE, total NUMERIC(10,2));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), first_name VARCHAR(60),
                                last_name VARCHAR(60), employee_id INTEGER REFERENCES employee(id),
                                last_order_id INTEGER REFERENCES orders(id), credit_amount NUMERIC(10,2))""", rows)
    tables = discover(url).tables
    assert tables["customers"].action == "delete", tables["customers"].reasons


def test_a_customer_pointing_to_its_last_order_is_no_line_of_it(tmp_path: Path) -> None:
    """A customer row with a credit amount that points to its last order is not retained as a line of that order."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO orders VALUES ({i}, '{last.lower()}{i}@shop.example.be', '2024-04-0{1 + i % 9}', "
                    "150)")
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first.lower()}{i}@example.org', '{first}', '{last}', "
                    f"{i}, 12.5)")
    url = sqlite_db(tmp_path, """
        CREATE TABLE orders (id INTEGER PRIMARY KEY, email VARCHAR(120), datetime DATE, total NUMERIC(10,2));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, email VARCHAR(120), first_name VARCHAR(60),
                                last_name VARCHAR(60), last_order_id INTEGER REFERENCES orders(id),
                                credit_amount NUMERIC(10,2))""", rows)
    tables = discover(url).tables
    assert tables["customers"].action == "delete", tables["customers"].reasons
