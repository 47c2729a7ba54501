"""The general weaknesses the third blind batch (bench/heldout5_schemas.py) showed, each on a small schema of its
own: column names that carry their table's affix (`nom_adh`, `emp_`); more vocabulary (initials, a card's last four
digits in Dutch, a second driver, `mdp`, a BAG street, `cp`, a suburb, skills, a professional registration number,
a microchip, a signature image, an EAV value, `desc`, `toelichting`); dates about a password are not a password; a
title and a web address beside a person's name are theirs; the dates of a driving licence; an animal's birth date
and sex; the fleet's plates; a lone place name; a log's user names; a table keyed by another table's key; records
that state their own retention; a pet's owner; a vet's clinical file; care providers are staff; a mailing's sender
is no owner of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from eraser.discover import discover
from eraser.discover.names import bare_names, name_category
from tests import test_discover_safety
from tests.discover_shapes import FIRST, LAST, sqlite_db
from tests.discover_shapes import people as _people
from tests.test_discover_safety import draft, passes_check

keys_env = test_discover_safety.keys_env  # the fixture: signing keys and secret in the environment


@pytest.mark.parametrize(("column", "category"), [
    ("kaart_laatste4", "payment_card"), ("voorletters", "first_name"), ("tweede_bestuurder", "full_name"),
    ("mdp", "password"), ("gor_openbare_ruimte_naam", "street"), ("cp", "postcode"), ("suburb", "city"),
    ("key_skills", "job_title"), ("registration_number", "customer_number"), ("microchip", "customer_number"),
    ("handtekening_pad", "media"), ("company_registration_number", None), ("vehicle_registration_number",
                                                                            "licence_plate"),
])
def test_more_names_of_personal_data(column: str, category: str | None) -> None:
    assert name_category(column) == category


def test_the_affix_a_table_gives_its_columns() -> None:
    assert bare_names(["id_adh", "nom_adh", "prenom_adh", "login_adh", "parent_id"])["nom_adh"] == "nom"
    assert bare_names(["trans_id", "trans_date", "trans_amount", "trans_desc", "id_adh"])["trans_desc"] == "desc"
    assert bare_names(["id", "first_name", "last_name", "email"]) == {}


def test_columns_named_with_their_tables_affix(tmp_path: Path) -> None:
    """Galette's members: `nom_adh`, `login_adh`, `pseudo_adh`, `mdp_adh`, `cp_adh`, `url_adh` read as `nom`,
    `login`, `pseudo`, `mdp`, `cp`, `url`; a transaction's `trans_desc` naming the member is free text; a log's
    actor (`adh_log`) holds members' user names; a date a temporary password was made is no password."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        login = f"{first}.{last}{i}".lower()
        rows.append(f"INSERT INTO members VALUES ({i}, '{last.upper()}', '{first}', '{first[:3]}{i}', '{login}', "
                    f"'x{i:031d}', '50{i:02d}', 'Namur', '{login}@example.be', 'https://{login}.example.be', "
                    f"'2024-01-{1 + i % 28:02d}')")
        rows.append(f"INSERT INTO transactions VALUES ({i}, '2024-02-01', 25.0, "
                    f"'{'Cotisation 2024 - ' + last.upper() + ' ' + first if i % 2 else 'Cheque'}', {i})")
        rows.append(f"INSERT INTO logs VALUES ({i}, '2024-03-01 10:00:00', '{login}', 'Connexion')")
        rows.append(f"INSERT INTO tmp_passwords VALUES ({i}, {i}, 'y{i:031d}', '2024-04-01 08:00:00')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE members (id_adh INTEGER PRIMARY KEY, nom_adh VARCHAR(60), prenom_adh VARCHAR(60),
                              pseudo_adh VARCHAR(20), login_adh VARCHAR(60), mdp_adh VARCHAR(64), cp_adh VARCHAR(10),
                              ville_adh VARCHAR(60), email_adh VARCHAR(120), url_adh VARCHAR(120),
                              date_crea_adh DATE);
        CREATE TABLE transactions (trans_id INTEGER PRIMARY KEY, trans_date DATE, trans_amount REAL,
                                   trans_desc VARCHAR(255), id_adh INTEGER REFERENCES members(id_adh));
        CREATE TABLE logs (id_log INTEGER PRIMARY KEY, date_log TIMESTAMP, adh_log VARCHAR(60), action_log TEXT);
        CREATE TABLE tmp_passwords (id INTEGER PRIMARY KEY, id_adh INTEGER REFERENCES members(id_adh),
                                    tmp_passwd VARCHAR(64), date_crea_tmp_passwd TIMESTAMP)""", rows)
    found = discover(url).personal_columns()
    assert {("members", c) for c in ("nom_adh", "pseudo_adh", "login_adh", "mdp_adh", "cp_adh", "url_adh")} <= found
    assert {("transactions", "trans_desc"), ("logs", "adh_log"), ("tmp_passwords", "tmp_passwd")} <= found
    assert ("tmp_passwords", "date_crea_tmp_passwd") not in found and ("logs", "action_log") not in found
    assert ("members", "date_crea_adh") not in found


def test_a_title_and_a_licences_dates_and_an_animals_characteristics(tmp_path: Path) -> None:
    """A contact's `title` (HR Manager) and a clinician's (Dr.) beside first and last names are theirs; a driving
    licence's issue and expiry dates are personal; an animal's date of birth and sex are not (its table has a
    species), its microchip is; a product's `title` is not."""
    rows = ["INSERT INTO species VALUES (1, 'Dog')", "INSERT INTO species VALUES (2, 'Cat')"]
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO contacts VALUES ({i}, '{first}', '{last}', '{['HR Manager', 'CTO'][i % 2]}', "
                    f"'{first.lower()}{i}@client.example.com')")
        rows.append(f"INSERT INTO licences VALUES ({i}, {i}, '{1000000000 + i}', '2015-03-{1 + i % 28:02d}', "
                    f"'2035-03-{1 + i % 28:02d}')")
        rows.append(f"INSERT INTO pets VALUES ({i}, {i}, 'Max', {1 + i % 2}, '19{40 + i % 50}-05-01', "
                    f"'{'MF'[i % 2]}', '981{100000000000 + i}')")
        rows.append(f"INSERT INTO products VALUES ({i}, 'Widget {i}')")
    for i in range(1, 8):
        rows.append(f"INSERT INTO clinicians VALUES ({i}, 'Dr.', '{FIRST[i]}', '{LAST[i]}', "
                    f"'{FIRST[i].lower()}@vet.example.be')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE contacts (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                               title VARCHAR(60), email VARCHAR(120));
        CREATE TABLE clinicians (id INTEGER PRIMARY KEY, title VARCHAR(10), first_name VARCHAR(60),
                                 last_name VARCHAR(60), email VARCHAR(120));
        CREATE TABLE licences (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES contacts(id),
                               rijbewijsnummer VARCHAR(20), afgiftedatum DATE, vervaldatum DATE);
        CREATE TABLE species (id INTEGER PRIMARY KEY, name VARCHAR(30));
        CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES contacts(id), name VARCHAR(30),
                           species_id INTEGER REFERENCES species(id), date_of_birth DATE, sex VARCHAR(2),
                           microchip VARCHAR(20));
        CREATE TABLE products (id INTEGER PRIMARY KEY, title VARCHAR(60))""", rows)
    found = discover(url).personal_columns()
    assert {("contacts", "title"), ("clinicians", "title"), ("licences", "afgiftedatum"),
            ("licences", "vervaldatum"), ("pets", "microchip")} <= found
    assert not {("pets", "date_of_birth"), ("pets", "sex"), ("pets", "name"), ("products", "title")} & found


def test_the_fleets_plates_and_a_lone_place_name(tmp_path: Path) -> None:
    """Twenty cars that many rentals point to are the organisation's fleet: their plates are no one's; the place
    of a traffic offence, with no other address part, is no one's address; a renter's own street and city are."""
    rows = []
    for i in range(1, 21):
        rows.append(f"INSERT INTO vehicles VALUES ({i}, '1-ABC-{100 + i}', 'Polo')")
    for i, (first, last) in enumerate(_people(120), 1):
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be', "
                    f"'Kerkstraat {i}', 'Gent')")
        rows.append(f"INSERT INTO rentals VALUES ({i}, {i}, {1 + i % 20}, 120.0)")
        rows.append(f"INSERT INTO fines VALUES ({i}, {i}, '{['E40 Aalter', 'R4 Gent'][i % 2]}', 58.0)")
    url = sqlite_db(tmp_path, """
        CREATE TABLE vehicles (id INTEGER PRIMARY KEY, nummerplaat VARCHAR(12), model VARCHAR(40));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, voornaam VARCHAR(60), achternaam VARCHAR(60),
                                email VARCHAR(120), straat VARCHAR(120), gemeente VARCHAR(60));
        CREATE TABLE rentals (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                              vehicle_id INTEGER REFERENCES vehicles(id), total NUMERIC(10,2));
        CREATE TABLE fines (id INTEGER PRIMARY KEY, rental_id INTEGER REFERENCES rentals(id), plaats VARCHAR(120),
                            bedrag NUMERIC(8,2))""", rows)
    found = discover(url).personal_columns()
    assert {("customers", "straat"), ("customers", "gemeente")} <= found
    assert ("vehicles", "nummerplaat") not in found and ("fines", "plaats") not in found


def test_a_table_keyed_by_another_tables_key_and_an_eav_value(tmp_path: Path, keys_env: Path) -> None:
    """Pictures keyed by the member's own key (`id_adh`, no foreign key) are the member's: deleted with them, the
    picture nulled rather than redacted, and the draft passes `config check`; an EAV value column whose values
    hold phone numbers is personal."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO members VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO member_groups VALUES ({i}, {i}, 1)")
        if i % 2:
            rows.append(f"INSERT INTO pictures VALUES ({i}, X'FFD8FFE0{i:04X}', 'jpg')")
        rows.append(f"INSERT INTO dynamic_fields VALUES ({i}, {i}, 2, '{first} {last} +32 470 12 34 {i:02d}')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE members (id_adh INTEGER PRIMARY KEY, prenom VARCHAR(60), nom VARCHAR(60), email VARCHAR(120));
        CREATE TABLE member_groups (id INTEGER PRIMARY KEY, id_adh INTEGER REFERENCES members(id_adh),
                                    id_group INTEGER);
        CREATE TABLE pictures (id_adh INTEGER PRIMARY KEY, picture BLOB, format VARCHAR(10));
        CREATE TABLE dynamic_fields (id INTEGER PRIMARY KEY, item_id INTEGER, field_id INTEGER,
                                     field_val TEXT)""", rows)
    found = discover(url)
    assert found.tables["pictures"].action == "delete"
    assert ("dynamic_fields", "field_val") in found.personal_columns()
    path, rules = draft(url, keys_env)
    passes_check(path)


def test_records_that_state_their_own_retention_keep_the_persons_below_them(tmp_path: Path) -> None:
    """A municipality's cases carry an archive action date: the roles below a case and the natural person of a
    role (found by their emails and their BSN) are for review, never deleted with the subject; cases without such a
    column leave their persons to be deleted."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO zaken VALUES ({i}, 'ZAAK-{i:05d}', '2023-01-01', '2033-01-01')")
        rows.append(f"INSERT INTO rollen VALUES ({i}, {i}, 'Aanvrager', '{first.lower()}{i}@example.nl')")
        rows.append(f"INSERT INTO personen VALUES ({i}, {i}, '{first}', '{last}', '1985050{i % 10}')")
        rows.append(f"INSERT INTO tickets VALUES ({i}, 'T-{i}')")
        rows.append(f"INSERT INTO ticket_people VALUES ({i}, {i}, '{first.lower()}{i}@example.org')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE zaken (id INTEGER PRIMARY KEY, identificatie VARCHAR(40), startdatum DATE,
                            archiefactiedatum DATE);
        CREATE TABLE rollen (id INTEGER PRIMARY KEY, zaak_id INTEGER REFERENCES zaken(id), roltoelichting TEXT,
                             emailadres VARCHAR(254));
        CREATE TABLE personen (id INTEGER PRIMARY KEY, rol_id INTEGER UNIQUE REFERENCES rollen(id),
                               voornamen VARCHAR(200), geslachtsnaam VARCHAR(200), geboortedatum VARCHAR(18));
        CREATE TABLE tickets (id INTEGER PRIMARY KEY, number VARCHAR(20));
        CREATE TABLE ticket_people (id INTEGER PRIMARY KEY, ticket_id INTEGER REFERENCES tickets(id),
                                    email VARCHAR(120))""", rows)
    tables = discover(url).tables
    assert tables["rollen"].action == "review" and tables["personen"].action == "review"
    assert tables["ticket_people"].action == "delete"


def test_a_records_owner_that_is_a_user_account_is_not_followed(tmp_path: Path) -> None:
    """A task whose `owner_id` names the user account that owns it (a CRM's) is not that user's data: not deleted
    with them; a pet whose `owner_id` names a customer is the customer's."""
    rows = []
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO users VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.org')")
        rows.append(f"INSERT INTO tasks VALUES ({i}, {i}, 'Call back {last} about the renewal')")
        rows.append(f"INSERT INTO pets VALUES ({i}, {i}, 'Max', '981{100000000000 + i}')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE users (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60), email VARCHAR(120));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                                email VARCHAR(120));
        CREATE TABLE tasks (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users(id), notes TEXT);
        CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES customers(id), name VARCHAR(60),
                           microchip VARCHAR(20))""", rows)
    tables = discover(url).tables
    assert tables["tasks"].action is None and tables["pets"].action == "delete"


def test_a_vets_clinical_file_keeps_the_animal_and_its_owner(tmp_path: Path) -> None:
    """Visits, their notes and medications below a pet (its `owner_id` points to the customer, who owns it) are a
    clinical file: retained; the pet and its owner are for review, not deleted; the appointment calendar is the
    owner's to delete; the clinicians many visits point to are staff, never deleted; a mailing's sender does not
    make the mailing theirs."""
    rows = []
    for i in range(1, 6):
        rows.append(f"INSERT INTO clinicians VALUES ({i}, '{FIRST[i]}', '{LAST[i]}', '{FIRST[i].lower()}@vet.be')")
    for i, (first, last) in enumerate(_people(), 1):
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO patients VALUES ({i}, {i}, 'Max')")
        rows.append(f"INSERT INTO appointments VALUES ({i}, {i}, {i}, '2024-05-01', 'Owner calls back, {first}')")
        for v in (2 * i - 1, 2 * i):
            rows.append(f"INSERT INTO visits VALUES ({v}, {i}, {1 + v % 5}, '2024-05-02')")
            rows.append(f"INSERT INTO visit_notes VALUES ({v}, {v}, 'Owner {last} reports reduced appetite')")
            rows.append(f"INSERT INTO medications VALUES ({v}, {v}, 'Metacam 1.5 mg/ml')")
    for i in range(1, 4):
        rows.append(f"INSERT INTO mailings VALUES ({i}, {i}, 'Newsletter {i}', 'Dear all, news of the practice')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE clinicians (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                                 email VARCHAR(120));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                                email VARCHAR(120));
        CREATE TABLE patients (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES customers(id), name VARCHAR(60));
        CREATE TABLE appointments (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                                   patient_id INTEGER REFERENCES patients(id), starts_at DATE, notes TEXT);
        CREATE TABLE visits (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patients(id),
                             clinician_id INTEGER REFERENCES clinicians(id), started_at DATE);
        CREATE TABLE visit_notes (id INTEGER PRIMARY KEY, visit_id INTEGER REFERENCES visits(id), note TEXT);
        CREATE TABLE medications (id INTEGER PRIMARY KEY, visit_id INTEGER REFERENCES visits(id),
                                  product_name VARCHAR(120));
        CREATE TABLE mailings (id INTEGER PRIMARY KEY, mailing_sender INTEGER REFERENCES customers(id),
                               mailing_subject VARCHAR(200), mailing_body TEXT)""", rows)
    tables = discover(url).tables
    assert {tables[t].action for t in ("visits", "visit_notes", "medications")} == {"retain"}
    assert tables["patients"].action == "review" and tables["customers"].action == "review"
    assert tables["appointments"].action == "delete"
    assert tables["clinicians"].action == "review" and tables["mailings"].action is None
