"""The `tickets`, `herberg` and `emis` schemas of the second blind batch (bench/heldout4_schemas.py holds the
labelling notes D1-D9 and the other two schemas).

- `tickets`: pretix (pretix/pretix, src/pretix/base/models: orders.py, invoices.py, event.py, items.py,
  customers.py, auth.py), the open-source event ticketing system, as a Ghent conference organiser runs it:
  organizer, team users, events, items, customers, orders, order positions with attendee details, invoice
  addresses, invoices, payments and refunds with JSON details, check-ins, question answers.
- `herberg`: HotelDruid (RolfEleveld/hoteldruid, hoteldruid/creadb.php: clienti, prenota, costiprenota, soldi,
  appartamenti, utenti), the open-source hotel management system, written as a Walloon hotel's database with
  French names, with the guest register Belgian law requires (see note D7).
- `emis`: OpenEMIS Core (moe-lk/sis, mysql dumps of an OpenEMIS database: security_users, user_contacts,
  student_guardians, institution_students, assessment_item_results, institution_students_report_cards,
  institution_student_absences, user_special_needs_assessments, institution_staff), the open-source education
  management information system, as a Brussels school network uses it.
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import sqlalchemy as sa
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- tickets: pretix ---------------------------------------------------------------------------------


def build_tickets(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE", "en_GB"], seed), _Rows()
    rows.add("pretixbase_organizer", name="Gentse Congressen vzw", slug="gentcon")
    for i in range(6):
        first, last = fake["nl_BE"].first_name(), fake["nl_BE"].last_name()
        rows.add("pretixbase_user", email=f"{first}.{last}@gentcon.example.be".lower().replace(" ", ""),
                 fullname=f"{first} {last}", password=fake.sha256(), is_active=True, is_staff=i == 0,
                 last_login=_when(rng), locale="nl")
    for name, city in [("DevDays Gent 2024", "ICC Gent"), ("Open Data Dag", "De Krook, Gent"),
                       ("Privacy Forum", "Het Pand, Gent")]:
        rows.add("pretixbase_event", organizer_id=1, name=name, slug=name.lower().replace(" ", "-")[:20],
                 date_from=_when(rng), location=city, currency="EUR")
    for event in (1, 2, 3):
        for name, price in [("Early bird", 149.0), ("Regular", 249.0), ("Student", 49.0), ("Workshop", 95.0)]:
            rows.add("pretixbase_item", event_id=event, name=name, default_price=price, admission=True)
    for event in (1, 2, 3):
        for question in ("Dieetwensen", "T-shirt maat", "Bedrijf / organisatie"):
            rows.add("pretixbase_question", event_id=event, question=question, type="S", required=False)
    for _ in range(240):
        f = fake[rng.choice(["nl_BE", "fr_BE", "en_GB"])]
        first, last = f.first_name(), f.last_name()
        email = f"{first}.{last}{rng.randint(1, 99)}@example.org".lower().replace(" ", "")
        customer = None
        if rng.random() < 0.5:
            customer = rows.add("pretixbase_customer", organizer_id=1, identifier=fake.bothify("??##??##").upper(),
                                email=email, phone=rng.choice([None, f.phone_number()]), password=fake.sha256(),
                                name_cached=f"{first} {last}",
                                name_parts=json.dumps({"_scheme": "given_family", "given_name": first,
                                                       "family_name": last}),
                                is_active=True, is_verified=rng.random() < 0.9, last_login=_when(rng),
                                date_joined=_when(rng), locale=rng.choice(["nl", "fr", "en"]),
                                notes=rng.choice([None, None, "Spreker 2023", f"Vraagt factuur op naam van {last}"]))
        for _ in range(rng.randint(1, 2)):
            event = rng.randint(1, 3)
            placed = _when(rng)
            status = rng.choice(["p", "p", "p", "n", "c"])
            lines = [(rng.randint(1, 4) + 4 * (event - 1)) for _ in range(rng.randint(1, 3))]
            prices = [rows["pretixbase_item"][i - 1]["default_price"] for i in lines]
            order = rows.add("pretixbase_order", code=fake.bothify("?????").upper(), status=status, event_id=event,
                             customer_id=customer, email=email, phone=rng.choice([None, f.phone_number()]),
                             locale=rng.choice(["nl", "fr", "en"]), datetime=placed,
                             expires=placed + timedelta(days=14), total=sum(prices),
                             comment=rng.choice([None, None, f"{first} betaalt via werkgever",
                                                 "Rolstoeltoegang gevraagd"]),
                             secret=fake.bothify("????????????????").lower(), testmode=False,
                             meta_info=json.dumps({"contact_form_data": {"email": email}}))
            business = rng.random() < 0.35
            rows.add("pretixbase_invoiceaddress", order_id=order, is_business=business,
                     company=fake.company() if business else "", name_cached=f"{first} {last}",
                     street=f.street_address(), zipcode=f.postcode(), city=f.city(),
                     country=rng.choice(["BE", "BE", "NL", "FR"]),
                     vat_id=f"BE0{rng.randint(10**8, 10**9 - 1)}" if business else "",
                     internal_reference=rng.choice(["", "PO-2024-118", "Kostenplaats 4410"]) if business else "")
            for position, (item, price) in enumerate(zip(lines, prices, strict=True), 1):
                attendee = f if position == 1 else fake[rng.choice(["nl_BE", "fr_BE"])]
                a_first, a_last = (first, last) if position == 1 else (attendee.first_name(), attendee.last_name())
                p = rows.add("pretixbase_orderposition", order_id=order, positionid=position, item_id=item,
                             price=price, attendee_name_cached=f"{a_first} {a_last}",
                             attendee_email=f"{a_first}.{a_last}@example.org".lower().replace(" ", ""),
                             company=rng.choice(["", "", fake.company()]), street="", zipcode="", city="",
                             country="BE", secret=fake.bothify("????????????????????????????????").lower())
                if status == "p" and rng.random() < 0.7:
                    rows.add("pretixbase_checkin", position_id=p, datetime=_when(rng), list_id=event,
                             type="entry", gate=rng.choice(["Hoofdingang", "Zaal B"]))
                for question in range(1 + 3 * (event - 1), 4 + 3 * (event - 1)):
                    if rng.random() < 0.5:
                        rows.add("pretixbase_questionanswer", orderposition_id=p, question_id=question,
                                 answer=rng.choice(["Vegetarisch", "Glutenvrij", "L", "M", "XL",
                                                    f"Halal, {a_first} is allergisch voor noten"]))
            if status in ("p", "c"):
                pay = rows.add("pretixbase_orderpayment", order_id=order, local_id=1, state="confirmed",
                               amount=sum(prices), provider=rng.choice(["banktransfer", "stripe", "mollie"]),
                               created=placed, payment_date=placed + timedelta(days=rng.randint(0, 10)),
                               info=json.dumps(rng.choice([
                                   {"payer": f"{first} {last}", "iban": fake.iban(), "reference": "RF18" + fake.numerify("#" * 10)},
                                   {"id": fake.bothify("pi_??????????????"), "brand": "visa", "last4": fake.numerify("####")},
                                   {"method": "bancontact", "consumerName": f"{first.upper()} {last.upper()}"}])))
                number = len(rows.get("pretixbase_invoice", [])) + 1
                rows.add("pretixbase_invoice", order_id=order, event_id=event, invoice_no=f"{number:05d}",
                         full_invoice_no=f"GENT-{number:05d}", prefix="GENT-",
                         invoice_from="Gentse Congressen vzw, Sint-Pietersplein 1, 9000 Gent",
                         invoice_to=f"{first} {last}\n{f.street_address()}\n{f.postcode()} {f.city()}",
                         invoice_to_name=f"{first} {last}", invoice_to_company=fake.company() if business else "",
                         invoice_to_street=f.street_address(), invoice_to_zipcode=f.postcode(),
                         invoice_to_city=f.city(), invoice_to_country="BE",
                         invoice_to_vat_id=f"BE0{rng.randint(10**8, 10**9 - 1)}" if business else "",
                         date=placed.date(), locale="nl", is_cancellation=False,
                         file=f"pdf/{fake.bothify('????????????????')}.pdf")
                if status == "c":
                    rows.add("pretixbase_orderrefund", order_id=order, payment_id=pay, local_id=1, state="done",
                             amount=sum(prices), provider="manual", created=_when(rng),
                             comment=rng.choice([None, "Ziekte, attest ontvangen", f"{first} kan niet komen"]),
                             info=json.dumps({"payer": f"{first} {last}", "iban": fake.iban()}))
    _fill(engine, """
        CREATE TABLE pretixbase_organizer (id INTEGER PRIMARY KEY, name VARCHAR(200), slug VARCHAR(50));
        CREATE TABLE pretixbase_user (id INTEGER PRIMARY KEY, email VARCHAR(190), fullname VARCHAR(255),
                                      password VARCHAR(128), is_active BOOLEAN, is_staff BOOLEAN,
                                      last_login TIMESTAMP, locale VARCHAR(50));
        CREATE TABLE pretixbase_event (id INTEGER PRIMARY KEY, organizer_id INTEGER REFERENCES pretixbase_organizer(id),
                                       name VARCHAR(200), slug VARCHAR(50), date_from TIMESTAMP, location TEXT,
                                       currency VARCHAR(10));
        CREATE TABLE pretixbase_item (id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES pretixbase_event(id),
                                      name VARCHAR(255), default_price NUMERIC(13,2), admission BOOLEAN);
        CREATE TABLE pretixbase_question (id INTEGER PRIMARY KEY, event_id INTEGER REFERENCES pretixbase_event(id),
                                          question TEXT, type VARCHAR(5), required BOOLEAN);
        CREATE TABLE pretixbase_customer (id INTEGER PRIMARY KEY,
                                          organizer_id INTEGER REFERENCES pretixbase_organizer(id),
                                          identifier VARCHAR(190), email VARCHAR(190), phone VARCHAR(128),
                                          password VARCHAR(128), name_cached VARCHAR(255), name_parts TEXT,
                                          is_active BOOLEAN, is_verified BOOLEAN, last_login TIMESTAMP,
                                          date_joined TIMESTAMP, locale VARCHAR(50), notes TEXT);
        CREATE TABLE pretixbase_order (id INTEGER PRIMARY KEY, code VARCHAR(16), status VARCHAR(3),
                                       event_id INTEGER REFERENCES pretixbase_event(id),
                                       customer_id INTEGER REFERENCES pretixbase_customer(id), email VARCHAR(254),
                                       phone VARCHAR(128), locale VARCHAR(32), datetime TIMESTAMP, expires TIMESTAMP,
                                       total NUMERIC(13,2), comment TEXT, secret VARCHAR(32), testmode BOOLEAN,
                                       meta_info TEXT);
        CREATE TABLE pretixbase_invoiceaddress (id INTEGER PRIMARY KEY,
                                                order_id INTEGER UNIQUE REFERENCES pretixbase_order(id),
                                                is_business BOOLEAN, company VARCHAR(255), name_cached VARCHAR(255),
                                                street TEXT, zipcode VARCHAR(30), city VARCHAR(255),
                                                country VARCHAR(2), vat_id VARCHAR(255),
                                                internal_reference TEXT);
        CREATE TABLE pretixbase_orderposition (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES pretixbase_order(id),
                                               positionid INTEGER, item_id INTEGER REFERENCES pretixbase_item(id),
                                               price NUMERIC(13,2), attendee_name_cached VARCHAR(255),
                                               attendee_email VARCHAR(254), company VARCHAR(255), street TEXT,
                                               zipcode VARCHAR(30), city VARCHAR(255), country VARCHAR(2),
                                               secret VARCHAR(255));
        CREATE TABLE pretixbase_checkin (id INTEGER PRIMARY KEY,
                                         position_id INTEGER REFERENCES pretixbase_orderposition(id),
                                         datetime TIMESTAMP, list_id INTEGER, type VARCHAR(100), gate VARCHAR(100));
        CREATE TABLE pretixbase_questionanswer (id INTEGER PRIMARY KEY,
                                                orderposition_id INTEGER REFERENCES pretixbase_orderposition(id),
                                                question_id INTEGER REFERENCES pretixbase_question(id), answer TEXT);
        CREATE TABLE pretixbase_orderpayment (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES pretixbase_order(id),
                                              local_id INTEGER, state VARCHAR(190), amount NUMERIC(13,2),
                                              provider VARCHAR(255), created TIMESTAMP, payment_date TIMESTAMP,
                                              info TEXT);
        CREATE TABLE pretixbase_invoice (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES pretixbase_order(id),
                                         event_id INTEGER REFERENCES pretixbase_event(id), invoice_no VARCHAR(19),
                                         full_invoice_no VARCHAR(190), prefix VARCHAR(160), invoice_from TEXT,
                                         invoice_to TEXT, invoice_to_name TEXT, invoice_to_company TEXT,
                                         invoice_to_street TEXT, invoice_to_zipcode VARCHAR(190),
                                         invoice_to_city TEXT, invoice_to_country VARCHAR(2),
                                         invoice_to_vat_id TEXT, date DATE, locale VARCHAR(50),
                                         is_cancellation BOOLEAN, file VARCHAR(255));
        CREATE TABLE pretixbase_orderrefund (id INTEGER PRIMARY KEY, order_id INTEGER REFERENCES pretixbase_order(id),
                                             payment_id INTEGER REFERENCES pretixbase_orderpayment(id),
                                             local_id INTEGER, state VARCHAR(190), amount NUMERIC(13,2),
                                             provider VARCHAR(255), created TIMESTAMP, comment TEXT,
                                             info TEXT)""", rows)


TICKETS = Labelled(
    "tickets", "pretix as a Ghent conference organiser runs it (orders, attendees, invoices)", build_tickets,
    _p({"pretixbase_user": "email fullname password",
        "pretixbase_customer": "identifier email phone password name_cached name_parts notes",
        "pretixbase_order": "email phone comment meta_info",
        "pretixbase_invoiceaddress": "name_cached street zipcode city",
        "pretixbase_orderposition": "attendee_name_cached attendee_email",
        "pretixbase_questionanswer": "answer", "pretixbase_orderpayment": "info",
        "pretixbase_invoice": "invoice_to invoice_to_name invoice_to_street invoice_to_zipcode invoice_to_city",
        "pretixbase_orderrefund": "comment info"}),
    {"pretixbase_organizer": None, "pretixbase_user": "review", "pretixbase_event": None, "pretixbase_item": None,
     "pretixbase_question": None, "pretixbase_customer": "delete", "pretixbase_order": "retain",
     "pretixbase_invoiceaddress": "retain", "pretixbase_orderposition": "retain", "pretixbase_checkin": "delete",
     "pretixbase_questionanswer": "delete", "pretixbase_orderpayment": "retain", "pretixbase_invoice": "retain",
     "pretixbase_orderrefund": "retain"})


# -- herberg: HotelDruid as a Walloon hotel, in French ------------------------------------------------

def build_herberg(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE", "fr_FR"], seed), _Rows()
    for n in range(1, 25):
        rows.add("chambres", numero=str(100 * (1 + n // 10) + n % 10), etage=1 + n // 10,
                 type_chambre=rng.choice(["Simple", "Double", "Familiale"]), capacite=rng.choice([1, 2, 4]),
                 prix_base=rng.choice([79, 95, 129]))
    for _ in range(8):
        first, last = fake["fr_BE"].first_name(), fake["fr_BE"].last_name()
        rows.add("utilisateurs", nom_utilisateur=f"{first[0]}{last}".lower().replace(" ", ""),
                 mot_de_passe=fake.sha256(), nom_complet=f"{first} {last}", role=rng.choice(["réception", "admin"]))
    for _ in range(250):
        locale = rng.choice(["fr_BE", "fr_BE", "nl_BE", "fr_FR"])
        f = fake[locale]
        first, last = f.first_name(), f.last_name()
        born = fake.date_of_birth(minimum_age=18, maximum_age=85)
        nationalite = {"fr_BE": "belge", "nl_BE": "belge", "fr_FR": "française"}[locale]
        self_employed = rng.random() < 0.1
        client = rows.add("clients", nom=last, prenom=first, civilite=rng.choice(["M.", "Mme", "Dhr.", "Mevr."]),
                          sexe=rng.choice(["m", "f"]), date_naissance=born, lieu_naissance=f.city(),
                          nationalite=nationalite, langue=locale[:2],
                          type_document=rng.choice(["carte d'identité", "passeport", "permis de conduire"]),
                          numero_document=fake.bothify("###-#######-##"),
                          rue=f.street_name(), numero=str(rng.randint(1, 220)), code_postal=f.postcode(),
                          ville=f.city(), pays=rng.choice(["Belgique", "France", "België"]),
                          telephone=f.phone_number(), telephone2=rng.choice([None, None, f.phone_number()]),
                          courriel=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""),
                          numero_tva=f"BE0{rng.randint(10**8, 10**9 - 1)}" if self_employed else None,
                          commentaire=rng.choice([None, None, "Client fidèle, chambre calme", "Allergique aux plumes"]),
                          date_creation=_when(rng), utilisateur_id=rng.randint(1, 8))
        for _ in range(rng.randint(1, 3)):
            arrival = _when(rng).date()
            nights = rng.randint(1, 6)
            room = rng.randint(1, 24)
            price = rows["chambres"][room - 1]["prix_base"] * nights
            r = rows.add("reservations", code_reservation=fake.bothify("R####??").upper(), client_id=client,
                         chambre_id=room, date_arrivee=arrival, date_depart=arrival + timedelta(days=nights),
                         nb_personnes=rng.randint(1, 4), prix_total=price, acompte=rng.choice([0, 50, 100]),
                         origine=rng.choice(["direct", "Booking.com", "téléphone"]),
                         statut=rng.choice(["confirmée", "terminée", "annulée"]),
                         commentaire=rng.choice([None, "Arrivée tardive vers 23h", f"Anniversaire de {first}"]),
                         utilisateur_id=rng.randint(1, 8))
            rows.add("registre_voyageurs", reservation_id=r, client_id=client, nom=last, prenoms=first,
                     date_naissance=born, lieu_naissance=rows["clients"][-1]["lieu_naissance"],
                     nationalite=nationalite, numero_document=rows["clients"][-1]["numero_document"],
                     date_arrivee=arrival, date_depart_prevue=arrival + timedelta(days=nights))
            if rng.random() < 0.4:
                companion = fake[locale]
                rows.add("registre_voyageurs", reservation_id=r, client_id=None, nom=companion.last_name(),
                         prenoms=companion.first_name(), date_naissance=fake.date_of_birth(minimum_age=1, maximum_age=80),
                         lieu_naissance=companion.city(), nationalite=nationalite,
                         numero_document=fake.bothify("###-#######-##"), date_arrivee=arrival,
                         date_depart_prevue=arrival + timedelta(days=nights))
            extras = 0.0
            for label, unit in rng.sample([("Petit-déjeuner", 16.0), ("Parking", 12.0), ("Minibar", 9.5),
                                           ("Taxe de séjour", 2.5)], rng.randint(0, 3)):
                qty = rng.randint(1, nights * 2)
                extras += unit * qty
                rows.add("extras_reservation", reservation_id=r, libelle=label, prix_unitaire=unit, quantite=qty)
            total = price + extras
            invoice = rows.add("factures", numero=f"2024-{len(rows.get('factures', [])) + 1:05d}", reservation_id=r,
                               client_id=client, date_facture=arrival + timedelta(days=nights),
                               nom_facture=f"{first} {last}",
                               adresse_facture=f"{rows['clients'][-1]['rue']} {rows['clients'][-1]['numero']}, "
                                               f"{rows['clients'][-1]['code_postal']} {rows['clients'][-1]['ville']}",
                               tva_client=rows["clients"][-1]["numero_tva"], total_htva=round(total / 1.06, 2),
                               montant_tva=round(total - total / 1.06, 2), total_tvac=total)
            rows.add("paiements", reservation_id=r, facture_id=invoice, montant=total,
                     date_paiement=arrival + timedelta(days=nights), methode=rng.choice(["bancontact", "espèces",
                                                                                          "virement", "visa"]),
                     motif=rng.choice(["Solde séjour", "Acompte", "Solde"]), utilisateur_id=rng.randint(1, 8))
            if rng.random() < 0.7:
                rows.add("messages_clients", client_id=client, reservation_id=r, date_envoi=_when(rng),
                         objet=rng.choice(["Confirmation de votre réservation", "Votre séjour à l'Hôtel du Parc",
                                           "Bevestiging van uw reservatie"]),
                         corps=f"Cher/Chère {first} {last}, nous vous confirmons votre séjour du {arrival}.",
                         adresse=rows["clients"][-1]["courriel"])
    _fill(engine, """
        CREATE TABLE chambres (id INTEGER PRIMARY KEY, numero VARCHAR(10), etage INTEGER, type_chambre VARCHAR(30),
                               capacite INTEGER, prix_base NUMERIC(8,2));
        CREATE TABLE utilisateurs (id INTEGER PRIMARY KEY, nom_utilisateur VARCHAR(50), mot_de_passe VARCHAR(128),
                                   nom_complet VARCHAR(100), role VARCHAR(20));
        CREATE TABLE clients (id INTEGER PRIMARY KEY, nom VARCHAR(70), prenom VARCHAR(70), civilite VARCHAR(10),
                              sexe VARCHAR(1), date_naissance DATE, lieu_naissance VARCHAR(70),
                              nationalite VARCHAR(40), langue VARCHAR(2), type_document VARCHAR(30),
                              numero_document VARCHAR(30), rue VARCHAR(100), numero VARCHAR(10),
                              code_postal VARCHAR(10), ville VARCHAR(70), pays VARCHAR(40), telephone VARCHAR(30),
                              telephone2 VARCHAR(30), courriel VARCHAR(120), numero_tva VARCHAR(20),
                              commentaire TEXT, date_creation TIMESTAMP,
                              utilisateur_id INTEGER REFERENCES utilisateurs(id));
        CREATE TABLE reservations (id INTEGER PRIMARY KEY, code_reservation VARCHAR(12),
                                   client_id INTEGER REFERENCES clients(id), chambre_id INTEGER REFERENCES chambres(id),
                                   date_arrivee DATE, date_depart DATE, nb_personnes INTEGER, prix_total NUMERIC(10,2),
                                   acompte NUMERIC(10,2), origine VARCHAR(30), statut VARCHAR(20), commentaire TEXT,
                                   utilisateur_id INTEGER REFERENCES utilisateurs(id));
        CREATE TABLE registre_voyageurs (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES reservations(id),
                                         client_id INTEGER REFERENCES clients(id), nom VARCHAR(70),
                                         prenoms VARCHAR(100), date_naissance DATE, lieu_naissance VARCHAR(70),
                                         nationalite VARCHAR(40), numero_document VARCHAR(30), date_arrivee DATE,
                                         date_depart_prevue DATE);
        CREATE TABLE extras_reservation (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES reservations(id),
                                         libelle VARCHAR(60), prix_unitaire NUMERIC(8,2), quantite INTEGER);
        CREATE TABLE factures (id INTEGER PRIMARY KEY, numero VARCHAR(12), reservation_id INTEGER REFERENCES reservations(id),
                               client_id INTEGER REFERENCES clients(id), date_facture DATE, nom_facture VARCHAR(140),
                               adresse_facture VARCHAR(200), tva_client VARCHAR(20), total_htva NUMERIC(10,2),
                               montant_tva NUMERIC(10,2), total_tvac NUMERIC(10,2));
        CREATE TABLE paiements (id INTEGER PRIMARY KEY, reservation_id INTEGER REFERENCES reservations(id),
                                facture_id INTEGER REFERENCES factures(id), montant NUMERIC(10,2), date_paiement DATE,
                                methode VARCHAR(20), motif VARCHAR(60), utilisateur_id INTEGER REFERENCES utilisateurs(id));
        CREATE TABLE messages_clients (id INTEGER PRIMARY KEY, client_id INTEGER REFERENCES clients(id),
                                       reservation_id INTEGER REFERENCES reservations(id), date_envoi TIMESTAMP,
                                       objet VARCHAR(120), corps TEXT, adresse VARCHAR(120))""", rows)


HERBERG = Labelled(
    "herberg", "HotelDruid as a Walloon hotel (French names) with the Belgian guest register", build_herberg,
    _p({"utilisateurs": "nom_utilisateur mot_de_passe nom_complet",
        "clients": "nom prenom civilite sexe date_naissance lieu_naissance nationalite numero_document rue numero "
                   "code_postal ville pays telephone telephone2 courriel numero_tva commentaire",
        "reservations": "commentaire",
        "registre_voyageurs": "nom prenoms date_naissance lieu_naissance nationalite numero_document",
        "factures": "nom_facture adresse_facture tva_client", "messages_clients": "corps adresse"}),
    {"chambres": None, "utilisateurs": "review", "clients": "review", "reservations": "retain",
     "registre_voyageurs": "retain", "extras_reservation": "retain", "factures": "retain", "paiements": "retain",
     "messages_clients": "delete"})


# -- emis: OpenEMIS Core --------------------------------------------------------------------------------

def build_emis(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE"], seed), _Rows()
    for name in ("Male", "Female"):
        rows.add("genders", name=name, code=name[0])
    for name in ("Belgian", "French", "Moroccan", "Congolese", "Romanian"):
        rows.add("nationalities", name=name)
    for name, code in [("Athénée Royal d'Uccle", "AR-UCC"), ("Sint-Jan Berchmanscollege", "SJB"),
                       ("École Fondamentale Les Tilleuls", "EF-TIL")]:
        rows.add("institutions", name=name, code=code, address=fake["fr_BE"].street_address(),
                 postal_code=fake["fr_BE"].postcode(), contact_person=fake["fr_BE"].name(),
                 telephone=fake["fr_BE"].phone_number(), email=f"secretariat@{code.lower()}.example.be",
                 website=f"https://{code.lower()}.example.be")
    for year in (2021, 2022, 2023, 2024):
        rows.add("academic_periods", name=f"{year}-{year + 1}", start_year=year, end_year=year + 1)
    for grade in ("1e secondaire", "2e secondaire", "3e secondaire", "4e secondaire"):
        rows.add("education_grades", name=grade, code=grade[:2])
    for subject in ("Mathématiques", "Français", "Nederlands", "Sciences", "Histoire"):
        rows.add("education_subjects", name=subject, code=subject[:3].upper())

    def person(student: bool, staff: bool, guardian: bool) -> tuple[int, str, str]:
        f = fake[rng.choice(["fr_BE", "fr_BE", "nl_BE"])]
        first, last = f.first_name(), f.last_name()
        age = (11, 19) if student else (25, 65)
        uid = rows.add("security_users", openemis_no=str(rng.randint(10**9, 10**10 - 1)),
                       first_name=first, middle_name=rng.choice([None, None, f.first_name()]),
                       third_name=None, last_name=last, preferred_name=rng.choice([None, None, first[:4]]),
                       email=rng.choice([None, f"{first}.{last}@example.be".lower().replace(" ", "")]),
                       address=f.street_address(), postal_code=f.postcode(), gender_id=rng.randint(1, 2),
                       date_of_birth=fake.date_of_birth(minimum_age=age[0], maximum_age=age[1]),
                       nationality_id=rng.randint(1, 5), identity_number=fake["nl_BE"].ssn(),
                       username=f"{first}.{last}".lower().replace(" ", ""), password=fake.sha256(),
                       photo_name=rng.choice([None, f"{first.lower()}_{last.lower().replace(' ', '_')}.jpg"]),
                       is_student=int(student), is_staff=int(staff), is_guardian=int(guardian),
                       last_login=_when(rng), created=_when(rng))
        for kind in rng.sample(["Mobile", "Email", "Phone"], rng.randint(1, 2)):
            value = f"{first}.{last}@example.be".lower().replace(" ", "") if kind == "Email" else f.phone_number()
            rows.add("user_contacts", security_user_id=uid, contact_type=kind, value=value, preferred=1)
        return uid, first, last

    for i in range(25):
        staff, first, _ = person(False, True, False)
        rows.add("institution_staff", staff_id=staff, institution_id=1 + i % 3,
                 staff_position=rng.choice(["Enseignant", "Directeur", "Educateur", "Leerkracht"]),
                 start_date=_when(rng).date(), fte=rng.choice([0.5, 1.0]))
    for _ in range(230):
        student, first, last = person(True, False, False)
        guardian, g_first, _ = person(False, False, True)
        rows.add("student_guardians", student_id=student, guardian_id=guardian,
                 guardian_relation=rng.choice(["Mother", "Father", "Guardian"]))
        institution = rng.randint(1, 3)
        for period in range(rng.randint(1, 4), 5):
            rows.add("institution_students", student_id=student, institution_id=institution,
                     education_grade_id=rng.randint(1, 4), academic_period_id=period,
                     student_status=rng.choice(["Enrolled", "Promoted", "Transferred"]),
                     start_date=_when(rng).date(), end_date=None)
            for subject in range(1, 6):
                rows.add("assessment_item_results", student_id=student, education_subject_id=subject,
                         academic_period_id=period, institution_id=institution,
                         marks=round(rng.uniform(4, 20), 1), grading=rng.choice(["A", "B", "C", "D"]))
            rows.add("institution_students_report_cards", student_id=student, institution_id=institution,
                     academic_period_id=period, status=rng.choice([3, 4]),
                     principal_comments=rng.choice([None, "Bonne année", f"{first} doit fournir plus d'efforts"]),
                     homeroom_teacher_comments=rng.choice([None, f"{first} participe bien en classe.",
                                                           "Travail régulier.", "Absences fréquentes en mars."]),
                     file_name=f"bulletin_{last.lower().replace(' ', '_')}_{first.lower()}_{2020 + period}.pdf")
        for _ in range(rng.randint(0, 5)):
            rows.add("institution_student_absences", student_id=student, institution_id=institution,
                     date=_when(rng).date(), absence_type=rng.choice(["Excused", "Unexcused", "Late"]),
                     comment=rng.choice([None, "Certificat médical", f"Appel de {g_first}: rendez-vous chez le dentiste",
                                         "Grippe"]))
        if rng.random() < 0.12:
            rows.add("user_special_needs_assessments", security_user_id=student,
                     special_need_type=rng.choice(["Dyslexie", "TDAH", "Dyscalculie", "Autisme"]),
                     date=_when(rng).date(), comment=rng.choice([None, "Temps supplémentaire aux examens",
                                                                  f"Suivi PMS pour {first}"]))
        for _ in range(rng.randint(0, 2)):
            rows.add("student_fees", student_id=student, academic_period_id=rng.randint(1, 4),
                     amount=rng.choice([35.0, 60.0, 120.0, 250.0]), payment_date=_when(rng).date(),
                     comments=rng.choice([None, "Voyage scolaire", "Matériel", f"Payé par {g_first}"]))
    _fill(engine, """
        CREATE TABLE genders (id INTEGER PRIMARY KEY, name VARCHAR(15), code VARCHAR(1));
        CREATE TABLE nationalities (id INTEGER PRIMARY KEY, name VARCHAR(50));
        CREATE TABLE institutions (id INTEGER PRIMARY KEY, name VARCHAR(150), code VARCHAR(50), address TEXT,
                                   postal_code VARCHAR(20), contact_person VARCHAR(100), telephone VARCHAR(30),
                                   email VARCHAR(100), website VARCHAR(100));
        CREATE TABLE academic_periods (id INTEGER PRIMARY KEY, name VARCHAR(50), start_year INTEGER, end_year INTEGER);
        CREATE TABLE education_grades (id INTEGER PRIMARY KEY, name VARCHAR(150), code VARCHAR(50));
        CREATE TABLE education_subjects (id INTEGER PRIMARY KEY, name VARCHAR(150), code VARCHAR(20));
        CREATE TABLE security_users (id INTEGER PRIMARY KEY, openemis_no VARCHAR(50), first_name VARCHAR(100),
                                     middle_name VARCHAR(100), third_name VARCHAR(100), last_name VARCHAR(100),
                                     preferred_name VARCHAR(100), email VARCHAR(100), address TEXT,
                                     postal_code VARCHAR(20), gender_id INTEGER REFERENCES genders(id),
                                     date_of_birth DATE, nationality_id INTEGER REFERENCES nationalities(id),
                                     identity_number VARCHAR(50), username VARCHAR(100), password VARCHAR(100),
                                     photo_name VARCHAR(250), is_student INTEGER, is_staff INTEGER,
                                     is_guardian INTEGER, last_login TIMESTAMP, created TIMESTAMP);
        CREATE TABLE user_contacts (id INTEGER PRIMARY KEY, security_user_id INTEGER REFERENCES security_users(id),
                                    contact_type VARCHAR(20), value VARCHAR(100), preferred INTEGER);
        CREATE TABLE institution_staff (id INTEGER PRIMARY KEY, staff_id INTEGER REFERENCES security_users(id),
                                        institution_id INTEGER REFERENCES institutions(id), staff_position VARCHAR(50),
                                        start_date DATE, fte NUMERIC(5,2));
        CREATE TABLE student_guardians (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES security_users(id),
                                        guardian_id INTEGER REFERENCES security_users(id),
                                        guardian_relation VARCHAR(20));
        CREATE TABLE institution_students (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES security_users(id),
                                           institution_id INTEGER REFERENCES institutions(id),
                                           education_grade_id INTEGER REFERENCES education_grades(id),
                                           academic_period_id INTEGER REFERENCES academic_periods(id),
                                           student_status VARCHAR(20), start_date DATE, end_date DATE);
        CREATE TABLE assessment_item_results (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES security_users(id),
                                              education_subject_id INTEGER REFERENCES education_subjects(id),
                                              academic_period_id INTEGER REFERENCES academic_periods(id),
                                              institution_id INTEGER REFERENCES institutions(id),
                                              marks NUMERIC(6,2), grading VARCHAR(2));
        CREATE TABLE institution_students_report_cards (id INTEGER PRIMARY KEY,
                                                        student_id INTEGER REFERENCES security_users(id),
                                                        institution_id INTEGER REFERENCES institutions(id),
                                                        academic_period_id INTEGER REFERENCES academic_periods(id),
                                                        status INTEGER, principal_comments TEXT,
                                                        homeroom_teacher_comments TEXT, file_name VARCHAR(250));
        CREATE TABLE institution_student_absences (id INTEGER PRIMARY KEY,
                                                   student_id INTEGER REFERENCES security_users(id),
                                                   institution_id INTEGER REFERENCES institutions(id), date DATE,
                                                   absence_type VARCHAR(20), comment TEXT);
        CREATE TABLE user_special_needs_assessments (id INTEGER PRIMARY KEY,
                                                     security_user_id INTEGER REFERENCES security_users(id),
                                                     special_need_type VARCHAR(50), date DATE, comment TEXT);
        CREATE TABLE student_fees (id INTEGER PRIMARY KEY, student_id INTEGER REFERENCES security_users(id),
                                   academic_period_id INTEGER REFERENCES academic_periods(id), amount NUMERIC(10,2),
                                   payment_date DATE, comments TEXT)""", rows)


EMIS = Labelled(
    "emis", "OpenEMIS Core as a Brussels school network uses it (students, guardians, results)", build_emis,
    _p({"institutions": "contact_person",
        "security_users": "openemis_no first_name middle_name last_name preferred_name email address postal_code "
                          "date_of_birth identity_number username password photo_name",
        "user_contacts": "value", "institution_students_report_cards": "principal_comments "
                                                                      "homeroom_teacher_comments file_name",
        "institution_student_absences": "comment", "user_special_needs_assessments": "special_need_type comment",
        "student_fees": "comments"}),
    {"genders": None, "nationalities": None, "institutions": None, "academic_periods": None,
     "education_grades": None, "education_subjects": None, "security_users": "review", "user_contacts": "delete",
     "institution_staff": "review", "student_guardians": "delete", "institution_students": "retain",
     "assessment_item_results": "retain", "institution_students_report_cards": "retain",
     "institution_student_absences": "retain", "user_special_needs_assessments": "retain",
     "student_fees": "retain"})
