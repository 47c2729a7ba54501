"""The general weaknesses the fresh held-out batch (bench/heldout2_schemas.py) showed on its first run, each on a
small schema of its own: characteristics, licence plates, identity documents, Dutch name and house-number parts
by name; a website or MAC address is not a street; a key named `name` is a key; the booking or application a
retained invoice or payment refers to is retained with it; an address in a small table that many rows share is
a place's, not a person's."""

from __future__ import annotations

from pathlib import Path

import pytest

from eraser.discover import discover
from eraser.discover.names import name_category
from tests.discover_shapes import sqlite_db


@pytest.mark.parametrize(("column", "category"), [
    ("nationality", "characteristic"), ("nationalite", "characteristic"), ("ethnicity", "characteristic"),
    ("marital_status", "characteristic"), ("burgerlijke_staat", "characteristic"), ("blood_group", "characteristic"),
    ("kenteken", "licence_plate"), ("license_plate", "licence_plate"), ("plaque_immatriculation", "licence_plate"),
    ("numero_piece_identite", "national_id"), ("id_document_number", "national_id"), ("rijbewijs", "national_id"),
    ("bank_ac_no", "bank_account"), ("voornamen", "first_name"), ("geslachtsnaam", "last_name"),
    ("name_suffix", "last_name"), ("huisletter", "house_number"), ("huisnummer_toevoeging", "house_number"),
    ("www_address", None), ("web_address", None), ("mac_address", None), ("address", "street"),
    ("address_2", "street"), ("billing_address", "street"),
])
def test_names_of_personal_data(column: str, category: str | None) -> None:
    assert name_category(column) == category


def test_a_key_named_name_is_a_key_not_a_persons_name(tmp_path: Path) -> None:
    """Frappe-style document names as primary keys (`HR-EMP-00001`): the employee's name columns are personal,
    the key is not."""
    rows = [f"INSERT INTO employee VALUES ('HR-EMP-{i:05d}', 'Asha Rao {i}', 'asha{i}@example.com')"
            for i in range(40)]
    rows += [f"INSERT INTO leave VALUES ('HR-LAP-{i:05d}', 'HR-EMP-{i:05d}', '2024-05-0{i % 9 + 1}')"
             for i in range(40)]
    url = sqlite_db(tmp_path, """
        CREATE TABLE employee (name VARCHAR(140) PRIMARY KEY, employee_name VARCHAR(140), personal_email VARCHAR(140));
        CREATE TABLE leave (name VARCHAR(140) PRIMARY KEY, employee VARCHAR(140) REFERENCES employee(name),
                            from_date DATE)""", rows)
    found = discover(url).personal_columns()
    assert ("employee", "employee_name") in found and ("employee", "personal_email") in found
    assert ("employee", "name") not in found and ("leave", "name") not in found


SHOP = """
    CREATE TABLE hotels (id INTEGER PRIMARY KEY, name VARCHAR(80), address VARCHAR(120), city VARCHAR(60),
                         postcode VARCHAR(10));
    CREATE TABLE guests (id INTEGER PRIMARY KEY, first_name VARCHAR(60), last_name VARCHAR(60), email VARCHAR(120),
                         address VARCHAR(120), city VARCHAR(60), postcode VARCHAR(10));
    CREATE TABLE bookings (id INTEGER PRIMARY KEY, guest_id INTEGER REFERENCES guests(id),
                           hotel_id INTEGER REFERENCES hotels(id), checkin DATE, total_price NUMERIC(10,2),
                           note TEXT);
    CREATE TABLE booked_rooms (id INTEGER PRIMARY KEY, booking_id INTEGER REFERENCES bookings(id),
                               room VARCHAR(10), room_price NUMERIC(10,2));
    CREATE TABLE booking_requests (id INTEGER PRIMARY KEY, booking_id INTEGER REFERENCES bookings(id),
                                   request TEXT);
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, booking_id INTEGER REFERENCES bookings(id),
                           invoice_number VARCHAR(20), invoice_date DATE, amount NUMERIC(10,2))"""


def _shop(tmp_path: Path) -> str:
    streets = ["Rue Haute", "Kerkstraat", "Avenue Louise", "Stationsstraat", "Grand-Place", "Meir"]
    cities = ["Namur", "Gent", "Liège", "Brugge", "Mons", "Antwerpen"]
    rows = [f"INSERT INTO hotels VALUES ({h}, 'Hotel {h}', '{streets[h]} {h}', '{cities[h]}', '{5000 + h}')"
            for h in (1, 2)]
    for i in range(1, 61):
        rows.append(f"INSERT INTO guests VALUES ({i}, 'Marie{i}', 'Dubois{i}', 'marie{i}@example.be', "
                    f"'{streets[i % 6]} {i}', '{cities[i % 6]}', '{1000 + i * 7}')")
        for j in range(3):
            b = i * 10 + j
            rows.append(f"INSERT INTO bookings VALUES ({b}, {i}, {1 + j % 2}, '2024-0{j + 1}-1{j}', {100 + i}, "
                        f"'Call me at +32 470 12 {i:02d} {j:02d}')")
            rows.append(f"INSERT INTO booked_rooms VALUES ({b}, {b}, '1{j}{i % 9}', {100 + i})")
            rows.append(f"INSERT INTO booking_requests VALUES ({b}, {b}, 'Late arrival, mail marie{i}@example.be')")
            rows.append(f"INSERT INTO invoices VALUES ({b}, {b}, 'INV{b}', '2024-0{j + 1}-1{j}', {100 + i})")
    return sqlite_db(tmp_path, SHOP, rows)


def test_the_booking_an_invoice_refers_to_is_retained_with_it(tmp_path: Path) -> None:
    """The booking a retained invoice bills, and its room lines with a price, are retained (deleting them would
    erase the accounting record); the guest is still deleted, and a booking's child without amounts is not
    retained."""
    tables = discover(_shop(tmp_path)).tables
    assert tables["invoices"].action == "retain"
    assert tables["bookings"].action == "retain", tables["bookings"].reasons
    assert tables["booked_rooms"].action == "retain", tables["booked_rooms"].reasons
    assert tables["guests"].action == "delete"
    assert tables["booking_requests"].action != "retain"


def test_an_address_of_a_place_many_rows_share_is_not_personal(tmp_path: Path) -> None:
    """Two hotels that 180 bookings point to: their addresses are the organisation's; a guest's is personal."""
    found = discover(_shop(tmp_path))
    personal = found.personal_columns()
    assert {("guests", "address"), ("guests", "city"), ("guests", "postcode")} <= personal
    assert not {c for c in personal if c[0] == "hotels"}, sorted(personal)
    assert found.tables["hotels"].action is None
