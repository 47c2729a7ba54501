"""Two small schemas with the shapes of public sample databases (written here, not copied), for discovery:

- `rental`: a film-rental chain: countries, cities, addresses (with a phone), customers who each have their own
  address, staff and stores on other addresses, a film catalogue, inventory per store, rentals, and payments
  (on PostgreSQL a partitioned table whose partitions carry the foreign keys, one partition without any).
- `trading`: an import/export trader: customers with text keys and national-format phones in many countries,
  employees, suppliers, shippers, product categories with a picture (bytes), products, orders and order details
  with a composite primary key.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

FIRST = ["Anna", "Bram", "Chloé", "Dirk", "Elif", "Femke", "Gert", "Hanne", "Ilse", "Jonas", "Karim", "Lotte",
         "Mats", "Nora", "Olivier", "Pieter", "Quinten", "Roos", "Sofie", "Tom"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "Dubois",
        "Lambert", "Dupont", "Martin", "Simon", "Laurent", "Leroy", "Smith", "Jones", "Brown", "Garcia"]
COUNTRIES = [("United States", "+1 503-555-{:04d}"), ("Germany", "+49 30 {:07d}"), ("France", "+33 1 42 {:06d}"),
             ("Brazil", "+55 11 3{:07d}"), ("Mexico", "+52 55 5{:07d}")]


# Belgian first and last names for the small schemas of the discovery tests.
FIRST = ["Jan", "Marie", "Pieter", "Sofie", "Lucas", "Emma", "Noah", "Louise", "Arthur", "Elise"]
LAST = ["Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens", "Wouters", "Dubois"]


def people(n: int = 40) -> list[tuple[str, str]]:
    """n (first, last) pairs, each pair of names recurring, as in a real list of persons."""
    return [(FIRST[i % 10], LAST[(i // 10 + i) % 10]) for i in range(n)]


def sqlite_db(tmp_path: Path, ddl: str, rows: list[str]) -> str:
    """A SQLite database under tmp_path made of `ddl` (statements separated by ;) and `rows` (INSERTs): its URL."""
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        for statement in [*ddl.split(";"), *rows]:
            if statement.strip():
                conn.exec_driver_sql(statement)
    engine.dispose()
    return url


def _run(engine: sa.Engine, statements: list[str], rows: dict[str, list[dict[str, object]]]) -> None:
    with engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))
        meta = sa.MetaData()
        meta.reflect(conn)
        for table, data in rows.items():
            if data:
                conn.execute(meta.tables[table].insert(), data)


def build_rental(engine: sa.Engine, seed: int = 1, customers: int = 60) -> None:
    rng = random.Random(seed)
    pg = engine.dialect.name == "postgresql"
    ddl = [
        "CREATE TABLE country (country_id INTEGER PRIMARY KEY, country VARCHAR(50) NOT NULL)",
        "CREATE TABLE city (city_id INTEGER PRIMARY KEY, city VARCHAR(50) NOT NULL, "
        "country_id INTEGER NOT NULL REFERENCES country(country_id))",
        "CREATE TABLE address (address_id INTEGER PRIMARY KEY, address VARCHAR(80) NOT NULL, address2 VARCHAR(80), "
        "district VARCHAR(40), postal_code VARCHAR(10), phone VARCHAR(30) NOT NULL, "
        "city_id INTEGER NOT NULL REFERENCES city(city_id))",
        "CREATE TABLE staff (staff_id INTEGER PRIMARY KEY, first_name VARCHAR(45) NOT NULL, "
        "last_name VARCHAR(45) NOT NULL, email VARCHAR(80), address_id INTEGER NOT NULL REFERENCES address(address_id), "
        "username VARCHAR(16) NOT NULL)",
        "CREATE TABLE store (store_id INTEGER PRIMARY KEY, manager_staff_id INTEGER NOT NULL "
        "REFERENCES staff(staff_id), address_id INTEGER NOT NULL REFERENCES address(address_id))",
        "CREATE TABLE customer (customer_id INTEGER PRIMARY KEY, store_id INTEGER NOT NULL REFERENCES store(store_id), "
        "first_name VARCHAR(45) NOT NULL, last_name VARCHAR(45) NOT NULL, email VARCHAR(80), "
        "address_id INTEGER NOT NULL REFERENCES address(address_id), create_date DATE NOT NULL)",
        "CREATE TABLE film (film_id INTEGER PRIMARY KEY, title VARCHAR(100) NOT NULL, description TEXT, "
        "release_year INTEGER)",
        "CREATE TABLE inventory (inventory_id INTEGER PRIMARY KEY, film_id INTEGER NOT NULL REFERENCES film(film_id), "
        "store_id INTEGER NOT NULL REFERENCES store(store_id))",
        "CREATE TABLE rental (rental_id INTEGER PRIMARY KEY, rental_date TIMESTAMP NOT NULL, "
        "inventory_id INTEGER NOT NULL REFERENCES inventory(inventory_id), "
        "customer_id INTEGER NOT NULL REFERENCES customer(customer_id), return_date TIMESTAMP, "
        "staff_id INTEGER NOT NULL REFERENCES staff(staff_id))",
    ]
    if pg:
        ddl += [
            "CREATE TABLE payment (payment_id INTEGER NOT NULL, customer_id INTEGER NOT NULL, staff_id INTEGER NOT NULL, "
            "rental_id INTEGER NOT NULL, amount NUMERIC(5,2) NOT NULL, payment_date TIMESTAMP NOT NULL, "
            "PRIMARY KEY (payment_date, payment_id)) PARTITION BY RANGE (payment_date)",
            "CREATE TABLE payment_p2022_01 PARTITION OF payment FOR VALUES FROM ('2022-01-01') TO ('2022-02-01')",
            "CREATE TABLE payment_p2022_02 PARTITION OF payment FOR VALUES FROM ('2022-02-01') TO ('2022-03-01')",
            "ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (customer_id) REFERENCES customer(customer_id)",
            "ALTER TABLE payment_p2022_01 ADD FOREIGN KEY (rental_id) REFERENCES rental(rental_id)",
        ]  # payment_p2022_02 has no foreign key at all
    else:
        ddl.append("CREATE TABLE payment (payment_id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL "
                   "REFERENCES customer(customer_id), staff_id INTEGER NOT NULL REFERENCES staff(staff_id), "
                   "rental_id INTEGER NOT NULL REFERENCES rental(rental_id), amount NUMERIC(5,2) NOT NULL, "
                   "payment_date TIMESTAMP NOT NULL)")
    rows: dict[str, list[dict[str, object]]] = {t: [] for t in (
        "country", "city", "address", "staff", "store", "customer", "film", "inventory", "rental", "payment")}
    for i, (name, _) in enumerate(COUNTRIES, 1):
        rows["country"].append({"country_id": i, "country": name})
    for i in range(1, 21):
        rows["city"].append({"city_id": i, "city": f"{rng.choice(['North', 'South', 'Port', 'New'])} "
                                                   f"{rng.choice(LAST)}ville", "country_id": (i - 1) % 5 + 1})

    def address(i: int) -> None:
        city = rng.randint(1, 20)
        phone = COUNTRIES[(city - 1) % 5][1].format(rng.randint(0, 9999))
        rows["address"].append({"address_id": i, "address": f"{rng.randint(1, 999)} {rng.choice(LAST)} Street",
                                "address2": None, "district": rng.choice(["Alberta", "QLD", "Nagasaki", "Texas"]),
                                "postal_code": f"{rng.randint(10000, 99999)}", "phone": phone, "city_id": city})
    for i in range(1, 5):
        address(i)
    for s in (1, 2):
        first, last = FIRST[s], LAST[s]
        rows["staff"].append({"staff_id": s, "first_name": first, "last_name": last, "address_id": s,
                              "email": f"{first.lower()}.{last.lower()}@rentals.example", "username": first})
        rows["store"].append({"store_id": s, "manager_staff_id": s, "address_id": s + 2})
    for f in range(1, 31):
        rows["film"].append({"film_id": f, "title": f"{rng.choice(['Academy', 'Dinosaur', 'Ace'])} {f}",
                             "description": "A Epic Drama of a Feminist And a Mad Scientist", "release_year": 2006})
        rows["inventory"].append({"inventory_id": f, "film_id": f, "store_id": f % 2 + 1})
    rental_id = payment_id = 0
    for c in range(1, customers + 1):
        address(4 + c)
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows["customer"].append({"customer_id": c, "store_id": c % 2 + 1, "first_name": first, "last_name": last,
                                 "email": f"{first.lower()}.{last.lower()}{c}@mail.example", "address_id": 4 + c,
                                 "create_date": datetime(2021, 2, 14).date()})
        for _ in range(2):
            rental_id += 1
            when = datetime(2022, 1, 1) + timedelta(hours=rng.randint(0, 24 * 50))
            rows["rental"].append({"rental_id": rental_id, "rental_date": when, "inventory_id": rng.randint(1, 30),
                                   "customer_id": c, "return_date": when + timedelta(days=3),
                                   "staff_id": rng.randint(1, 2)})
            payment_id += 1
            rows["payment"].append({"payment_id": payment_id, "customer_id": c, "staff_id": 1,
                                    "rental_id": rental_id, "amount": 2.99, "payment_date": when})
    _run(engine, ddl, rows)


def build_trading(engine: sa.Engine, seed: int = 1, customers: int = 60) -> None:
    rng = random.Random(seed)
    blob = "BYTEA" if engine.dialect.name == "postgresql" else "BLOB"
    ddl = [
        "CREATE TABLE categories (category_id INTEGER PRIMARY KEY, category_name VARCHAR(15) NOT NULL, "
        f"description TEXT, picture {blob})",
        "CREATE TABLE suppliers (supplier_id INTEGER PRIMARY KEY, company_name VARCHAR(40) NOT NULL, "
        "contact_name VARCHAR(30), country VARCHAR(15), phone VARCHAR(24))",
        "CREATE TABLE products (product_id INTEGER PRIMARY KEY, product_name VARCHAR(40) NOT NULL, "
        "supplier_id INTEGER REFERENCES suppliers(supplier_id), category_id INTEGER REFERENCES categories(category_id), "
        "unit_price NUMERIC(10,2))",
        "CREATE TABLE shippers (shipper_id INTEGER PRIMARY KEY, company_name VARCHAR(40) NOT NULL, phone VARCHAR(24))",
        "CREATE TABLE employees (employee_id INTEGER PRIMARY KEY, last_name VARCHAR(20) NOT NULL, "
        "first_name VARCHAR(10) NOT NULL, title VARCHAR(30), birth_date DATE, home_phone VARCHAR(24), "
        "email VARCHAR(60))",
        "CREATE TABLE customers (customer_id VARCHAR(5) PRIMARY KEY, company_name VARCHAR(40) NOT NULL, "
        "contact_name VARCHAR(30), contact_title VARCHAR(30), address VARCHAR(60), city VARCHAR(15), "
        "postal_code VARCHAR(10), country VARCHAR(15), phone VARCHAR(24), email VARCHAR(60))",
        "CREATE TABLE orders (order_id INTEGER PRIMARY KEY, customer_id VARCHAR(5) REFERENCES customers(customer_id), "
        "employee_id INTEGER REFERENCES employees(employee_id), order_date DATE, "
        "ship_via INTEGER REFERENCES shippers(shipper_id), freight NUMERIC(10,2), ship_name VARCHAR(40), "
        "ship_address VARCHAR(60), ship_city VARCHAR(15), ship_country VARCHAR(15))",
        "CREATE TABLE order_details (order_id INTEGER NOT NULL REFERENCES orders(order_id), "
        "product_id INTEGER NOT NULL REFERENCES products(product_id), unit_price NUMERIC(10,2) NOT NULL, "
        "quantity INTEGER NOT NULL, discount REAL NOT NULL, PRIMARY KEY (order_id, product_id))",
    ]
    rows: dict[str, list[dict[str, object]]] = {t: [] for t in (
        "categories", "suppliers", "products", "shippers", "employees", "customers", "orders", "order_details")}
    for i in range(1, 9):
        rows["categories"].append({"category_id": i, "category_name": f"Category {i}",
                                   "description": "Soft drinks, coffees, teas, beers, and ales", "picture": b"\x89PNG"})
    for i in range(1, 6):
        country, phone = COUNTRIES[i - 1]
        rows["suppliers"].append({"supplier_id": i, "company_name": f"{rng.choice(LAST)} Ltd.",
                                  "contact_name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "country": country,
                                  "phone": phone.format(rng.randint(0, 9999))})
        rows["shippers"].append({"shipper_id": i, "company_name": f"Speedy {i}", "phone": "(503) 555-9831"})
    for i in range(1, 21):
        rows["products"].append({"product_id": i, "product_name": f"Product {i}", "supplier_id": i % 5 + 1,
                                 "category_id": i % 8 + 1, "unit_price": 18.0})
    for i in range(1, 10):
        first, last = FIRST[i], LAST[i]
        rows["employees"].append({"employee_id": i, "last_name": last, "first_name": first,
                                  "title": "Sales Representative", "birth_date": datetime(1960 + i, 5, 1).date(),
                                  "home_phone": f"+1 206-555-{rng.randint(1000, 9999)}",
                                  "email": f"{first.lower()}@trading.example"})
    order = 10247
    for c in range(customers):
        key = "".join(rng.choice("ABCDEFGHIJKLMNOPRSTVW") for _ in range(3)) + f"{c:02d}"
        country, phone = COUNTRIES[c % 5]
        first, last = rng.choice(FIRST), rng.choice(LAST)
        rows["customers"].append({"customer_id": key, "company_name": f"{last} Trading", "contact_name":
                                  f"{first} {last}", "contact_title": "Owner", "address": f"Obere Str. {c}",
                                  "city": "Berlin", "postal_code": f"{12200 + c}", "country": country,
                                  "phone": phone.format(rng.randint(0, 9999)),
                                  "email": f"{first.lower()}.{last.lower()}{c}@example.com"})
        for _ in range(2):
            order += 1
            rows["orders"].append({"order_id": order, "customer_id": key, "employee_id": rng.randint(1, 9),
                                   "order_date": datetime(2021, 7, 4).date(), "ship_via": rng.randint(1, 5),
                                   "freight": 32.38, "ship_name": f"{last} Trading", "ship_address":
                                   f"Obere Str. {c}", "ship_city": "Berlin", "ship_country": country})
            for p in rng.sample(range(1, 21), 2):
                rows["order_details"].append({"order_id": order, "product_id": p, "unit_price": 14.0,
                                              "quantity": 12, "discount": 0.0})
    _run(engine, ddl, rows)


def build_shop_without_keys(engine: sa.Engine, seed: int = 1, customers: int = 50) -> None:
    """A web shop whose tables declare no foreign key at all (the relations live in the application)."""
    rng = random.Random(seed)
    ddl = [
        "CREATE TABLE sh_customer (id_customer INTEGER PRIMARY KEY, firstname VARCHAR(32), lastname VARCHAR(32), "
        "email VARCHAR(128), date_add TIMESTAMP)",
        "CREATE TABLE sh_address (id_address INTEGER PRIMARY KEY, id_customer INTEGER, address1 VARCHAR(128), "
        "postcode VARCHAR(12), city VARCHAR(64), phone VARCHAR(32))",
        "CREATE TABLE sh_orders (id_order INTEGER PRIMARY KEY, reference VARCHAR(9), id_customer INTEGER, "
        "id_address_invoice INTEGER, total_paid NUMERIC(20,6), invoice_date TIMESTAMP)",
        "CREATE TABLE sh_order_detail (id_order_detail INTEGER PRIMARY KEY, id_order INTEGER, "
        "product_name VARCHAR(255), unit_price NUMERIC(20,6), product_quantity INTEGER)",
        "CREATE TABLE sh_customer_thread (id_customer_thread INTEGER PRIMARY KEY, id_customer INTEGER, "
        "email VARCHAR(128), status VARCHAR(10))",
        "CREATE TABLE sh_customer_message (id_customer_message INTEGER PRIMARY KEY, id_customer_thread INTEGER, "
        "message TEXT)",
        "CREATE TABLE sh_employee (id_employee INTEGER PRIMARY KEY, firstname VARCHAR(32), lastname VARCHAR(32), "
        "email VARCHAR(128))",
        "CREATE TABLE sh_newsletter (id INTEGER PRIMARY KEY, email VARCHAR(128), newsletter_date_add TIMESTAMP)",
    ]
    rows: dict[str, list[dict[str, object]]] = {t.split()[2]: [] for t in ddl}
    for e in range(1, 4):
        rows["sh_employee"].append({"id_employee": e, "firstname": FIRST[e], "lastname": LAST[e],
                                    "email": f"{FIRST[e].lower()}@shop.example"})
    order = thread = 0
    for c in range(1, customers + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        email = f"{first.lower()}.{last.lower()}{c}@mail.example"
        rows["sh_customer"].append({"id_customer": c, "firstname": first, "lastname": last, "email": email,
                                    "date_add": datetime(2022, 3, 1)})
        rows["sh_address"].append({"id_address": c, "id_customer": c, "address1": f"Kerkstraat {c}",
                                   "postcode": "9000", "city": "Gent", "phone": f"+32 470 12 {c:02d} {c % 90 + 10}"})
        if c % 3 == 0:
            rows["sh_newsletter"].append({"id": c, "email": email, "newsletter_date_add": datetime(2022, 3, 2)})
        for _ in range(2):
            order += 1
            rows["sh_orders"].append({"id_order": order, "reference": f"R{order:06d}", "id_customer": c,
                                      "id_address_invoice": c, "total_paid": 42.5,
                                      "invoice_date": datetime(2023, 5, 1)})
            rows["sh_order_detail"].append({"id_order_detail": order, "id_order": order, "product_name": "Mok",
                                            "unit_price": 12.5, "product_quantity": 2})
        if c % 2 == 0:
            thread += 1
            rows["sh_customer_thread"].append({"id_customer_thread": thread, "id_customer": c, "email": email,
                                               "status": "open"})
            rows["sh_customer_message"].append({"id_customer_message": thread, "id_customer_thread": thread,
                                                "message": f"Waar blijft mijn bestelling? Groeten, {first}"})
    _run(engine, ddl, rows)
