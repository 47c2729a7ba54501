"""The general weaknesses the fourth blind batch (bench/heldout6_schemas.py, heldout6_services.py) showed, each on a
small schema of its own: a customer account that may be a company or a private person, which retained invoices
refer to, is for review; a bank account with a direct-debit mandate is retained; staff user accounts (named by the
rows of other person tables, or with an employee number or a manager) are for review, and so are the records about
them that hold personal data; the organisation's suppliers, manufacturers, equipment and licences are left out; an
email template's sender address is the organisation's; a party whose contact values sit in a table of their own is
found through them; vital signs are a patient's; prescriptions are medical, not sales orders; more vocabulary
(tokens, confirmation codes, social handles, ISP, remote host, links carrying an email)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from eraser.discover import discover
from eraser.discover.names import INVOICE_TABLES, name_category
from tests import test_discover_safety
from tests.discover_shapes import FIRST, LAST, sqlite_db
from tests.discover_shapes import people as _people
from tests.test_discover_safety import draft, passes_check

keys_env = test_discover_safety.keys_env  # the fixture: signing keys and secret in the environment


@pytest.mark.parametrize(("column", "category"), [
    ("pass_crypted", "password"), ("job", "job_title"), ("poste", "job_title"), ("code_client", "customer_number"),
    ("remember_token", "user_agent"), ("confirmation_code", "user_agent"), ("contact_key", "user_agent"),
    ("oauth_provider_id", "user_agent"), ("tracking_hash", "user_agent"), ("token", "user_agent"),
    ("remote_host", "user_agent"), ("isp", "user_agent"), ("linkedin", "website"), ("twitter", "website"),
    ("rh", "characteristic"), ("deceased", "characteristic"), ("dod", "characteristic"),
    ("dwelling", "characteristic"), ("overlijdensdatum", "characteristic"),
    # not personal by name: a tenant's key, an API token, a host, a browser's languages, a payment provider
    ("company_key", None), ("api_token", None), ("hostname", None), ("browser_languages", None),
    ("payment_provider_id", None), ("job_type", None),
])
def test_more_names_of_personal_data(column: str, category: str | None) -> None:
    assert name_category(column) == category


def test_a_manufacturer_is_no_invoice() -> None:
    assert INVOICE_TABLES.search("manufacturers") is None and INVOICE_TABLES.search("fabrikanten") is None
    assert INVOICE_TABLES.search("llx_facture") and INVOICE_TABLES.search("factures")


def _third_parties(tmp_path: Path) -> str:
    """Dolibarr's shape: third parties that are companies or private persons (one `nom`, no first or last name),
    their contacts with names, bank accounts with a SEPA mandate, staff users named by the third parties' rows,
    invoices, payments and the rows that split a payment over invoices."""
    rows = []
    for i in range(1, 9):
        rows.append(f"INSERT INTO llx_user VALUES ({i}, 'user{i}', '{LAST[i]}', '{FIRST[i]}', "
                    f"'{FIRST[i].lower()}@installer.example.be', '$2y$10$abc{i}')")
    for i, (first, last) in enumerate(_people(60), 1):
        name = f"{first} {last}" if i % 2 else f"Chauffage {last} SRL"
        rows.append(f"INSERT INTO llx_societe VALUES ({i}, '{name}', 'CU{i:05d}', 'Rue Haute {i}', '1000', "
                    f"'Bruxelles', '04{70 + i % 20} {10 + i} 22 33', '{last.lower()}{i}@example.be', {1 + i % 8})")
        rows.append(f"INSERT INTO llx_socpeople VALUES ({i}, {i}, '{first}', '{last}', "
                    f"'{first.lower()}.{last.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO llx_societe_rib VALUES ({i}, {i}, 'BE68539007547034', '{first} {last}', "
                    f"'RUM{i:06d}', '2024-01-{1 + i % 28:02d}')")
        rows.append(f"INSERT INTO llx_facture VALUES ({i}, 'FA{i:04d}', {i}, '2024-02-{1 + i % 28:02d}', 121.0, "
                    f"21.0, {1 + i % 8})")
        rows.append(f"INSERT INTO llx_paiement VALUES ({i}, '2024-03-01', 121.0, {1 + i % 8})")
        rows.append(f"INSERT INTO llx_paiement_facture VALUES ({i}, {i}, {i}, 121.0)")
    return sqlite_db(tmp_path, """
        CREATE TABLE llx_user (rowid INTEGER PRIMARY KEY, login VARCHAR(50), lastname VARCHAR(50),
                               firstname VARCHAR(50), email VARCHAR(255), pass_crypted VARCHAR(128));
        CREATE TABLE llx_societe (rowid INTEGER PRIMARY KEY, nom VARCHAR(128), code_client VARCHAR(24),
                                  address VARCHAR(255), zip VARCHAR(25), town VARCHAR(50), phone VARCHAR(20),
                                  email VARCHAR(128), fk_user_creat INTEGER REFERENCES llx_user(rowid));
        CREATE TABLE llx_socpeople (rowid INTEGER PRIMARY KEY, fk_soc INTEGER REFERENCES llx_societe(rowid),
                                    firstname VARCHAR(50), lastname VARCHAR(50), email VARCHAR(255));
        CREATE TABLE llx_societe_rib (rowid INTEGER PRIMARY KEY, fk_soc INTEGER REFERENCES llx_societe(rowid),
                                      iban_prefix VARCHAR(34), proprio VARCHAR(60), rum VARCHAR(32), date_rum DATE);
        CREATE TABLE llx_facture (rowid INTEGER PRIMARY KEY, ref VARCHAR(30),
                                  fk_soc INTEGER REFERENCES llx_societe(rowid), datef DATE, total_ttc REAL,
                                  total_tva REAL, fk_user_author INTEGER REFERENCES llx_user(rowid));
        CREATE TABLE llx_paiement (rowid INTEGER PRIMARY KEY, datep TIMESTAMP, amount REAL,
                                   fk_user_creat INTEGER REFERENCES llx_user(rowid));
        CREATE TABLE llx_paiement_facture (rowid INTEGER PRIMARY KEY,
                                           fk_paiement INTEGER REFERENCES llx_paiement(rowid),
                                           fk_facture INTEGER REFERENCES llx_facture(rowid), amount REAL)""", rows)


def test_a_third_party_that_invoices_refer_to_is_never_deleted_by_default(tmp_path: Path, keys_env: Path) -> None:
    """The third party (a company or a private person) is for review, its contact deleted; the bank account with a
    SEPA mandate is retained; the staff users the third parties point to are for review; a payment the split rows
    of a retained invoice point to is retained; the draft passes `config check`."""
    url = _third_parties(tmp_path)
    found = discover(url)
    actions = {t: p.action for t, p in found.tables.items()}
    assert actions["llx_societe"] == "review" and actions["llx_socpeople"] == "delete"
    assert actions["llx_societe_rib"] == "retain" and actions["llx_user"] == "review"
    assert actions["llx_facture"] == actions["llx_paiement"] == actions["llx_paiement_facture"] == "retain"
    assert {("llx_user", "pass_crypted"), ("llx_societe", "code_client")} <= found.personal_columns()
    path, _ = draft(url, tmp_path)
    passes_check(path)


def test_a_credit_note_against_an_invoice_is_retained(tmp_path: Path) -> None:
    """A `credits` row with a number, a date and an amount against an invoice (`invoice_id`) is a credit note:
    retained; an activity that names the invoice but carries no amount is not an accounting record."""
    rows = []
    for i, (first, last) in enumerate(_people(60), 1):
        rows.append(f"INSERT INTO clients VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO invoices VALUES ({i}, {i}, '2024-{1 + i % 12:02d}-01', 121.0)")
        rows.append(f"INSERT INTO credits VALUES ({i}, {i}, {i}, 'CN-{i:04d}', '2024-{1 + i % 12:02d}-15', 12.1, "
                    f"'Klacht van {first}')")
        rows.append(f"INSERT INTO activities VALUES ({i}, {i}, {i}, 7, '2024-{1 + i % 12:02d}-02 10:00:00')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE clients (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                              email VARCHAR(120));
        CREATE TABLE credits (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id),
                              invoice_id INTEGER REFERENCES invoices(id), number VARCHAR(100), date DATE,
                              amount DECIMAL(20, 6), private_notes TEXT);
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id), date DATE,
                               amount DECIMAL(20, 6));
        CREATE TABLE activities (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id),
                                 invoice_id INTEGER REFERENCES invoices(id), activity_type_id INTEGER,
                                 created_at TIMESTAMP)""", rows)
    # whatever order the foreign keys come in (SQLAlchemy keeps them in a set, ordered by the hash seed)
    code = (f"from eraser.discover import discover; t = discover({url!r}).tables; "
            "print(t['credits'].action, t['invoices'].action, t['activities'].action)")
    for seed in range(8):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True,
                             cwd=Path(__file__).resolve().parents[1]).stdout.split()
        assert out[:2] == ["retain", "retain"] and out[2] != "retain", (seed, out)


def test_a_customer_with_a_first_and_last_name_is_still_deleted(tmp_path: Path) -> None:
    """Guard: a customer table with first and last names that invoices refer to stays `delete` (anonymized where an
    invoice keeps it), and one with a single name but no contacts below it too."""
    rows = []
    for i, (first, last) in enumerate(_people(60), 1):
        rows.append(f"INSERT INTO customers VALUES ({i}, '{first}', '{last}', '{first.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO members VALUES ({i}, '{first} {last}', '{last.lower()}{i}@example.org')")
        rows.append(f"INSERT INTO invoices VALUES ({i}, {i}, {i}, '2024-02-01', 121.0, 21.0)")
    url = sqlite_db(tmp_path, """
        CREATE TABLE customers (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60),
                                email VARCHAR(120));
        CREATE TABLE members (id INTEGER PRIMARY KEY, name VARCHAR(120), email VARCHAR(120));
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                               member_id INTEGER REFERENCES members(id), invoice_date DATE, total REAL, vat REAL)""",
                     rows)
    actions = {t: p.action for t, p in discover(url).tables.items()}
    assert actions["customers"] == "delete" and actions["members"] == "delete" and actions["invoices"] == "retain"


def _asset_manager(tmp_path: Path) -> str:
    """Snipe-IT's shape: staff users with an employee number and a manager, suppliers with a contact person,
    manufacturers with a support line, assets and licences assigned to staff, licence seats, an action log and
    signed checkout acceptances."""
    rows = []
    for i in range(1, 5):
        rows.append(f"INSERT INTO manufacturers VALUES ({i}, 'Brand{i}', '+32 2 481 88 0{i}', 'support@brand{i}.example.com')")
        rows.append(f"INSERT INTO suppliers VALUES ({i}, 'Supplier {i} NV', 'Kerkstraat {i}', 'Leuven', "
                    f"'{FIRST[i]} {LAST[i]}', '+32 16 22 33 4{i}', '{FIRST[i].lower()}@supplier{i}.example.be')")
    for i, (first, last) in enumerate(_people(60), 1):
        manager = "NULL" if i <= 5 else str(1 + i % 5)
        rows.append(f"INSERT INTO users VALUES ({i}, '{first}', '{last}', '{first.lower()}.{last.lower()}{i}@corp.example.be', "
                    f"'E{10000 + i}', {manager}, 'tok{i:020d}')")
    for i in range(1, 101):
        user = 1 + i % 60
        rows.append(f"INSERT INTO assets VALUES ({i}, 'LT-{i:04d}', 'BL{i:05d}', 'SN{i:08d}', '2023-01-05', 900.0, "
                    f"{user}, {1 + i % 4}, {1 + i % 4}, 'Scherm vervangen')")
        rows.append(f"INSERT INTO action_logs VALUES ({i}, {user}, 'checkout', 'Afgegeven aan {FIRST[user % 10]}', "
                    f"'10.0.0.{i}', 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36', "
                    f"{'NULL' if i % 3 else repr(f'siglog-{i:04d}.png')})")
        rows.append(f"INSERT INTO checkout_acceptances VALUES ({i}, {user}, 'siglog-{i}.png', NULL)")
        rows.append(f"INSERT INTO license_seats VALUES ({i}, {1 + i % 2}, {user}, NULL)")
    rows.append("INSERT INTO licenses VALUES (1, 'Office', 'M365-1', 200, 'it@corp.example.be', 9000.0, 1)")
    rows.append("INSERT INTO licenses VALUES (2, 'Acrobat', 'ACRO-1', 25, 'it@corp.example.be', 900.0, 2)")
    return sqlite_db(tmp_path, """
        CREATE TABLE manufacturers (id INTEGER PRIMARY KEY, name VARCHAR(255), support_phone VARCHAR(255),
                                    support_email VARCHAR(255));
        CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name VARCHAR(255), address VARCHAR(250), city VARCHAR(255),
                                contact VARCHAR(100), phone VARCHAR(35), email VARCHAR(150));
        CREATE TABLE users (id INTEGER PRIMARY KEY, first_name VARCHAR(191), last_name VARCHAR(191),
                            email VARCHAR(191), employee_num TEXT, manager_id INTEGER REFERENCES users(id),
                            remember_token VARCHAR(100));
        CREATE TABLE assets (id INTEGER PRIMARY KEY, name VARCHAR(255), asset_tag VARCHAR(255), serial VARCHAR(255),
                             purchase_date DATE, purchase_cost DECIMAL(20, 2), assigned_to INTEGER,
                             supplier_id INTEGER REFERENCES suppliers(id),
                             manufacturer_id INTEGER REFERENCES manufacturers(id), notes TEXT);
        CREATE TABLE licenses (id INTEGER PRIMARY KEY, name VARCHAR(255), serial TEXT, seats INTEGER,
                               license_email VARCHAR(255), purchase_cost DECIMAL(20, 2),
                               supplier_id INTEGER REFERENCES suppliers(id));
        CREATE TABLE license_seats (id INTEGER PRIMARY KEY, license_id INTEGER REFERENCES licenses(id),
                                    assigned_to INTEGER REFERENCES users(id), notes TEXT);
        CREATE TABLE action_logs (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id),
                                  action_type VARCHAR(255), note TEXT, remote_ip VARCHAR(45),
                                  user_agent VARCHAR(255), accept_signature VARCHAR(100));
        CREATE TABLE checkout_acceptances (id INTEGER PRIMARY KEY, assigned_to_id INTEGER REFERENCES users(id),
                                           signature_filename VARCHAR(255), note TEXT)""", rows)


def test_the_organisations_equipment_and_suppliers_are_left_out(tmp_path: Path, keys_env: Path) -> None:
    """Staff users (an employee number, a manager) are for review, and so are the log rows and signed acceptances
    about them; the licence seats assigned to them (no personal data of their own), the assets, licences,
    suppliers and manufacturers are left out; a supplier's contact person, phone and email are personal, its name
    and address are not; a manufacturer's support line is no one's; the draft passes `config check`."""
    url = _asset_manager(tmp_path)
    found = discover(url)
    actions = {t: p.action for t, p in found.tables.items()}
    assert actions["users"] == "review"
    assert actions["action_logs"] == "review" and actions["checkout_acceptances"] == "review"
    for table in ("assets", "licenses", "license_seats", "suppliers", "manufacturers"):
        assert actions[table] is None, (table, actions[table])
    personal = found.personal_columns()
    assert {("suppliers", "contact"), ("suppliers", "phone"), ("suppliers", "email"),
            ("users", "remember_token"), ("action_logs", "accept_signature")} <= personal
    assert not {("suppliers", "name"), ("suppliers", "address"), ("manufacturers", "support_email"),
                ("manufacturers", "support_phone"), ("manufacturers", "name"), ("licenses", "license_email"),
                ("licenses", "name"), ("assets", "notes")} & personal
    path, _ = draft(url, tmp_path)
    passes_check(path)


def test_an_email_templates_sender_is_the_organisations(tmp_path: Path) -> None:
    """Four templates with one sender address, sent to many contacts: the templates are left out and their sender,
    subject and body are not personal; a message table whose senders are all different keeps its senders."""
    rows = [f"INSERT INTO emails VALUES ({i}, 'Newsletter {i}', 'Newsletter de mai {i}', "
            f"'newsletter@events.example.be', '<p>Bonjour {{contactfield=firstname}}</p>')" for i in range(1, 5)]
    for i, (first, last) in enumerate(_people(80), 1):
        email = f"{first.lower()}.{last.lower()}{i}@example.be"
        rows.append(f"INSERT INTO leads VALUES ({i}, '{first}', '{last}', '{email}')")
        rows.append(f"INSERT INTO email_stats VALUES ({i}, {1 + i % 4}, {i}, '{email}', 'abc{i:010d}')")
        rows.append(f"INSERT INTO messages VALUES ({i}, '{last.lower()}{i}@mail.example.com', 'Vraag over factuur')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE emails (id INTEGER PRIMARY KEY, name VARCHAR(191), subject TEXT, from_address VARCHAR(191),
                             custom_html TEXT);
        CREATE TABLE leads (id INTEGER PRIMARY KEY, firstname VARCHAR(191), lastname VARCHAR(191),
                            email VARCHAR(191));
        CREATE TABLE email_stats (id INTEGER PRIMARY KEY, email_id INTEGER REFERENCES emails(id),
                                  lead_id INTEGER REFERENCES leads(id), email_address VARCHAR(191),
                                  tracking_hash VARCHAR(191));
        CREATE TABLE messages (id INTEGER PRIMARY KEY, from_address VARCHAR(191), body TEXT)""", rows)
    found = discover(url)
    assert found.tables["emails"].action is None
    personal = found.personal_columns()
    assert not {("emails", c) for c in ("name", "subject", "from_address", "custom_html")} & personal
    assert {("messages", "from_address"), ("email_stats", "tracking_hash")} <= personal


def _health_centre(tmp_path: Path) -> str:
    """GNU Health's shape: parties (names, date of birth) whose phones and emails are in contact mechanisms,
    households, health professionals (a party each), patients, appointments, evaluations with vital signs,
    prescriptions and their lines, vaccinations; and a product catalogue with a weight and a storage temperature."""
    rows = ["INSERT INTO gnuhealth_medicament VALUES (1, 'Metformine', 0.2, 20)",
            "INSERT INTO gnuhealth_medicament VALUES (2, 'Vaccin', 0.1, 4)"]
    for d in range(1, 31):
        rows.append(f"INSERT INTO gnuhealth_du VALUES ({d}, 'DU-{d:05d}', 'Gezin {LAST[d % 10]}', 'Kerkstraat', {d}, "
                    "'9000', 'Gent')")
    for i, (first, last) in enumerate(_people(60), 1):
        rows.append(f"INSERT INTO party_party VALUES ({i}, 'PAR{i:06d}', '{first}', '{last}', "
                    f"'19{50 + i % 40}-0{1 + i % 9}-1{i % 9}', {1 + (i - 1) // 2})")
        rows.append(f"INSERT INTO party_contact_mechanism VALUES ({i}, {i}, 'mobile', '04{70 + i % 20} 12 34 {10 + i}')")
    for p in range(1, 6):
        rows.append(f"INSERT INTO gnuhealth_healthprofessional VALUES ({p}, {p}, 'Huisarts')")
    for i in range(6, 61):
        rows.append(f"INSERT INTO gnuhealth_patient VALUES ({i}, {i}, {1 + i % 5}, 'A', '+', 0)")
        rows.append(f"INSERT INTO gnuhealth_appointment VALUES ({i}, {i}, {1 + i % 5}, '2024-05-01 10:00:00', "
                    f"'Belt terug op 0470 12 34 {10 + i}')")
        rows.append(f"INSERT INTO gnuhealth_patient_evaluation VALUES ({i}, {i}, {1 + i % 5}, '2024-05-01', "
                    f"'Hoest', {60 + i % 40}.5, {160 + i % 30}, {22 + i % 8}.1, {110 + i % 50}, {70 + i % 20}, "
                    f"{60 + i % 30}, 37.{i % 9})")
        rows.append(f"INSERT INTO gnuhealth_prescription_order VALUES ({i}, {i}, {1 + i % 5}, 'RX{i:06d}', '2024-05-02')")
        rows.append(f"INSERT INTO gnuhealth_prescription_line VALUES ({i}, {i}, 1, 1.0)")
        rows.append(f"INSERT INTO gnuhealth_vaccination VALUES ({i}, {i}, 2, '2024-06-01')")
    return sqlite_db(tmp_path, """
        CREATE TABLE gnuhealth_medicament (id INTEGER PRIMARY KEY, name VARCHAR(255), weight REAL,
                                           temperature INTEGER);
        CREATE TABLE gnuhealth_du (id INTEGER PRIMARY KEY, name VARCHAR(40), "desc" VARCHAR(255),
                                   address_street VARCHAR(255),
                                   address_street_number INTEGER, address_zip VARCHAR(10), address_city VARCHAR(100));
        CREATE TABLE party_party (id INTEGER PRIMARY KEY, code VARCHAR(20), name VARCHAR(255), lastname VARCHAR(255),
                                  dob DATE, du INTEGER REFERENCES gnuhealth_du(id));
        CREATE TABLE party_contact_mechanism (id INTEGER PRIMARY KEY, party INTEGER REFERENCES party_party(id),
                                              type VARCHAR(20), value VARCHAR(255));
        CREATE TABLE gnuhealth_healthprofessional (id INTEGER PRIMARY KEY, name INTEGER REFERENCES party_party(id),
                                                   main_specialty VARCHAR(60));
        CREATE TABLE gnuhealth_patient (id INTEGER PRIMARY KEY, name INTEGER UNIQUE REFERENCES party_party(id),
                                        primary_care_doctor INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                        blood_type VARCHAR(2), rh VARCHAR(1), deceased INTEGER);
        CREATE TABLE gnuhealth_appointment (id INTEGER PRIMARY KEY, patient INTEGER REFERENCES gnuhealth_patient(id),
                                            healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                            appointment_date TIMESTAMP, comments TEXT);
        CREATE TABLE gnuhealth_patient_evaluation (id INTEGER PRIMARY KEY,
                                                   patient INTEGER REFERENCES gnuhealth_patient(id),
                                                   healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                                   evaluation_start TIMESTAMP, chief_complaint VARCHAR(255),
                                                   weight REAL, height REAL, bmi REAL, systolic INTEGER,
                                                   diastolic INTEGER, bpm INTEGER, temperature REAL);
        CREATE TABLE gnuhealth_prescription_order (id INTEGER PRIMARY KEY,
                                                   patient INTEGER REFERENCES gnuhealth_patient(id),
                                                   healthprof INTEGER REFERENCES gnuhealth_healthprofessional(id),
                                                   prescription_id VARCHAR(20), prescription_date TIMESTAMP);
        CREATE TABLE gnuhealth_prescription_line (id INTEGER PRIMARY KEY,
                                                  name INTEGER REFERENCES gnuhealth_prescription_order(id),
                                                  medicament INTEGER REFERENCES gnuhealth_medicament(id), dose REAL);
        CREATE TABLE gnuhealth_vaccination (id INTEGER PRIMARY KEY, name INTEGER REFERENCES gnuhealth_patient(id),
                                            vaccine INTEGER REFERENCES gnuhealth_medicament(id), date TIMESTAMP)""",
                     rows)


def test_a_patients_file_under_a_party_found_by_its_contact_values(tmp_path: Path, keys_env: Path) -> None:
    """The party (names, no identifier of its own) is found through its contact mechanisms: for review, and so are
    the patient, the health professional's row and the household several parties share; evaluations,
    prescriptions (medical, not a sales order) and vaccinations are retained under the medical records preset;
    appointments are deleted; vital signs are personal, a medicine's weight and storage temperature are not; the
    draft passes `config check`."""
    url = _health_centre(tmp_path)
    found = discover(url)
    actions = {t: p.action for t, p in found.tables.items()}
    assert actions["party_party"] == "review" and actions["gnuhealth_patient"] == "review"
    assert actions["gnuhealth_healthprofessional"] == "review" and actions["gnuhealth_du"] == "review"
    assert actions["gnuhealth_appointment"] == "delete" and actions["party_contact_mechanism"] == "delete"
    for table in ("gnuhealth_patient_evaluation", "gnuhealth_prescription_order", "gnuhealth_prescription_line",
                  "gnuhealth_vaccination"):
        assert actions[table] == "retain", table
        assert found.tables[table].retain["preset"] == "medical_records", table
    personal = found.personal_columns()
    assert {("gnuhealth_patient_evaluation", c) for c in ("weight", "height", "bmi", "systolic", "diastolic", "bpm",
                                                          "temperature")} <= personal
    assert {("gnuhealth_patient", "rh"), ("gnuhealth_patient", "deceased")} <= personal
    assert not {("gnuhealth_medicament", "weight"), ("gnuhealth_medicament", "temperature")} & personal
    path, _ = draft(url, tmp_path)
    passes_check(path)


def test_a_persons_link_rows_are_deleted_with_them(tmp_path: Path) -> None:
    """Link rows keyed by their two foreign keys (a contact's segment membership, their link to a company) only say
    the person belongs to something: deleted with them; a row with a key of its own and no personal data (an
    enrolment that may be a business record) stays for review."""
    rows = [f"INSERT INTO lead_lists VALUES ({i}, 'Segment {i}')" for i in range(1, 5)]
    for i in range(1, 21):
        rows.append(f"INSERT INTO companies VALUES ({i}, 'Firma {i} NV', 'info{i}@firma{i}.example.be')")
    for i, (first, last) in enumerate(_people(80), 1):
        rows.append(f"INSERT INTO leads VALUES ({i}, '{first}', '{last}', '{first.lower()}.{last.lower()}{i}@example.be')")
        rows.append(f"INSERT INTO lead_lists_leads VALUES ({1 + i % 4}, {i}, '2024-01-01')")
        rows.append(f"INSERT INTO companies_leads VALUES ({1 + i % 20}, {i}, 1)")
        rows.append(f"INSERT INTO enrolments VALUES ({i}, {i}, {1 + i % 4}, '2024-01-01')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE lead_lists (id INTEGER PRIMARY KEY, name VARCHAR(191));
        CREATE TABLE companies (id INTEGER PRIMARY KEY, companyname VARCHAR(191), companyemail VARCHAR(191));
        CREATE TABLE leads (id INTEGER PRIMARY KEY, firstname VARCHAR(191), lastname VARCHAR(191), email VARCHAR(191));
        CREATE TABLE lead_lists_leads (leadlist_id INTEGER REFERENCES lead_lists(id),
                                       lead_id INTEGER REFERENCES leads(id), date_added TIMESTAMP,
                                       PRIMARY KEY (leadlist_id, lead_id));
        CREATE TABLE companies_leads (company_id INTEGER REFERENCES companies(id),
                                      lead_id INTEGER REFERENCES leads(id), is_primary INTEGER,
                                      PRIMARY KEY (company_id, lead_id));
        CREATE TABLE enrolments (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads(id),
                                 leadlist_id INTEGER REFERENCES lead_lists(id), date_added TIMESTAMP)""", rows)
    actions = {t: p.action for t, p in discover(url).tables.items()}
    assert actions["lead_lists_leads"] == "delete" and actions["companies_leads"] == "delete"
    assert actions["enrolments"] == "review" and actions["lead_lists"] is None


def test_a_documents_public_note_is_its_text(tmp_path: Path) -> None:
    """The public note printed on a client's documents (`public_notes`, `note_public`) is personal only where its
    values name someone (a quote's note naming the client is); the private note beside it stays a message column."""
    rows = []
    for i, (first, last) in enumerate(_people(60), 1):
        rows.append(f"INSERT INTO clients VALUES ({i}, '{first} {last}', '{first.lower()}{i}@example.be', "
                    f"'{['Maandelijks onderhoudscontract', 'Paiement par domiciliation'][i % 2]}', "
                    f"'{['Betaalt laat', 'Belt liever s avonds'][i % 2]}', 'Contrat annuel')")
        rows.append(f"INSERT INTO quotes VALUES ({i}, {i}, 'Offerte voor {first} {last}, bel {first} terug')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE clients (id INTEGER PRIMARY KEY, name VARCHAR(120), email VARCHAR(120), public_notes TEXT,
                              private_notes TEXT, note_public TEXT);
        CREATE TABLE quotes (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id), note_public TEXT)""",
                     rows)
    personal = discover(url).personal_columns()
    assert ("clients", "public_notes") not in personal and ("clients", "note_public") not in personal
    assert ("clients", "private_notes") in personal and ("quotes", "note_public") in personal


def test_links_that_carry_an_email_and_flags_named_after_one(tmp_path: Path) -> None:
    """A page hit's URL with `?email=` in some rows is personal, one without is not; a `send_email` flag (a number)
    is no email address."""
    rows = []
    for i, (first, last) in enumerate(_people(80), 1):
        email = f"{first.lower()}.{last.lower()}{i}@example.be"
        rows.append(f"INSERT INTO leads VALUES ({i}, '{first}', '{last}', '{email}', 1)")
        url = f"https://www.example.be/inscription?email={email}" if i % 5 == 0 else "https://www.example.be/merci"
        rows.append(f"INSERT INTO page_hits VALUES ({i}, {i}, '{url}', 'https://www.google.com/')")
    url = sqlite_db(tmp_path, """
        CREATE TABLE leads (id INTEGER PRIMARY KEY, firstname VARCHAR(191), lastname VARCHAR(191), email VARCHAR(191),
                            send_email INTEGER);
        CREATE TABLE page_hits (id INTEGER PRIMARY KEY, lead_id INTEGER REFERENCES leads(id), url TEXT,
                                referer TEXT)""", rows)
    personal = discover(url).personal_columns()
    assert ("page_hits", "url") in personal
    assert ("page_hits", "referer") not in personal and ("leads", "send_email") not in personal


def test_every_draft_of_the_fourth_blind_batch_passes_config_check(tmp_path: Path, keys_env: Path) -> None:
    import sqlalchemy as sa
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from heldout6_schemas import BLIND4

    for name, schema in BLIND4.items():
        directory = tmp_path / name
        directory.mkdir()
        url = f"sqlite:///{directory / 'db.sqlite'}"
        engine = sa.create_engine(url)
        schema.build(engine, 7)
        engine.dispose()
        path, _ = draft(url, directory)
        passes_check(path)
