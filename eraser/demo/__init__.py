"""`eraser demo`: build the COVER GROUP demo database, a config, keys; erase one person; prove it."""

from __future__ import annotations

import os
import random
import secrets
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from eraser.demo.schema import create_schema, metadata
from eraser.engine.anonymize import make_faker

DEMO_EMAIL = "jan.peeters@example.be"
DEMO_MOBILE = "+32 470 12 34 56"
# Person 3 keeps a fixed identity too: the demo erases person 1, the follow-up examples use her.
FOLLOW_UP = 3
FOLLOW_UP_NAME = ("Marie", "Dubois")
FOLLOW_UP_EMAIL = "marie.dubois@example.be"
FOLLOW_UP_MOBILE = "+32 471 98 76 54"
PRODUCTS = [("Veranda aluminium 4x3 m", 1_250_000, 6), ("Pergola bioclimatique", 890_000, 6),
            ("Zonnewering / store banne", 245_000, 21), ("Plaatsing / pose", 95_000, 6),
            ("Ontwerp 3D / conception 3D", 35_000, 21), ("Glazen schuifwand", 420_000, 6),
            ("Verlichting LED", 68_000, 21), ("Verplaatsing / déplacement", 4_500, 21)]
EVENTS = ["login", "open_project", "render_3d", "export_pdf", "share_link", "logout"]


def _belgian_mobile(rng: random.Random) -> str:
    return f"+32 4{rng.choice('5789')}{rng.randint(0, 9)} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def _belgian_landline(rng: random.Random) -> str:
    zone = rng.choice(["2", "3", "9", "4", "65", "81", "50"])
    digits = 8 - len(zone)
    number = "".join(str(rng.randint(0, 9)) for _ in range(digits))
    return f"+32 {zone} {number[:3]} {number[3:5]} {number[5:]}" if len(zone) == 1 else \
        f"+32 {zone} {number[:2]} {number[2:4]} {number[4:]}"


def _chunks(rows: list[dict[str, Any]], size: int = 5000) -> Iterator[list[dict[str, Any]]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def populate(engine: sa.Engine, persons: int = 1000, seed: int = 7, tenants: int = 5,
             today: date | None = None) -> dict[str, int]:
    """Create the schema and fill it; person 1 is the demo subject, with rows in every table.
    Returns row counts per table."""
    today = today or date.today()
    rng = random.Random(seed)
    fake = make_faker(["nl_BE", "fr_BE"], seed)
    create_schema(engine)
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in metadata.tables}
    ids: dict[str, int] = {t: 0 for t in metadata.tables}

    def add(table: str, **values: Any) -> int:
        ids[table] += 1
        values["id"] = ids[table]
        rows[table].append(values)
        return ids[table]

    for n in range(1, tenants + 1):
        add("tenants", code=f"T{n:03d}", name=fake.company(), vat_number=f"BE0{rng.randint(200000000, 999999999)}",
            contract_ends_on=today + timedelta(days=rng.randint(-30, 900)))

    def address() -> int:
        return add("addresses", street=fake.street_name(), house_number=str(rng.randint(1, 250)),
                   postcode=fake.postcode(), city=fake.city(), country="BE")

    def invoice(person_id: int, name: str, addr: dict[str, Any], when: date, quote_id: int | None,
                vat_number: str | None) -> None:
        lines = []
        for pos in range(1, rng.randint(1, 4) + 1):
            desc, price, rate = rng.choice(PRODUCTS)
            lines.append((pos, desc, rng.randint(1, 3), price, rate))
        excl = sum(q * p for _, _, q, p, _ in lines)
        vat = sum(q * p * r // 100 for _, _, q, p, r in lines)
        inv = add("invoices", person_id=person_id, quote_id=quote_id,
                  number=f"F{when.year}-{ids['invoices'] + 1:06d}", invoice_date=when,
                  due_date=when + timedelta(days=30), closed_at=when + timedelta(days=rng.randint(5, 60)),
                  billing_name=name, billing_street=f"{addr['street']} {addr['house_number']}",
                  billing_postcode=addr["postcode"], billing_city=addr["city"],
                  customer_vat_number=vat_number, total_excl_cents=excl, vat_cents=vat, total_incl_cents=excl + vat)
        for pos, desc, qty, price, rate in lines:
            add("invoice_lines", invoice_id=inv, position=pos, description=desc, quantity=qty,
                unit_price_cents=price, vat_rate_pct=rate)
        if rng.random() < 0.3:
            first = (excl + vat) // 2
            parts = [first, excl + vat - first]
        else:
            parts = [excl + vat]
        for i, amount in enumerate(parts):
            add("payments", invoice_id=inv, paid_at=when + timedelta(days=10 + 30 * i), amount_cents=amount,
                method=rng.choice(["transfer", "bancontact", "card"]), payer_iban=fake.iban())

    previous_address = None
    for n in range(1, persons + 1):
        demo = n == 1
        lang = rng.choice(["nl", "fr"])
        first = "Jan" if demo else (fake["nl_BE"] if lang == "nl" else fake["fr_BE"]).first_name()
        last = "Peeters" if demo else (fake["nl_BE"] if lang == "nl" else fake["fr_BE"]).last_name()
        household = n == 2 or (previous_address is not None and rng.random() < 0.08)
        addr_id = previous_address if household and previous_address else address()
        previous_address = addr_id
        addr = rows["addresses"][addr_id - 1]
        email = DEMO_EMAIL if demo else f"{first}.{last}.{n}@{rng.choice(['example.be', 'example.com', 'mail.test'])}"
        email = email.lower().replace(" ", "")
        created = datetime(2013, 1, 1) + timedelta(days=rng.randint(0, (today - date(2013, 1, 1)).days - 30))
        pid = add("persons", tenant_id=rng.randint(1, tenants), customer_number=f"C{n:07d}", first_name=first,
                  last_name=last, email=email, phone=_belgian_landline(rng) if rng.random() < 0.5 else None,
                  mobile=DEMO_MOBILE if demo else _belgian_mobile(rng),
                  date_of_birth=fake.date_of_birth(minimum_age=18, maximum_age=90), language=lang,
                  address_id=addr_id, created_at=created,
                  closed_at=None if rng.random() < 0.8 else created + timedelta(days=rng.randint(30, 2000)))
        person = rows["persons"][-1]
        if n == FOLLOW_UP:  # after the random draws, so every other person stays as generated
            (first, last), email = FOLLOW_UP_NAME, FOLLOW_UP_EMAIL
            person.update(first_name=first, last_name=last, email=email, mobile=FOLLOW_UP_MOBILE)
        tenant = person["tenant_id"]
        quote_ids = []
        for p in range(2 if demo else rng.randint(0, 3)):
            site = addr_id if (demo and p == 0) or rng.random() < 0.6 else address()
            proj = add("projects", person_id=pid, tenant_id=tenant,
                       title=f"{rng.choice(['Veranda', 'Pergola', 'Terrasoverkapping', 'Carport', 'Véranda'])} "
                             f"{rows['addresses'][site - 1]['city']}",
                       description=f"Klant {first} {last} wenst een offerte; bel {person['mobile']}.",
                       site_address_id=site, created_at=created + timedelta(days=rng.randint(1, 60)))
            for _ in range(2 if demo else rng.randint(0, 4)):
                add("photos", project_id=proj, path=f"tenants/{tenant}/projects/{proj}/{fake.uuid4()}.jpg",
                    caption=rng.choice(["voorgevel", "jardin", "terras", "façade arrière", None]),
                    taken_at=created + timedelta(days=rng.randint(1, 90)))
            for _ in range(1 if demo else rng.randint(0, 2)):
                quote_ids.append(add("quotes", project_id=proj, number=f"Q{ids['quotes'] + 1:07d}",
                                     amount_cents=rng.randint(100_000, 3_000_000),
                                     status=rng.choice(["sent", "accepted", "declined"]),
                                     notes=f"Offerte voor {first} {last}", created_at=created + timedelta(days=70)))
        invoice_dates = [date(2014, 3, 14), date(2024, 5, 2), date(2025, 9, 19)] if demo else [
            created.date() + timedelta(days=rng.randint(30, 700)) for _ in range(rng.randint(0, 3))]
        vat_number = None if rng.random() < 0.85 else f"BE0{rng.randint(200000000, 999999999)}"
        for i, when in enumerate(d for d in invoice_dates if d < today):
            qid = quote_ids[0] if demo and i == 2 else (rng.choice(quote_ids) if quote_ids and rng.random() < 0.3
                                                        else None)
            invoice(pid, f"{first} {last}", addr, when, qid, vat_number)
        if demo or rng.random() < 0.4:
            add("newsletter_subscriptions", email=" Jan.Peeters@Example.be " if demo else email, language=lang,
                subscribed_at=created + timedelta(days=rng.randint(0, 400)),
                source=rng.choice(["website", "beurs Batibouw", "app"]))
        for _ in range(2 if demo else rng.randint(0, 3)):
            add("support_messages", person_id=pid, sent_at=created + timedelta(days=rng.randint(1, 900)),
                channel=rng.choice(["email", "phone", "chat"]),
                subject=rng.choice(["Vraag over offerte", "Question sur le rendu 3D", "Levering"]),
                body=f"Beste, kunnen jullie mij terugbellen op {person['mobile']} of mailen naar {email}? "
                     f"Groeten, {first} {last}")
        if n == 2:  # a housemate's message that names the demo subject: it stays, without the subject's contacts
            add("support_messages", person_id=pid, sent_at=created + timedelta(days=3), channel="email",
                subject="Offerte voor mijn huisgenoot",
                body=f"Stuur de offerte ook naar {DEMO_EMAIL.upper()} of bel {DEMO_MOBILE}. Zelfde adres, groeten.")
        for _ in range(3 if demo else rng.randint(0, 10)):
            ip = fake.ipv4_public() if rng.random() < 0.8 else fake.ipv6()
            add("usage_events", person_id=pid, occurred_at=created + timedelta(minutes=rng.randint(1, 10**6)),
                event=rng.choice(EVENTS), ip_address=ip, user_agent=fake.user_agent()[:200])

    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            for chunk in _chunks(rows[table.name]):
                conn.execute(table.insert(), chunk)
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in metadata.sorted_tables:
                conn.execute(sa.text(f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                                     f"coalesce(max(id), 0) + 1, false) FROM {table.name}"))
    return {t: len(r) for t, r in rows.items()}


def seed_database(url: str, persons: int = 1000, seed: int = 7) -> bool:
    """Fill an empty database with the demo population (the compose file's customer database); one that
    already has the demo tables is left as it is. Returns whether it filled it."""
    engine = sa.create_engine(url)
    try:
        if sa.inspect(engine).has_table("persons"):
            return False
        populate(engine, persons=persons, seed=seed)
        return True
    finally:
        engine.dispose()


PHOTO_FILES = ("        category: photographs\n"
               "        files: {root: files, column: path}   # the photographs themselves, under files/ beside this "
               "config\n")


def write_photo_files(engine: sa.Engine, root: Path, seed: int = 7) -> int:
    """A small JPEG-looking file for every row of photos, at its path under `root` (made afresh)."""
    import shutil

    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(seed)
    with engine.connect() as conn:
        paths = [r[0] for r in conn.execute(sa.text("SELECT path FROM photos ORDER BY id"))]
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        comment = b"eraser demo photograph " + rng.randbytes(rng.randint(200, 1500))
        target.write_bytes(b"\xff\xd8\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + b"\xff\xd9")
    return len(paths)


def prepare(directory: Path, persons: int = 1000, seed: int = 7) -> Path:
    """Everything the demo needs under `directory`: a fresh database, state store and certificate chain, keys
    and secret (kept if present), and the config. Returns the config path."""
    import shutil

    from eraser.proof.certificates import generate_keys
    from eraser.proof.pdf import generate_pdf_signing_key

    directory.mkdir(parents=True, exist_ok=True)
    # The state store and the certificate chain describe the same erasures: both start afresh, or the
    # register would report the old certificates as certificates without a ticket.
    for state in directory.glob("eraser-state.db*"):  # its journal names rows of the database just removed
        state.unlink()
    for produced in ("certificates", "exports"):
        if (directory / produced).is_dir():
            shutil.rmtree(directory / produced)
    for sub in ("keys", "certificates", "logs"):
        (directory / sub).mkdir(exist_ok=True)
    if not (directory / "keys" / "eraser-signing.pem").exists():
        generate_keys(directory / "keys")
    if not (directory / "keys" / "eraser-pdf-signing.pem").exists():
        generate_pdf_signing_key(directory / "keys")
    secret = directory / "keys" / "secret"
    if not secret.exists():
        fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32) + "\n")
    db = directory / "cover.db"
    if db.exists():
        db.unlink()
    engine = sa.create_engine(f"sqlite:///{db}", hide_parameters=True)
    try:
        populate(engine, persons=persons, seed=seed)
        write_photo_files(engine, directory / "files", seed)
    finally:
        engine.dispose()
    config = resources.files("eraser").joinpath("demo/templates/cover_group.yaml").read_text(encoding="utf-8")
    config = (config.replace("${COVER_DB_URL}", "sqlite:///cover.db")
              .replace("secret: ${ERASER_SECRET}", "secret_file: keys/secret")
              .replace("${ERASER_SIGNING_KEY}", "keys/eraser-signing.pem")
              .replace("${ERASER_PUBLIC_KEY}", "keys/eraser-signing.pub.pem")
              .replace("${ERASER_CERTIFICATES}", "certificates")
              .replace("        category: photographs\n", PHOTO_FILES, 1))
    path = directory / "cover_group.yaml"
    path.write_text(config, encoding="utf-8")
    return path


DEMO_TOKENS = (("helpdesk", ("admin",), "submits tickets, reads their status and certificates"),
               ("dpo", ("approve", "read"), "approves tickets: the second pair of eyes"))


def add_daemon_access(config_path: Path) -> dict[str, str]:
    """Give the demo config what the daemon needs: approval by a second person and two API tokens, fresh on
    every call. Only the tokens' SHA-256 goes into the config; the tokens are returned, by name."""
    import hashlib

    from eraser.config import ApiToken

    with_roles = "roles" in ApiToken.model_fields  # token roles, where the config has them
    tokens = {name: secrets.token_urlsafe(24) for name, _, _ in DEMO_TOKENS}
    block = "".join(f"    - {{name: {name}, sha256: {hashlib.sha256(tokens[name].encode()).hexdigest()}"
                    + (f", roles: [{', '.join(roles)}]" if with_roles else "") + "}\n"
                    for name, roles, _ in DEMO_TOKENS)
    with config_path.open("a", encoding="utf-8") as fh:
        fh.write("\n# Written by `eraser demo --serve`: the daemon waits for a second person's approval.\n"
                 f"approval: required\napi:\n  tokens:\n{block}")
    return tokens
