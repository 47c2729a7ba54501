"""A sixth held-out batch for `eraser discover`, the fourth blind one: written and labelled, and the labels merged
into main, before discovery ever ran on it. Each is the shape of a public application schema, written here as
minimal DDL of the same shape (no schema file copied), filled with deterministic Faker data, and labelled with rules
R1-R6 of bench/labelled_schemas.py, the notes of the earlier batches (N1-N5, B1-B8, D1-D10, E1-E9) and the notes
below. None of the applications was used by an earlier batch.

- `dolibarr`: Dolibarr ERP/CRM (Dolibarr/dolibarr, htdocs/install/mysql/tables/: llx_societe.sql,
  llx_socpeople.sql, llx_socpeople_extrafields.sql, llx_societe_rib.sql, llx_user.sql, llx_facture.sql,
  llx_facturedet.sql, llx_paiement.sql, llx_paiement_facture.sql, llx_actioncomm.sql, llx_element_contact.sql,
  llx_c_country.sql, llx_c_civility.sql, llx_c_type_contact.sql), as a Brussels installer runs it, with Dolibarr's
  own French names: third parties (companies and private customers in one table), contacts with an extrafields
  table carrying the Belgian national register number and preferred language (`rijksregisternummer`, `taal`),
  bank accounts with SEPA mandates, staff users, invoices and credit notes (`type` 2) with their lines, payments
  and their split over invoices, agenda events, and the polymorphic contact roles on documents.
- `invoiceninja`: Invoice Ninja v5 (invoiceninja/invoiceninja, database/migrations/
  2014_10_13_000000_create_users_table.php and the later migrations of clients, credits and paymentables), the
  open-source invoicing application, as a Ghent web studio bills its clients: companies (the tenant), users,
  clients, client contacts with portal logins, invoices with their JSON line items, credits (credit notes),
  payments, paymentables (the polymorphic link of a payment to invoices and credits), payment gateway tokens,
  the activity log, countries and currencies.
- `gnuhealth`, `snipeit`, `mautic`: bench/heldout6_services.py.

Labelling notes beyond R1-R6 and the earlier notes (decided and written before discovery first ran on the batch):
- F1 a customer table that mixes companies and private persons (Dolibarr's `llx_societe`, Invoice Ninja's
  `clients`) has its name, address parts, phones, email and free-text notes personal (B4), and its VAT number
  personal where self-employed persons have one (D9); its row, which retained invoices keep pointing to, is
  decided by someone: `review` (as D7's guest). A company register number (`idprof1`, the BCE/KBO number) held
  only by companies is not personal (R4).
- F2 an extrafields or custom-field table keyed by the object's id without a foreign key (`fk_object`) follows
  the object (E2): the contact's, `delete`; its national register number and language word are personal (R1, N5
  is for nationality: a preferred language code `nl`/`fr` is a code, R5, not personal).
- F3 invoices, credit notes (a separate `credits` table or `type` 2 in the invoice table), their lines, payments
  and the rows that split a payment over invoices and credit notes (`paymentables`, `llx_paiement_facture`) are
  accounting: `retain`; a bank account row that holds a SEPA mandate (`rum`, `date_rum`) is kept with the
  payments collected under it (B7): `retain`, its holder's name and IBAN personal, the BIC not (B5).
- F4 a payment gateway token (the stored card's token, the customer's reference at the payment provider, JSON
  with the card's last four digits, expiry and holder) identifies the person's card: personal (R1), and the row is
  the customer's, not accounting: `delete`; a payment's transaction reference stays not personal (D3).
- F5 a contact role on a document (`llx_element_contact`: a contact named on an invoice or a quote by element id
  and type, with a foreign key to the contact) is the contact's link row: `delete`, no personal column.
- F6 a portal login's secrets (a client contact's password hash, its `contact_key` used in portal links, a
  confirmation code) are personal (R1, R2 as for passwords and session identifiers); a tenant's API token is not.
- F7 an activity log whose rows refer to a client, a contact or an invoice by foreign key or by a polymorphic id
  and carry the contact's IP address or free text naming them follows its subject (E2): `delete` for a customer's
  log; its IP and notes are personal.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import sqlalchemy as sa
from heldout6_services import GNUHEALTH, MAUTIC, SNIPEIT
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- dolibarr: Dolibarr ERP/CRM --------------------------------------------------------------------------------


def build_dolibarr(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE"], seed), _Rows()
    fr, nl = fake["fr_BE"], fake["nl_BE"]
    for code, label in [("BE", "Belgique"), ("FR", "France"), ("NL", "Pays-Bas"), ("LU", "Luxembourg"),
                        ("DE", "Allemagne")]:
        rows.add("llx_c_country", key="rowid", code=code, label=label, active=1)
    for code, label in [("MR", "Monsieur"), ("MME", "Madame"), ("DR", "Docteur"), ("MTRE", "Maître")]:
        rows.add("llx_c_civility", key="rowid", code=code, label=label, active=1)
    for code, element, label in [("BILLING", "facture", "Contact facturation"), ("SHIPPING", "facture",
                                 "Contact livraison"), ("CUSTOMER", "propal", "Contact client suivi proposition")]:
        rows.add("llx_c_type_contact", key="rowid", element=element,
                 source="external", code=code, libelle=label)
    for i in range(10):
        f = fr if i % 2 else nl
        first, last = f.first_name(), f.last_name()
        rows.add("llx_user", key="rowid", login=f"{first[0]}{last}".lower().replace(" ", ""), lastname=last,
                 firstname=first, email=f"{first}.{last}@chauffage-dubois.example.be".lower().replace(" ", ""),
                 office_phone="+32 2 512 40 " + f"{10 + i}", user_mobile=f.phone_number(), job=rng.choice(
                     ["Technicien", "Commercial", "Comptable", "Gérant"]), pass_crypted="$2y$10$" + fake.sha256()[:53],
                 admin=int(i == 0), statut=1, datec=_when(rng))
    soc = 0
    contacts: list[int] = []
    for n in range(1, 231):
        private = rng.random() < 0.55
        f = rng.choice([fr, nl])
        country = rng.choice([1, 1, 1, 1, 2, 3, 4])
        if private:
            first, last = f.first_name(), f.last_name()
            selfemployed = rng.random() < 0.2
            name = f"{last} {first}" if rng.random() < 0.5 else f"{first} {last}"
            email = f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", "")
            values = dict(nom=name, name_alias=None, client=1, fournisseur=0, typent="TE_PRIVATE",
                          tva_intra=nl.vat_id() if selfemployed else None, idprof1=None,
                          phone=f.phone_number() if rng.random() < 0.7 else None, email=email,
                          url=None, note_private=rng.choice([None, None, f"Client depuis 2019, {first} préfère être "
                                                             f"appelé le soir au {f.phone_number()}",
                                                             "Chaudière au sous-sol, accès par le garage"]),
                          note_public=rng.choice([None, "Paiement par domiciliation"]))
        else:
            company = f.company()
            domain = company.lower().replace(" ", "").replace(",", "").replace(".", "")[:16] + ".example.be"
            values = dict(nom=company, name_alias=rng.choice([None, company.split()[0]]), client=rng.choice([1, 1, 2]),
                          fournisseur=rng.choice([0, 0, 1]), typent=rng.choice(["TE_SMALL", "TE_MEDIUM"]),
                          tva_intra=nl.vat_id(), idprof1=f"0{rng.randint(200, 999)}.{rng.randint(100, 999)}."
                          f"{rng.randint(100, 999)}", phone=f.phone_number(),
                          email=rng.choice([f"info@{domain}", f"compta@{domain}"]), url=f"https://www.{domain}",
                          note_private=rng.choice([None, "Contrat d'entretien annuel", "Bon payeur"]),
                          note_public=None)
        soc = rows.add("llx_societe", key="rowid", code_client=f"CU2{n:05d}", address=f.street_address(),
                       zip=f.postcode(), town=f.city(), fk_pays=country, status=1, datec=_when(rng),
                       fk_user_creat=rng.randint(1, 10), **values)
        for _ in range(rng.randint(0, 1) if private else rng.randint(1, 3)):
            g = rng.choice([fr, nl])
            cf, cl = (first, last) if private else (g.first_name(), g.last_name())
            c = rows.add("llx_socpeople", key="rowid", fk_soc=soc, civility=rng.choice(["MR", "MME", "DR", None]),
                         lastname=cl, firstname=cf, poste=None if private else rng.choice(
                             ["Directeur technique", "Office manager", "Zaakvoerder", "Responsable achats"]),
                         address=g.street_address() if rng.random() < 0.4 else None, zip=g.postcode(), town=g.city(),
                         fk_pays=country, birthday=fake.date_of_birth(minimum_age=20, maximum_age=80)
                         if rng.random() < 0.25 else None, phone=g.phone_number() if rng.random() < 0.5 else None,
                         phone_perso=g.phone_number() if rng.random() < 0.2 else None,
                         phone_mobile=f"+32 4{rng.randint(70, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
                                      f"{rng.randint(10, 99)}", email=f"{cf}.{cl}@example.be".lower().replace(" ", ""),
                         note_private=rng.choice([None, None, f"Rappeler {cf} après 17h"]), statut=1,
                         datec=_when(rng))
            contacts.append(c)
            if rng.random() < 0.6:
                rows.setdefault("llx_socpeople_extrafields", []).append(dict(
                    rowid=len(rows.get("llx_socpeople_extrafields", [])) + 1, fk_object=c,
                    rijksregisternummer=nl.ssn() if private else None, taal=rng.choice(["nl", "fr"]),
                    nieuwsbrief=rng.choice([0, 1])))
        if private and rng.random() < 0.4:
            holder = values["nom"]
            rows.add("llx_societe_rib", key="rowid", fk_soc=soc, label="Compte principal", bank=rng.choice(
                ["BNP Paribas Fortis", "KBC", "Belfius", "ING Belgique"]), iban_prefix=nl.iban(),
                bic=rng.choice(["GEBABEBB", "KREDBEBB", "GKCCBEBB", "BBRUBEBB"]), proprio=holder,
                owner_address=rows["llx_societe"][-1]["address"], rum=f"RUM{soc:06d}{rng.randint(100, 999)}",
                date_rum=_when(rng).date(), default_rib=1, datec=_when(rng))
        for k in range(rng.randint(0, 4)):
            excl = round(rng.uniform(80, 4500), 2)
            credit = k > 0 and rng.random() < 0.12
            day = _when(rng).date()
            fid = rows.add("llx_facture", key="rowid", ref=f"{'AV' if credit else 'FA'}{day:%y%m}-"
                           f"{len(rows.get('llx_facture', [])) + 1:04d}", type=2 if credit else 0, fk_soc=soc,
                           datef=day, date_lim_reglement=day + timedelta(days=30),
                           total_ht=-excl if credit else excl, total_tva=round((-excl if credit else excl) * 0.21, 2),
                           total_ttc=round((-excl if credit else excl) * 1.21, 2), paye=rng.choice([0, 1, 1]),
                           fk_statut=rng.choice([1, 2, 2]), fk_user_author=rng.randint(1, 10),
                           note_public=rng.choice([None, "Entretien chaudière annuel", "Remplacement vanne 3 voies"]),
                           note_private=rng.choice([None, None, "Avoir suite à la réclamation du client"]))
            for _ in range(rng.randint(1, 3)):
                rows.add("llx_facturedet", key="rowid", fk_facture=fid, description=rng.choice(
                    ["Entretien annuel chaudière gaz", "Déplacement", "Main d'oeuvre (heure)", "Thermostat Netatmo",
                     "Onderhoud condensatieketel"]), qty=rng.randint(1, 4), tva_tx=rng.choice([6.0, 21.0]),
                    subprice=round(rng.uniform(20, 900), 2), total_ht=round(rng.uniform(20, 3000), 2))
            if contacts and rng.random() < 0.5:
                rows.add("llx_element_contact", key="rowid", element_id=fid, fk_c_type_contact=rng.choice([1, 2]),
                         fk_socpeople=contacts[-1], statut=4, datecreate=_when(rng))
            if not credit and rng.random() < 0.8:
                pid = rows.add("llx_paiement", key="rowid", ref=f"PAY{day:%y%m}-{len(rows.get('llx_paiement', [])) + 1:04d}",
                               datep=day + timedelta(days=rng.randint(1, 45)), amount=round(excl * 1.21, 2),
                               fk_paiement=rng.choice([2, 3, 6]), num_paiement=rng.choice(
                                   ["", f"+++{rng.randint(100, 999)}/{rng.randint(1000, 9999)}/{rng.randint(10000, 99999)}+++"]),
                               note=rng.choice([None, "Virement reçu", "Domiciliation SEPA"]),
                               fk_user_creat=rng.randint(1, 10))
                rows.add("llx_paiement_facture", key="rowid", fk_paiement=pid, fk_facture=fid,
                         amount=round(excl * 1.21, 2))
        for _ in range(rng.randint(0, 3)):
            contact = contacts[-1] if contacts and rows["llx_socpeople"][-1]["fk_soc"] == soc else None
            who = rows["llx_socpeople"][contact - 1]["firstname"] if contact else values["nom"]
            rows.add("llx_actioncomm", key="id", ref=f"AC{len(rows.get('llx_actioncomm', [])) + 1:05d}",
                     code=rng.choice(["AC_TEL", "AC_RDV", "AC_EMAIL"]), label=rng.choice(
                         ["Appel client", "Rendez-vous entretien", "Envoi devis"]), datep=_when(rng),
                     fk_soc=soc, fk_contact=contact, fk_user_action=rng.randint(1, 10), location=rng.choice(
                         [None, "Chez le client", "Bureau"]), note=rng.choice(
                         [None, f"{who} signale une fuite, passer jeudi", "Devis envoyé par email",
                          f"Afspraak bevestigd met {who}"]), percent=rng.choice([-1, 0, 100]))
    _fill(engine, """
        CREATE TABLE llx_c_country (rowid INTEGER PRIMARY KEY, code VARCHAR(2), label VARCHAR(128), active INTEGER);
        CREATE TABLE llx_c_civility (rowid INTEGER PRIMARY KEY, code VARCHAR(6), label VARCHAR(50), active INTEGER);
        CREATE TABLE llx_c_type_contact (rowid INTEGER PRIMARY KEY, element VARCHAR(64), source VARCHAR(8),
                                         code VARCHAR(32), libelle VARCHAR(128));
        CREATE TABLE llx_user (rowid INTEGER PRIMARY KEY, login VARCHAR(50), lastname VARCHAR(50),
                               firstname VARCHAR(50), email VARCHAR(255), office_phone VARCHAR(20),
                               user_mobile VARCHAR(20), job VARCHAR(128), pass_crypted VARCHAR(128), admin SMALLINT,
                               statut SMALLINT, datec TIMESTAMP);
        CREATE TABLE llx_societe (rowid INTEGER PRIMARY KEY, nom VARCHAR(128), name_alias VARCHAR(128),
                                  code_client VARCHAR(24), address VARCHAR(255), zip VARCHAR(25), town VARCHAR(50),
                                  fk_pays INTEGER REFERENCES llx_c_country(rowid), phone VARCHAR(20),
                                  email VARCHAR(128), url VARCHAR(255), tva_intra VARCHAR(20), idprof1 VARCHAR(128),
                                  client SMALLINT, fournisseur SMALLINT, typent VARCHAR(16), note_private TEXT,
                                  note_public TEXT, status SMALLINT, datec TIMESTAMP,
                                  fk_user_creat INTEGER REFERENCES llx_user(rowid));
        CREATE TABLE llx_socpeople (rowid INTEGER PRIMARY KEY, fk_soc INTEGER REFERENCES llx_societe(rowid),
                                    civility VARCHAR(6), lastname VARCHAR(50), firstname VARCHAR(50), poste VARCHAR(80),
                                    address VARCHAR(255), zip VARCHAR(25), town VARCHAR(255),
                                    fk_pays INTEGER REFERENCES llx_c_country(rowid), birthday DATE, phone VARCHAR(30),
                                    phone_perso VARCHAR(30), phone_mobile VARCHAR(30), email VARCHAR(255),
                                    note_private TEXT, statut SMALLINT, datec TIMESTAMP);
        CREATE TABLE llx_socpeople_extrafields (rowid INTEGER PRIMARY KEY, fk_object INTEGER NOT NULL,
                                                rijksregisternummer VARCHAR(15), taal VARCHAR(2), nieuwsbrief INTEGER);
        CREATE TABLE llx_societe_rib (rowid INTEGER PRIMARY KEY, fk_soc INTEGER REFERENCES llx_societe(rowid),
                                      label VARCHAR(30), bank VARCHAR(255), iban_prefix VARCHAR(34), bic VARCHAR(11),
                                      proprio VARCHAR(60), owner_address VARCHAR(255), rum VARCHAR(32), date_rum DATE,
                                      default_rib SMALLINT, datec TIMESTAMP);
        CREATE TABLE llx_facture (rowid INTEGER PRIMARY KEY, ref VARCHAR(30), type SMALLINT,
                                  fk_soc INTEGER REFERENCES llx_societe(rowid), datef DATE, date_lim_reglement DATE,
                                  total_ht REAL, total_tva REAL, total_ttc REAL, paye SMALLINT, fk_statut SMALLINT,
                                  fk_user_author INTEGER REFERENCES llx_user(rowid), note_public TEXT,
                                  note_private TEXT);
        CREATE TABLE llx_facturedet (rowid INTEGER PRIMARY KEY, fk_facture INTEGER REFERENCES llx_facture(rowid),
                                     description TEXT, qty REAL, tva_tx REAL, subprice REAL, total_ht REAL);
        CREATE TABLE llx_paiement (rowid INTEGER PRIMARY KEY, ref VARCHAR(30), datep TIMESTAMP, amount REAL,
                                   fk_paiement INTEGER, num_paiement VARCHAR(50), note TEXT,
                                   fk_user_creat INTEGER REFERENCES llx_user(rowid));
        CREATE TABLE llx_paiement_facture (rowid INTEGER PRIMARY KEY,
                                           fk_paiement INTEGER REFERENCES llx_paiement(rowid),
                                           fk_facture INTEGER REFERENCES llx_facture(rowid), amount REAL);
        CREATE TABLE llx_element_contact (rowid INTEGER PRIMARY KEY, datecreate TIMESTAMP, statut SMALLINT,
                                          element_id INTEGER NOT NULL,
                                          fk_c_type_contact INTEGER REFERENCES llx_c_type_contact(rowid),
                                          fk_socpeople INTEGER REFERENCES llx_socpeople(rowid));
        CREATE TABLE llx_actioncomm (id INTEGER PRIMARY KEY, ref VARCHAR(30), code VARCHAR(50), label VARCHAR(255),
                                     datep TIMESTAMP, fk_soc INTEGER REFERENCES llx_societe(rowid),
                                     fk_contact INTEGER REFERENCES llx_socpeople(rowid),
                                     fk_user_action INTEGER REFERENCES llx_user(rowid), location VARCHAR(128),
                                     note TEXT, percent SMALLINT)""", rows)


DOLIBARR = Labelled(
    "dolibarr", "Dolibarr as a Brussels installer runs it (private and business customers, invoices; French names)",
    build_dolibarr,
    _p({"llx_user": "login lastname firstname email office_phone user_mobile job pass_crypted",
        "llx_societe": "nom code_client address zip town phone email tva_intra note_private",
        "llx_socpeople": "civility lastname firstname poste address zip town birthday phone phone_perso phone_mobile "
                         "email note_private",
        "llx_socpeople_extrafields": "rijksregisternummer",
        "llx_societe_rib": "iban_prefix proprio owner_address",
        "llx_actioncomm": "note"}),
    {"llx_c_country": None, "llx_c_civility": None, "llx_c_type_contact": None, "llx_user": "review",
     "llx_societe": "review", "llx_socpeople": "delete", "llx_socpeople_extrafields": "delete",
     "llx_societe_rib": "retain", "llx_facture": "retain", "llx_facturedet": "retain", "llx_paiement": "retain",
     "llx_paiement_facture": "retain", "llx_element_contact": "delete", "llx_actioncomm": "delete"})


# -- invoiceninja: Invoice Ninja v5 ---------------------------------------------------------------------------

INVOICE, CREDIT = "App\\Models\\Invoice", "App\\Models\\Credit"


def build_invoiceninja(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE", "en_GB"], seed), _Rows()
    nl = fake["nl_BE"]
    for code, name in [("056", "Belgium"), ("528", "Netherlands"), ("250", "France"), ("826", "United Kingdom")]:
        rows.add("countries", iso_3166_3=code, name=name, iso_3166_2=name[:2].upper())
    for code, symbol in [("EUR", "€"), ("GBP", "£"), ("USD", "$")]:
        rows.add("currencies", code=code, symbol=symbol, precision=2)
    rows.add("companies", company_key=fake.sha1()[:32], settings=json.dumps(
        {"name": "Studio Leie BV", "vat_number": "BE0712345678", "email": "hallo@studioleie.example.be",
         "address1": "Korenmarkt 12", "city": "Gent", "postal_code": "9000"}), enabled_modules=8191,
        created_at=_when(rng))
    for _i in range(6):
        first, last = nl.first_name(), nl.last_name()
        rows.add("users", company_id=1, first_name=first, last_name=last, phone=nl.phone_number(),
                 email=f"{first}.{last}@studioleie.example.be".lower().replace(" ", ""),
                 password="$2y$10$" + fake.sha256()[:53], last_login=_when(rng), ip=fake.ipv4_public(),
                 oauth_provider_id=rng.choice([None, str(rng.randint(10**20, 10**21))]), created_at=_when(rng))
    for n in range(1, 181):
        person = rng.random() < 0.45
        f = fake[rng.choice(["nl_BE", "nl_BE", "fr_BE", "en_GB"])]
        first, last = f.first_name(), f.last_name()
        if person:
            name, website, vat = f"{first} {last}", None, nl.vat_id() if rng.random() < 0.3 else None
            id_number = None
        else:
            name = f.company()
            website = f"https://{name.lower().replace(' ', '').replace(',', '').replace('.', '')[:14]}.example.com"
            vat, id_number = nl.vat_id(), f"0{rng.randint(200, 999)}{rng.randint(100000, 999999)}"
        street = f.street_address()
        cid = rows.add("clients", company_id=1, user_id=rng.randint(1, 6), name=name, website=website,
                       private_notes=rng.choice([None, None, f"{first} wil facturen per post", "Betaalt altijd laat",
                                                 f"Introduced by {fake['en_GB'].name()}"]),
                       public_notes=rng.choice([None, "Maandelijks onderhoudscontract"]), balance=0.0,
                       paid_to_date=0.0, vat_number=vat, id_number=id_number, number=f"{n:04d}",
                       address1=street, address2=rng.choice([None, None, "bus 3", "2de verdieping"]), city=f.city(),
                       state=rng.choice([None, "Oost-Vlaanderen", "Hainaut"]), postal_code=f.postcode(),
                       country_id=rng.choice([1, 1, 1, 2, 3, 4]), phone=f.phone_number(),
                       shipping_address1=rng.choice([None, None, street]), shipping_city=None,
                       custom_value1=rng.choice([None, None, "klant via beurs"]), currency_id=1,
                       created_at=_when(rng), is_deleted=0)
        contacts = []
        for k in range(1 if person else rng.randint(1, 3)):
            cf, cl = (first, last) if person or k == 0 else (f.first_name(), f.last_name())
            contacts.append(rows.add(
                "client_contacts", company_id=1, client_id=cid, first_name=cf, last_name=cl,
                phone=rng.choice([None, f.phone_number()]), email=f"{cf}.{cl}{rng.randint(1, 99)}@example.org"
                .lower().replace(" ", ""), password=rng.choice([None, "$2y$10$" + fake.sha256()[:53]]),
                contact_key=fake.sha1()[:40], confirmation_code=rng.choice([None, fake.sha1()[:32]]),
                is_primary=int(k == 0), send_email=1, last_login=rng.choice([None, _when(rng)]),
                custom_value1=rng.choice([None, None, "CFO"]), created_at=_when(rng)))
        if rng.random() < 0.3:
            rows.add("client_gateway_tokens", company_id=1, client_id=cid, token=f"pm_{fake.lexify('?' * 24)}",
                     gateway_customer_reference=f"cus_{fake.lexify('?' * 14)}", gateway_type_id=1,
                     meta=json.dumps({"brand": rng.choice(["visa", "mastercard", "bancontact"]),
                                      "last4": f"{rng.randint(0, 9999):04d}", "exp_month": rng.randint(1, 12),
                                      "exp_year": rng.randint(2025, 2030), "holder": name}),
                     is_default=1, created_at=_when(rng))
        invoices = []
        for _ in range(rng.randint(0, 5)):
            day = _when(rng).date()
            items = [{"product_key": rng.choice(["WEB-MAINT", "HOSTING", "SEO", "DESIGN-H"]),
                      "notes": rng.choice(["Onderhoud website", "Hosting jaarlijks", "SEO-rapport", "Design (uur)"]),
                      "cost": round(rng.uniform(40, 900), 2), "quantity": rng.randint(1, 10), "tax_rate1": 21}
                     for _ in range(rng.randint(1, 3))]
            amount = round(sum(i["cost"] * i["quantity"] for i in items) * 1.21, 2)  # type: ignore[operator]
            paid = rng.random() < 0.7
            iid = rows.add("invoices", company_id=1, user_id=rng.randint(1, 6), client_id=cid, status_id=4 if paid else 2,
                           number=f"{day.year}-{len(rows.get('invoices', [])) + 1:04d}", date=day,
                           due_date=day + timedelta(days=30), po_number=rng.choice([None, f"PO{rng.randint(1000, 9999)}"]),
                           line_items=json.dumps(items), amount=amount, balance=0.0 if paid else amount,
                           public_notes=rng.choice([None, "Bedankt voor uw vertrouwen"]),
                           private_notes=rng.choice([None, None, f"Factuur nagezien met {first}"]),
                           terms="Betaling binnen 30 dagen", is_deleted=0, created_at=_when(rng))
            invoices.append((iid, amount))
            if paid:
                pid = rows.add("payments", company_id=1, client_id=cid, user_id=rng.randint(1, 6),
                               amount=amount, applied=amount, refunded=0.0, date=day + timedelta(days=rng.randint(1, 40)),
                               transaction_reference=rng.choice([f"ch_{fake.lexify('?' * 20)}",
                                                                 f"+++{rng.randint(100, 999)}/{rng.randint(1000, 9999)}"
                                                                 f"/{rng.randint(10000, 99999)}+++"]),
                               payment_type_id=rng.choice([1, 2, 12]), status_id=4,
                               private_notes=rng.choice([None, None, "Betaald via Bancontact"]),
                               number=f"P{len(rows.get('payments', [])) + 1:05d}", created_at=_when(rng))
                rows.add("paymentables", payment_id=pid, paymentable_id=iid, paymentable_type=INVOICE, amount=amount,
                         refunded=0.0, created_at=_when(rng))
        if invoices and rng.random() < 0.2:
            iid, amount = rng.choice(invoices)
            credit_amount = round(amount * rng.choice([0.1, 0.5, 1.0]), 2)
            crid = rows.add("credits", company_id=1, user_id=rng.randint(1, 6), client_id=cid, invoice_id=iid,
                            status_id=rng.choice([2, 4]), number=f"CN-{len(rows.get('credits', [])) + 1:04d}",
                            date=_when(rng).date(), amount=credit_amount, balance=0.0,
                            line_items=json.dumps([{"notes": "Creditnota: dubbele facturatie", "cost": credit_amount,
                                                    "quantity": 1}]),
                            public_notes="Creditnota", private_notes=rng.choice([None, f"Klacht van {first} {last}"]),
                            created_at=_when(rng))
            if rows.get("payments") and rows["payments"][-1]["client_id"] == cid:
                rows.add("paymentables", payment_id=rows["payments"][-1]["id"], paymentable_id=crid,
                         paymentable_type=CREDIT, amount=-credit_amount, refunded=0.0, created_at=_when(rng))
        for _ in range(rng.randint(1, 6)):
            contact = rng.choice(contacts)
            kind = rng.choice([4, 6, 7, 10, 29])  # created, emailed, viewed, paid, contact login
            rows.add("activities", company_id=1, user_id=rng.randint(1, 6) if kind in (4, 6) else None,
                     client_id=cid, client_contact_id=contact if kind in (7, 29) else None,
                     invoice_id=invoices[0][0] if invoices else None, activity_type_id=kind,
                     ip=fake.ipv4_public() if kind in (7, 29) else "127.0.0.1",
                     notes=rng.choice(["", "", f"Viewed by {rows['client_contacts'][contact - 1]['email']}"]),
                     created_at=_when(rng))
    _fill(engine, """
        CREATE TABLE countries (id INTEGER PRIMARY KEY, iso_3166_3 VARCHAR(3), iso_3166_2 VARCHAR(2),
                                name VARCHAR(255));
        CREATE TABLE currencies (id INTEGER PRIMARY KEY, code VARCHAR(3), symbol VARCHAR(8), precision INTEGER);
        CREATE TABLE companies (id INTEGER PRIMARY KEY, company_key VARCHAR(100), settings TEXT,
                                enabled_modules INTEGER, created_at TIMESTAMP);
        CREATE TABLE users (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                            first_name VARCHAR(100), last_name VARCHAR(100), phone VARCHAR(100), email VARCHAR(100),
                            password VARCHAR(255), last_login TIMESTAMP, ip VARCHAR(45), oauth_provider_id VARCHAR(100),
                            created_at TIMESTAMP);
        CREATE TABLE clients (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                              user_id INTEGER REFERENCES users(id), name VARCHAR(255), website VARCHAR(255),
                              private_notes TEXT, public_notes TEXT, balance DECIMAL(20, 6),
                              paid_to_date DECIMAL(20, 6), vat_number VARCHAR(255), id_number VARCHAR(255),
                              number VARCHAR(255), address1 VARCHAR(255), address2 VARCHAR(255), city VARCHAR(255),
                              state VARCHAR(255), postal_code VARCHAR(255),
                              country_id INTEGER REFERENCES countries(id), phone VARCHAR(255),
                              shipping_address1 VARCHAR(255), shipping_city VARCHAR(255), custom_value1 TEXT,
                              currency_id INTEGER REFERENCES currencies(id), created_at TIMESTAMP,
                              is_deleted INTEGER);
        CREATE TABLE client_contacts (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                                      client_id INTEGER REFERENCES clients(id), first_name VARCHAR(255),
                                      last_name VARCHAR(255), phone VARCHAR(255), email VARCHAR(100),
                                      password VARCHAR(255), contact_key VARCHAR(255), confirmation_code VARCHAR(255),
                                      is_primary INTEGER, send_email INTEGER, last_login TIMESTAMP,
                                      custom_value1 TEXT, created_at TIMESTAMP);
        CREATE TABLE client_gateway_tokens (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                                            client_id INTEGER REFERENCES clients(id), token TEXT,
                                            gateway_customer_reference VARCHAR(255), gateway_type_id INTEGER,
                                            meta TEXT, is_default INTEGER, created_at TIMESTAMP);
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                               user_id INTEGER REFERENCES users(id), client_id INTEGER REFERENCES clients(id),
                               status_id INTEGER, number VARCHAR(100), date DATE, due_date DATE, po_number VARCHAR(255),
                               line_items TEXT, amount DECIMAL(20, 6), balance DECIMAL(20, 6), public_notes TEXT,
                               private_notes TEXT, terms TEXT, is_deleted INTEGER, created_at TIMESTAMP);
        CREATE TABLE credits (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                              user_id INTEGER REFERENCES users(id), client_id INTEGER REFERENCES clients(id),
                              invoice_id INTEGER REFERENCES invoices(id), status_id INTEGER, number VARCHAR(100),
                              date DATE, amount DECIMAL(20, 6), balance DECIMAL(20, 6), line_items TEXT,
                              public_notes TEXT, private_notes TEXT, created_at TIMESTAMP);
        CREATE TABLE payments (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                               client_id INTEGER REFERENCES clients(id), user_id INTEGER REFERENCES users(id),
                               amount DECIMAL(20, 6), applied DECIMAL(20, 6), refunded DECIMAL(20, 6), date DATE,
                               transaction_reference VARCHAR(255), payment_type_id INTEGER, status_id INTEGER,
                               private_notes TEXT, number VARCHAR(100), created_at TIMESTAMP);
        CREATE TABLE paymentables (id INTEGER PRIMARY KEY, payment_id INTEGER REFERENCES payments(id),
                                   paymentable_id INTEGER NOT NULL, paymentable_type VARCHAR(255),
                                   amount DECIMAL(20, 6), refunded DECIMAL(20, 6), created_at TIMESTAMP);
        CREATE TABLE activities (id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES companies(id),
                                 user_id INTEGER REFERENCES users(id), client_id INTEGER REFERENCES clients(id),
                                 client_contact_id INTEGER REFERENCES client_contacts(id),
                                 invoice_id INTEGER REFERENCES invoices(id), activity_type_id INTEGER,
                                 ip VARCHAR(45), notes TEXT, created_at TIMESTAMP)""", rows)


INVOICENINJA = Labelled(
    "invoiceninja", "Invoice Ninja as a Ghent web studio bills its clients (invoices, credit notes, payments)",
    build_invoiceninja,
    _p({"users": "first_name last_name phone email password ip oauth_provider_id",
        "clients": "name private_notes vat_number number address1 address2 city state postal_code phone "
                   "shipping_address1",
        "client_contacts": "first_name last_name phone email password contact_key confirmation_code custom_value1",
        "client_gateway_tokens": "token gateway_customer_reference meta",
        "invoices": "private_notes", "credits": "private_notes",
        "activities": "ip notes"}),
    {"countries": None, "currencies": None, "companies": None, "users": "review", "clients": "review",
     "client_contacts": "delete", "client_gateway_tokens": "delete", "invoices": "retain", "credits": "retain",
     "payments": "retain", "paymentables": "retain", "activities": "delete"})


BLIND4 = {s.name: s for s in (DOLIBARR, INVOICENINJA, GNUHEALTH, SNIPEIT, MAUTIC)}
