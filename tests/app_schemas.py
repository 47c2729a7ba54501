"""Two application-shaped schemas with generated Belgian data (Faker nl_BE/fr_BE), written for these tests (no
platform's schema file): the tables and columns have the shape real platforms give them, and no foreign keys.

- `cms`: a CMS with a shop plug-in. users/usermeta, posts with post_type (order copies to retain, contact-form
  messages to delete, pages by staff), postmeta beside them (`_customer_user` holds the user id as text),
  comments, sessions keyed by the user id as text or `t_` + a guest token, and the shop's own order table.
- `shop`: a shop without foreign keys. customer, address, orders, order_invoice, guest, connections (the IP
  address as an integer), customer_thread/customer_message (the IP as dotted text), log(object_type,
  object_id) naming a customer or an order by type, newsletter, job (background jobs whose JSON `args` name
  the customer, as a number or as a string), and mail_log, a table only free text links to anyone.

Every row is recorded with its owner: the person index it belongs to (None: nobody's), so a test can tell the
oracle which rows are the subject's without asking Eraser.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from faker import Faker

from tests import oracle
from tests.conftest import fresh_database

SUBJECT = "jan.peeters@example.be"
GUEST = "sofie.guest@example.be"
SUBJECT_IP = "81.82.83.84"  # dotted; the subject's own
HOUSEHOLD_IP = "94.224.10.20"  # used by the subject and by someone else at the same address
NOW = datetime(2026, 11, 20, 10, 0, 0)
RETAIN = {"preset": "invoices", "from": "date_add"}  # jurisdiction BE: 10 years from the next 1 January


@dataclass
class App:
    """Tables, rows with their owner, and the config rules that fit the data."""

    metadata: sa.MetaData = field(default_factory=sa.MetaData)
    rows: dict[str, list[tuple[dict[str, Any], int | None]]] = field(default_factory=dict)
    identifiers: dict[str, Any] = field(default_factory=dict)
    rules: dict[str, Any] = field(default_factory=dict)

    def add(self, table: str, owner: int | None, **row: Any) -> dict[str, Any]:
        self.rows.setdefault(table, []).append((row, owner))
        return row

    def pk(self, table: str) -> list[str]:
        return [c.name for c in self.metadata.tables[table].primary_key.columns]

    def keys(self, owners: set[int], tables: set[str] | None = None) -> dict[str, set[tuple[Any, ...]]]:
        """The oracle's keys of the rows these owners own, per table."""
        out: dict[str, set[tuple[Any, ...]]] = {}
        for table, rows in self.rows.items():
            if tables is None or table in tables:
                out[table] = {tuple(oracle._text(r[c]) for c in self.pk(table)) for r, o in rows if o in owners}
        return out

    def key(self, table: str, **pk: Any) -> tuple[Any, ...]:
        return tuple(oracle._text(pk[c]) for c in self.pk(table))


def _faker(seed: int) -> Faker:
    fake = Faker(["nl_BE", "fr_BE"])
    fake.seed_instance(seed)
    return fake


def create(app: App, url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    app.metadata.create_all(engine)
    with engine.begin() as conn:
        for table in app.metadata.sorted_tables:
            if app.rows.get(table.name):
                conn.execute(table.insert(), [r for r, _ in app.rows[table.name]])
    return engine


@contextmanager
def installed(app: App, kind: str, tmp_path: Path) -> Iterator[tuple[sa.Engine, str]]:
    """The app's tables and rows in a fresh database of `kind` (dropped afterwards): its engine and URL."""
    databases = fresh_database(kind, tmp_path)
    url = next(databases)
    try:
        engine = create(app, url)
        try:
            yield engine, url
        finally:
            engine.dispose()
    finally:
        next(databases, None)


def write_config(app: App, url: str, keys: Path, directory: Path, scan: str = "fail",
                 rules: dict[str, Any] | None = None) -> Path:
    config = {"organisation": "Winkel Test BV", "jurisdiction": "BE", "secret": "app-" + uuid.uuid4().hex,
              "signing": {"private_key": str(keys / "eraser-signing.pem"),
                          "public_key": str(keys / "eraser-signing.pub.pem")},
              "certificates": str(directory / "certificates"), "state": f"sqlite:///{directory / 'state.db'}",
              "identifiers": app.identifiers,
              "connectors": {"db": {"url": url, "tables": rules or app.rules, "residual_scan": {"mode": scan}}}}
    path = directory / "config.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


# -- the CMS with a shop plug-in ------------------------------------------------------------------

def cms(seed: int = 1) -> App:
    fake, app = _faker(seed), App()
    m = app.metadata
    text, ts = sa.Text, sa.DateTime
    sa.Table("users", m, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("user_login", sa.String(60)), sa.Column("user_email", sa.String(100)),
             sa.Column("display_name", sa.String(250)), sa.Column("user_registered", ts))
    sa.Table("usermeta", m, sa.Column("umeta_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("user_id", sa.Integer, index=True), sa.Column("meta_key", sa.String(255)),
             sa.Column("meta_value", text))
    sa.Table("posts", m, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("post_author", sa.Integer, index=True), sa.Column("post_date", ts),
             sa.Column("post_type", sa.String(20)), sa.Column("post_status", sa.String(20)),
             sa.Column("post_title", text), sa.Column("post_excerpt", text), sa.Column("post_content", text))
    sa.Table("postmeta", m, sa.Column("meta_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("post_id", sa.Integer, index=True), sa.Column("meta_key", sa.String(255)),
             sa.Column("meta_value", text), sa.Index("ix_postmeta_value", "meta_value", mysql_length=40))
    sa.Table("comments", m, sa.Column("comment_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("comment_post_id", sa.Integer), sa.Column("comment_author", sa.String(250)),
             sa.Column("comment_author_email", sa.String(100)), sa.Column("comment_author_ip", sa.String(100)),
             sa.Column("comment_date", ts), sa.Column("comment_content", text), sa.Column("user_id", sa.Integer))
    sa.Table("sessions", m, sa.Column("session_id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("session_key", sa.String(42), unique=True), sa.Column("session_value", text),
             sa.Column("session_expiry", sa.BigInteger))
    sa.Table("shop_orders", m, sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
             sa.Column("customer_id", sa.Integer, index=True), sa.Column("billing_email", sa.String(100)),
             sa.Column("date_add", ts), sa.Column("total", sa.Numeric(10, 2)), sa.Column("session_token", sa.String(32)))
    people: list[dict[str, Any]] = []
    for p in range(8):  # person 0 is the subject; user ids 1, 11, 21, ... (1 is a prefix of 11 as text)
        email = SUBJECT if p == 0 else fake.unique.email()
        first, last = fake.first_name(), fake.last_name()
        uid = 1 + 10 * p
        people.append({"id": uid, "email": email, "first": first, "last": last})
        app.add("users", p, id=uid, user_login=f"{first.lower()}{uid}", user_email=email,
                display_name=f"{first} {last}", user_registered=NOW - timedelta(days=900 - p))
        for n, (key, value) in enumerate([("first_name", first), ("last_name", last),
                                          ("billing_phone", fake.phone_number()),
                                          ("billing_address_1", fake.street_address())]):
            app.add("usermeta", p, umeta_id=uid * 10 + n, user_id=uid, meta_key=key, meta_value=value)
        app.add("sessions", p, session_id=uid, session_key=str(uid), session_value=f'a:1:{{s:5:"email";s:{len(email)}:"{email}";}}',
                session_expiry=1_900_000_000)
    staff = 900
    app.add("users", None, id=staff, user_login="redactie", user_email="redactie@winkel.example",
            display_name="Redactie", user_registered=NOW - timedelta(days=2000))
    app.add("posts", None, id=5000, post_author=staff, post_date=NOW - timedelta(days=400), post_type="page",
            post_status="publish", post_title="Over ons", post_excerpt="", post_content=fake.paragraph())
    post_id, meta_id, order_id = 100, 10_000, 0
    for p, person in enumerate(people):
        for n in range(2 if p in (0, 3) else 1):  # order copies in posts, and the shop's own order rows
            post_id += 1
            order_id = post_id
            when = NOW - timedelta(days=30 * (n + 1) + p)
            app.add("posts", p, id=post_id, post_author=person["id"], post_date=when, post_type="shop_order",
                    post_status="wc-completed", post_title=f"Bestelling {post_id}", post_excerpt="",
                    post_content="")
            for key, value in [("_customer_user", str(person["id"])), ("_billing_email", person["email"]),
                               ("_billing_phone", fake.phone_number()), ("_order_total", "49.95")]:
                meta_id += 1
                app.add("postmeta", p, meta_id=meta_id, post_id=post_id, meta_key=key, meta_value=value)
            app.add("shop_orders", p, id=order_id, customer_id=person["id"], billing_email=person["email"],
                    date_add=when, total=49.95, session_token=None)
        if p in (0, 5):  # a contact-form message, stored as a post
            post_id += 1
            app.add("posts", p, id=post_id, post_author=person["id"], post_date=NOW - timedelta(days=3),
                    post_type="contact_message", post_status="private", post_title="Vraag over levering",
                    post_excerpt=person["email"], post_content=fake.paragraph())
            for key, value in [("_contact_name", f"{person['first']} {person['last']}"),
                               ("_contact_phone", fake.phone_number())]:
                meta_id += 1
                app.add("postmeta", p, meta_id=meta_id, post_id=post_id, meta_key=key, meta_value=value)
        app.add("comments", p, comment_id=700 + p, comment_post_id=5000, comment_author=person["first"],
                comment_author_email=person["email"], comment_author_ip=fake.ipv4_public(),
                comment_date=NOW - timedelta(days=10), comment_content=fake.sentence(), user_id=person["id"])
    # Someone else's order whose meta value looks like the subject's id with a space: not the subject's.
    meta_id += 1
    app.add("postmeta", None, meta_id=meta_id, post_id=post_id - 1, meta_key="_customer_user_note", meta_value="1 ")
    # A contact message from a visitor without account (post_author 0) who gave the subject's address: theirs too.
    post_id += 1
    app.add("posts", 0, id=post_id, post_author=0, post_date=NOW - timedelta(days=2), post_type="contact_message",
            post_status="private", post_title="Retour", post_excerpt=SUBJECT, post_content=fake.paragraph())
    # Guest checkouts (owners 100, 101): the order row holds the guest token, the session is keyed 't_' + token.
    for p, email in ((100, GUEST), (101, fake.unique.email())):
        token = uuid.UUID(int=p).hex
        order_id += 500
        app.add("shop_orders", p, id=order_id, customer_id=0, billing_email=email, date_add=NOW - timedelta(days=5),
                total=12.5, session_token=token)
        app.add("sessions", p, session_id=9000 + p, session_key=f"t_{token}",
                session_value=f'a:1:{{s:5:"email";s:{len(email)}:"{email}";}}', session_expiry=1_900_000_000)
    app.identifiers = {"email": {"kind": "email"}}
    app.rules = {
        "users": {"action": "delete", "identify": {"email": "user_email"},
                  "columns": {"user_email": "faker:email", "user_login": "faker:user_name",
                              "display_name": "faker:name"}},
        "usermeta": {"action": "delete", "links": [{"column": "user_id", "references": "users.id"}]},
        "posts": {"links": [{"column": "post_author", "references": "users.id"}],
                  "rules": [{"when": {"post_type": "shop_order"}, "action": "retain",
                             "retain": {**RETAIN, "from": "post_date"}},
                            {"when": {"post_type": "contact_message"}, "action": "delete",
                             "identify": {"email": "post_excerpt"}}]},
        "postmeta": {"links": [{"column": "post_id", "references": "posts.id"},
                               {"key_value": {"key_column": "meta_key", "key": "_customer_user",
                                              "value_column": "meta_value"}, "references": "users.id"}],
                     "rules": [{"when": {"meta_key": ["_customer_user", "_billing_email", "_billing_phone",
                                                      "_order_total"]},
                                "action": "retain", "retain": {**RETAIN, "from": "parent"}},
                               {"when": {"meta_key": ["_contact_name", "_contact_phone"]}, "action": "delete"}]},
        "comments": {"action": "anonymize", "identify": {"email": "comment_author_email"},
                     "links": [{"column": "user_id", "references": "users.id"}],
                     "columns": {"comment_author": "faker:first_name", "comment_author_email": "faker:email",
                                 "comment_author_ip": "faker:ipv4"}},
        "sessions": {"action": "delete",
                     "links": [{"column": "session_key", "references": "users.id", "cast": "text"},
                               {"column": "session_key", "references": "shop_orders.session_token",
                                "prefix": "t_"}]},
        "shop_orders": {"action": "retain", "identify": {"email": "billing_email"},
                        "links": [{"column": "customer_id", "references": "users.id"}], "retain": RETAIN},
    }
    return app


# -- the shop without foreign keys -------------------------------------------------------------

def shop(seed: int = 2) -> App:
    fake, app = _faker(seed), App()
    m = app.metadata
    ts = sa.DateTime

    def table(name: str, pk: str, *cols: sa.Column[Any]) -> None:
        sa.Table(name, m, sa.Column(pk, sa.Integer, primary_key=True, autoincrement=False), *cols)

    table("customer", "id_customer", sa.Column("firstname", sa.String(255)), sa.Column("lastname", sa.String(255)),
          sa.Column("email", sa.String(255)), sa.Column("birthday", sa.Date), sa.Column("date_add", ts))
    table("address", "id_address", sa.Column("id_customer", sa.Integer, index=True), sa.Column("alias", sa.String(32)),
          sa.Column("lastname", sa.String(255)), sa.Column("address1", sa.String(128)),
          sa.Column("postcode", sa.String(12)), sa.Column("city", sa.String(64)), sa.Column("phone", sa.String(32)))
    table("orders", "id_order", sa.Column("reference", sa.String(9)), sa.Column("id_customer", sa.Integer, index=True),
          sa.Column("total_paid", sa.Numeric(10, 2)), sa.Column("date_add", ts))
    table("order_invoice", "id_order_invoice", sa.Column("id_order", sa.Integer, index=True),
          sa.Column("number", sa.Integer), sa.Column("total_paid_tax_incl", sa.Numeric(10, 2)), sa.Column("date_add", ts))
    table("guest", "id_guest", sa.Column("id_customer", sa.Integer, index=True), sa.Column("accept_language", sa.String(8)))
    table("connections", "id_connections", sa.Column("id_guest", sa.Integer, index=True),
          sa.Column("ip_address", sa.BigInteger, index=True), sa.Column("date_add", ts),
          sa.Column("http_referer", sa.String(255)))
    table("customer_thread", "id_customer_thread", sa.Column("id_customer", sa.Integer, index=True),
          sa.Column("email", sa.String(255)), sa.Column("status", sa.String(16)), sa.Column("date_add", ts))
    table("customer_message", "id_customer_message", sa.Column("id_customer_thread", sa.Integer, index=True),
          sa.Column("message", sa.Text), sa.Column("ip_address", sa.String(45), index=True), sa.Column("date_add", ts))
    table("log", "id_log", sa.Column("severity", sa.Integer), sa.Column("message", sa.Text),
          sa.Column("object_type", sa.String(32)), sa.Column("object_id", sa.Integer, index=True),
          sa.Column("date_add", ts))
    table("newsletter", "id", sa.Column("email", sa.String(255), index=True), sa.Column("newsletter_date_add", ts),
          sa.Column("ip_registration_newsletter", sa.String(15), index=True))
    table("job", "id_job", sa.Column("kind", sa.String(32)), sa.Column("args", sa.Text), sa.Column("date_add", ts))
    table("mail_log", "id_mail", sa.Column("recipient", sa.String(126)), sa.Column("template", sa.String(62)),
          sa.Column("subject", sa.String(254)), sa.Column("date_add", ts))
    ip_int = int.from_bytes(bytes(int(x) for x in SUBJECT_IP.split(".")), "big")
    household = int.from_bytes(bytes(int(x) for x in HOUSEHOLD_IP.split(".")), "big")
    order = 0
    for p in range(7):  # person 0 is the subject, customer id 5; person 1 (id 15) shares the household IP
        cid = 5 + 10 * p
        email = SUBJECT if p == 0 else fake.unique.email()
        app.add("customer", p, id_customer=cid, firstname=fake.first_name(), lastname=fake.last_name(), email=email,
                birthday=fake.date_of_birth(minimum_age=18, maximum_age=80), date_add=NOW - timedelta(days=800))
        for n in range(2 if p == 0 else 1):
            app.add("address", p, id_address=cid * 10 + n, id_customer=cid, alias="Thuis" if n == 0 else "Werk",
                    lastname=fake.last_name(), address1=fake.street_address(), postcode=fake.postcode(),
                    city=fake.city(), phone=fake.phone_number())
        for n in range(2 if p in (0, 2) else 1):
            order += 1
            when = NOW - timedelta(days=20 * (n + 1) + p)
            app.add("orders", p, id_order=order, reference=fake.lexify("?????????").upper(), id_customer=cid,
                    total_paid=25 + order, date_add=when)
            app.add("order_invoice", p, id_order_invoice=order, id_order=order, number=1000 + order,
                    total_paid_tax_incl=25 + order, date_add=when)
            app.add("log", None, id_log=100 + order, severity=1, message=f"Order {order} validated",
                    object_type="Order", object_id=order, date_add=when)
        app.add("guest", p, id_guest=cid, id_customer=cid, accept_language="nl")
        ips = [ip_int, household] if p == 0 else [household] if p == 1 else [int(fake.ipv4_public().split(".")[0]) << 24 | p]
        for n, ip in enumerate(ips):
            app.add("connections", p, id_connections=cid * 10 + n, id_guest=cid, ip_address=ip,
                    date_add=NOW - timedelta(days=n), http_referer="https://www.google.be/")
        thread = app.add("customer_thread", p, id_customer_thread=cid, id_customer=cid, email=email, status="open",
                         date_add=NOW - timedelta(days=4))
        msg_ip = SUBJECT_IP if p == 0 else HOUSEHOLD_IP if p == 1 else fake.ipv4_public()
        app.add("customer_message", p, id_customer_message=cid, id_customer_thread=thread["id_customer_thread"],
                message=fake.sentence(), ip_address=msg_ip, date_add=NOW - timedelta(days=4))
        app.add("log", p, id_log=1000 + cid, severity=1, message=f"Customer {cid} logged in from {msg_ip}",
                object_type="Customer", object_id=cid, date_add=NOW - timedelta(days=1))
        app.add("newsletter", p, id=cid, email=email, newsletter_date_add=NOW - timedelta(days=300),
                ip_registration_newsletter=msg_ip)
        for n, key in enumerate([cid, str(cid)] if p == 0 else [str(cid) if p == 2 else cid]):
            app.add("job", p, id_job=cid * 10 + n, kind="mail", date_add=NOW - timedelta(hours=n),
                    args=json.dumps({"customer_id": key, "template": "order_conf", "to": email}))
    # A job naming order 5 (not customer 5), and one whose customer id is a decimal: nobody's for the link.
    app.add("job", None, id_job=1, kind="invoice", date_add=NOW, args=json.dumps({"order_id": 5, "copy": True}))
    app.add("job", None, id_job=2, kind="export", date_add=NOW, args=json.dumps({"customer_id": 5.5}))
    # A staff note naming the subject's address and IP, found only by the text (mail_log links to no one).
    app.add("mail_log", None, id_mail=1, recipient="shop@winkel.example", template="contact",
            subject=f"Vraag van {SUBJECT} ({SUBJECT_IP})")
    app.add("mail_log", None, id_mail=2, recipient="shop@winkel.example", template="contact",
            subject=f"Vraag van {fake.email()} ({HOUSEHOLD_IP})")
    app.identifiers = {"email": {"kind": "email"}, "ip": {"kind": "ip"}}
    by_customer = [{"column": "id_customer", "references": "customer.id_customer"}]
    app.rules = {
        "customer": {"action": "delete", "identify": {"email": "email"},
                     "columns": {"firstname": "faker:first_name", "lastname": "faker:last_name",
                                 "email": "faker:email", "birthday": "null"}},
        "address": {"action": "delete", "links": by_customer},
        "orders": {"action": "retain", "links": by_customer, "retain": RETAIN},
        "order_invoice": {"action": "retain", "links": [{"column": "id_order", "references": "orders.id_order"}],
                          "retain": {**RETAIN, "from": "parent"}},
        "guest": {"action": "delete", "links": by_customer},
        "connections": {"action": "delete", "identify": {"ip": "ip_address"},
                        "links": [{"column": "id_guest", "references": "guest.id_guest"}]},
        "customer_thread": {"action": "delete", "identify": {"email": "email"}, "links": by_customer},
        "customer_message": {"action": "delete", "identify": {"ip": "ip_address"},
                             "links": [{"column": "id_customer_thread",
                                        "references": "customer_thread.id_customer_thread"}]},
        "log": {"action": "delete", "free_text": ["message"],
                "links": [{"column": "object_id", "references": "customer.id_customer",
                           "where": {"object_type": "Customer"}}]},
        "newsletter": {"action": "delete", "identify": {"email": "email", "ip": "ip_registration_newsletter"}},
        "job": {"action": "delete", "links": [{"column": "args", "json": "$.customer_id",
                                                "references": "customer.id_customer"}]},
        "mail_log": {"action": "delete", "free_text": ["subject"]},
    }
    return app
