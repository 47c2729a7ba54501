"""The `zaken`, `autoverhuur` and `vet` schemas of the third blind batch (bench/heldout5_schemas.py holds the
labelling notes E1-E9 and the other two schemas).

- `zaken`: Open Zaak (open-zaak/open-zaak, src/openzaak/components/zaken/models/zaken.py and betrokkenen.py, and
  the catalogi component), the Dutch municipalities' case registration system (the ZGW APIs), as a municipality
  uses it for resident permits, with its Dutch names: case types and role types, cases (`zaken_zaak`), roles with
  the contact person's details, the natural person of a role (BSN, A-number, voornamen, geslachtsnaam,
  geboortedatum) and their residential address, the staff member of a role, statuses, customer contacts, document
  links, case properties and results.
- `autoverhuur`: a Flemish car-rental company with Dutch names, after the car-rental data model of
  kartoschka/wf-sebastien-pflanzl-codereview05-dbdesign (draft.md: customer and driver, branches, clerks,
  reservation, check-out and return, additional payments), with the Belgian national register number and driving
  licence a renter shows: branches, staff, vehicle categories, the fleet, customers, driving licences,
  reservations, rental contracts, damage reports, traffic fines, invoices, payments.
- `vet`: OpenVPMS (Narimm/OpenVPMS; its archetypes party.customerperson, party.patientpet,
  act.customerAppointment, act.patientClinicalEvent, act.patientClinicalNote, act.patientMedication,
  act.customerAccountChargesInvoice, act.customerAccountPayment, act.patientReminder), the open-source veterinary
  practice system, written as relational tables of the same archetypes for a Flemish practice with English
  names: practice locations, clinicians, species, breeds, customers (owners), patients (animals), appointments,
  visits, clinical notes, medications, invoices and their items, payments, reminders.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import sqlalchemy as sa
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- zaken: Open Zaak --------------------------------------------------------------------------------


def build_zaken(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_NL"], seed), _Rows()
    nl = fake["nl_NL"]
    types = [("Parkeervergunning", 56), ("Melding openbare ruimte", 14), ("Evenementenvergunning", 56),
             ("Omgevingsvergunning", 112), ("Bijzondere bijstand", 56)]
    for i, (name, days) in enumerate(types, 1):
        rows.add("catalogi_zaaktype", identificatie=f"ZT-{i:03d}", zaaktype_omschrijving=name,
                 doorlooptijd_behandeling=days, vertrouwelijkheidaanduiding=rng.choice(["openbaar", "vertrouwelijk"]))
        for role, generic in [("Aanvrager", "initiator"), ("Behandelaar", "behandelaar")]:
            rows.add("catalogi_roltype", zaaktype_id=i, omschrijving=role, omschrijving_generiek=generic)
    for n in range(1, 241):
        zt = rng.randint(1, 5)
        start = _when(rng).date()
        toelichting = rng.choice(["", "", "Aanvraag via het digitale loket",
                                  f"Bewoner vraagt vergunning voor {nl.license_plate()}",
                                  f"Telefonisch contact met {nl.first_name()} over de aanvraag"])
        rows.add("zaken_zaak", uuid=str(uuid.UUID(int=rng.getrandbits(128))), identificatie=f"ZAAK-2023-{n:07d}",
                 bronorganisatie="002220647", omschrijving=types[zt - 1][0], toelichting=toelichting,
                 zaaktype_id=zt, registratiedatum=start, startdatum=start,
                 einddatum=rng.choice([None, start + timedelta(days=rng.randint(5, 80))]),
                 einddatum_gepland=start + timedelta(days=types[zt - 1][1]),
                 archiefnominatie=rng.choice(["vernietigen", "vernietigen", "blijvend_bewaren"]),
                 archiefactiedatum=start + timedelta(days=365 * rng.choice([1, 5, 10])))
        first = nl.first_name()
        last = nl.last_name()
        prefix = rng.choice(["", "", "", "van", "de", "van der"])
        email = f"{first}.{prefix}{last}{rng.randint(1, 99)}@example.nl".lower().replace(" ", "")
        rol = rows.add("zaken_rol", uuid=str(uuid.UUID(int=rng.getrandbits(128))), zaak_id=n,
                       roltype_id=2 * zt - 1, betrokkene_type="natuurlijk_persoon", roltoelichting="Aanvrager",
                       registratiedatum=_when(rng), indicatie_machtiging=rng.choice(["", "", "gemachtigde"]),
                       contactpersoon_rol_emailadres=rng.choice([email, email, ""]),
                       contactpersoon_rol_telefoonnummer=rng.choice([nl.phone_number(), ""]),
                       contactpersoon_rol_naam=f"{first} {prefix} {last}".replace("  ", " "),
                       contactpersoon_rol_functie="")
        p = rows.add("zaken_natuurlijkpersoon", rol_id=rol, inp_bsn=nl.ssn(),
                     anp_identificatie=rng.choice(["", "", "", f"{rng.randint(10**16, 10**17 - 1)}"]),
                     inp_a_nummer=str(rng.randint(10**9, 10**10 - 1)), geslachtsnaam=last,
                     voorvoegsel_geslachtsnaam=prefix,
                     voorletters="".join(f"{w[0]}." for w in first.split()), voornamen=first,
                     geslachtsaanduiding=rng.choice(["m", "v", "o"]),
                     geboortedatum=fake.date_of_birth(minimum_age=18, maximum_age=90).strftime("%Y%m%d"))
        rows.add("zaken_adres", natuurlijkpersoon_id=p, wpl_woonplaats_naam=nl.city(),
                 gor_openbare_ruimte_naam=nl.street_name(), huisnummer=rng.randint(1, 250),
                 huisletter=rng.choice(["", "", "", "A", "B"]), huisnummertoevoeging=rng.choice(["", "", "2", "bis"]),
                 postcode=nl.postcode().replace(" ", ""))
        if rng.random() < 0.7:
            staff = rng.randint(1, 15)
            behandelaar = rows.add("zaken_rol", uuid=str(uuid.UUID(int=rng.getrandbits(128))), zaak_id=n,
                                   roltype_id=2 * zt, betrokkene_type="medewerker", roltoelichting="Behandelaar",
                                   registratiedatum=_when(rng), indicatie_machtiging="",
                                   contactpersoon_rol_emailadres="", contactpersoon_rol_telefoonnummer="",
                                   contactpersoon_rol_naam="", contactpersoon_rol_functie="")
            rng_staff = random.Random(staff)
            rows.add("zaken_medewerker", rol_id=behandelaar, identificatie=f"mw-{staff:04d}",
                     achternaam=["Jansen", "de Vries", "Bakker", "Visser", "Smit", "Meijer", "Mulder", "Bos",
                                 "Vos", "Peters", "Hendriks", "Dekker", "Brouwer", "Dijkstra", "Kok"][staff - 1],
                     voorletters=rng_staff.choice(["J.", "A.M.", "P.", "K.L.", "S."]),
                     voorvoegsel_achternaam="")
        for i, status in enumerate(["Ontvangen", "In behandeling", "Afgehandeld"][:rng.randint(1, 3)]):
            rows.add("zaken_status", zaak_id=n, statustype=status, datum_status_gezet=_when(rng),
                     statustoelichting=rng.choice(["", "", "Aanvullende stukken opgevraagd",
                                                   f"Besproken met {first} {last}"]) if i else "")
        for _ in range(rng.randint(0, 2)):
            rows.add("zaken_klantcontact", zaak_id=n, identificatie=f"KC-{rng.randint(10**5, 10**6 - 1)}",
                     datumtijd=_when(rng), kanaal=rng.choice(["telefoon", "e-mail", "balie"]),
                     onderwerp=rng.choice(["Vraag over status", "Aanvullende informatie", "Bezwaar"]),
                     toelichting=rng.choice([f"Mevrouw {last} belt terug op {nl.phone_number()}",
                                             "Burger vraagt naar de termijn", f"Mail van {email} beantwoord"]))
        for title in rng.sample(["Aanvraagformulier", "Kopie identiteitsbewijs", "Besluit", "Situatietekening"],
                                rng.randint(1, 3)):
            rows.add("zaken_zaakinformatieobject", zaak_id=n, titel=title, beschrijving="",
                     informatieobject="https://documenten.gemeente.example.nl/api/v1/enkelvoudiginformatieobjecten/"
                                      f"{uuid.UUID(int=rng.getrandbits(128))}", registratiedatum=_when(rng))
        if zt == 1:
            rows.add("zaken_zaakeigenschap", zaak_id=n, eigenschap="kenteken", waarde=nl.license_plate())
        rows.add("zaken_zaakeigenschap", zaak_id=n, eigenschap="aantal", waarde=str(rng.randint(1, 3)))
        if rng.random() < 0.6:
            rows.add("zaken_resultaat", zaak_id=n, resultaattype=rng.choice(["Verleend", "Geweigerd", "Ingetrokken"]),
                     toelichting=rng.choice(["", "Besluit verzonden", "Buiten behandeling gesteld"]))
    _fill(engine, """
        CREATE TABLE catalogi_zaaktype (id INTEGER PRIMARY KEY, identificatie VARCHAR(50),
                                        zaaktype_omschrijving VARCHAR(80), doorlooptijd_behandeling INTEGER,
                                        vertrouwelijkheidaanduiding VARCHAR(20));
        CREATE TABLE catalogi_roltype (id INTEGER PRIMARY KEY, zaaktype_id INTEGER REFERENCES catalogi_zaaktype(id),
                                       omschrijving VARCHAR(100), omschrijving_generiek VARCHAR(80));
        CREATE TABLE zaken_zaak (id INTEGER PRIMARY KEY, uuid CHAR(36), identificatie VARCHAR(40),
                                 bronorganisatie VARCHAR(9), omschrijving VARCHAR(80), toelichting TEXT,
                                 zaaktype_id INTEGER REFERENCES catalogi_zaaktype(id), registratiedatum DATE,
                                 startdatum DATE, einddatum DATE, einddatum_gepland DATE,
                                 archiefnominatie VARCHAR(40), archiefactiedatum DATE);
        CREATE TABLE zaken_rol (id INTEGER PRIMARY KEY, uuid CHAR(36), zaak_id INTEGER REFERENCES zaken_zaak(id),
                                roltype_id INTEGER REFERENCES catalogi_roltype(id), betrokkene_type VARCHAR(100),
                                roltoelichting TEXT, registratiedatum TIMESTAMP, indicatie_machtiging VARCHAR(40),
                                contactpersoon_rol_emailadres VARCHAR(254),
                                contactpersoon_rol_telefoonnummer VARCHAR(20), contactpersoon_rol_naam VARCHAR(200),
                                contactpersoon_rol_functie VARCHAR(50));
        CREATE TABLE zaken_natuurlijkpersoon (id INTEGER PRIMARY KEY, rol_id INTEGER UNIQUE REFERENCES zaken_rol(id),
                                              inp_bsn VARCHAR(9), anp_identificatie VARCHAR(17),
                                              inp_a_nummer VARCHAR(10), geslachtsnaam VARCHAR(200),
                                              voorvoegsel_geslachtsnaam VARCHAR(80), voorletters VARCHAR(20),
                                              voornamen VARCHAR(200), geslachtsaanduiding VARCHAR(1),
                                              geboortedatum VARCHAR(18));
        CREATE TABLE zaken_adres (id INTEGER PRIMARY KEY,
                                  natuurlijkpersoon_id INTEGER UNIQUE REFERENCES zaken_natuurlijkpersoon(id),
                                  wpl_woonplaats_naam VARCHAR(80), gor_openbare_ruimte_naam VARCHAR(80),
                                  huisnummer INTEGER, huisletter VARCHAR(1), huisnummertoevoeging VARCHAR(4),
                                  postcode VARCHAR(7));
        CREATE TABLE zaken_medewerker (id INTEGER PRIMARY KEY, rol_id INTEGER UNIQUE REFERENCES zaken_rol(id),
                                       identificatie VARCHAR(24), achternaam VARCHAR(200), voorletters VARCHAR(20),
                                       voorvoegsel_achternaam VARCHAR(10));
        CREATE TABLE zaken_status (id INTEGER PRIMARY KEY, zaak_id INTEGER REFERENCES zaken_zaak(id),
                                   statustype VARCHAR(80), datum_status_gezet TIMESTAMP, statustoelichting TEXT);
        CREATE TABLE zaken_klantcontact (id INTEGER PRIMARY KEY, zaak_id INTEGER REFERENCES zaken_zaak(id),
                                         identificatie VARCHAR(14), datumtijd TIMESTAMP, kanaal VARCHAR(20),
                                         onderwerp VARCHAR(200), toelichting TEXT);
        CREATE TABLE zaken_zaakinformatieobject (id INTEGER PRIMARY KEY, zaak_id INTEGER REFERENCES zaken_zaak(id),
                                                 informatieobject VARCHAR(1000), titel VARCHAR(200),
                                                 beschrijving TEXT, registratiedatum TIMESTAMP);
        CREATE TABLE zaken_zaakeigenschap (id INTEGER PRIMARY KEY, zaak_id INTEGER REFERENCES zaken_zaak(id),
                                           eigenschap VARCHAR(40), waarde TEXT);
        CREATE TABLE zaken_resultaat (id INTEGER PRIMARY KEY, zaak_id INTEGER UNIQUE REFERENCES zaken_zaak(id),
                                      resultaattype VARCHAR(80), toelichting TEXT)""", rows)


ZAKEN = Labelled(
    "zaken", "Open Zaak as a Dutch municipality registers residents' cases (Dutch names, BSN)", build_zaken,
    _p({"zaken_zaak": "toelichting",
        "zaken_rol": "contactpersoon_rol_emailadres contactpersoon_rol_telefoonnummer contactpersoon_rol_naam",
        "zaken_natuurlijkpersoon": "inp_bsn anp_identificatie inp_a_nummer geslachtsnaam voorvoegsel_geslachtsnaam "
                                   "voorletters voornamen geslachtsaanduiding geboortedatum",
        "zaken_adres": "wpl_woonplaats_naam gor_openbare_ruimte_naam huisnummer huisletter huisnummertoevoeging "
                       "postcode",
        "zaken_medewerker": "identificatie achternaam voorletters",
        "zaken_status": "statustoelichting", "zaken_klantcontact": "toelichting",
        "zaken_zaakeigenschap": "waarde"}),
    {"catalogi_zaaktype": None, "catalogi_roltype": None, "zaken_zaak": "retain", "zaken_rol": "retain",
     "zaken_natuurlijkpersoon": "review", "zaken_adres": "review", "zaken_medewerker": "review",
     "zaken_status": "retain", "zaken_klantcontact": "retain", "zaken_zaakinformatieobject": "retain",
     "zaken_zaakeigenschap": "retain", "zaken_resultaat": "retain"})


# -- autoverhuur: a Flemish car-rental company ---------------------------------------------------------

def build_autoverhuur(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE", "nl_NL"], seed), _Rows()
    nl = fake["nl_BE"]
    for city, pc in [("Gent", "9000"), ("Antwerpen", "2000"), ("Leuven", "3000"), ("Brugge", "8000")]:
        rows.add("filialen", naam=f"AutoVerhuur {city}", straat=nl.street_name(), huisnummer=str(rng.randint(1, 120)),
                 postcode=pc, gemeente=city, telefoon=nl.phone_number(),
                 email=f"{city.lower()}@autoverhuur.example.be", openingsuren="ma-za 8u-18u")
    for i in range(16):
        first, last = nl.first_name(), nl.last_name()
        rows.add("medewerkers", filiaal_id=1 + i % 4, voornaam=first, achternaam=last,
                 email=f"{first}.{last}@autoverhuur.example.be".lower().replace(" ", ""), gsm=nl.phone_number(),
                 rijksregisternummer=nl.ssn(), in_dienst_sinds=fake.date_between("-12y", "-1m"))
    for code, name, price in [("A", "Mini", 39.0), ("B", "Compact", 49.0), ("C", "Middenklasse", 65.0),
                              ("D", "Bestelwagen", 89.0), ("E", "Elektrisch", 75.0)]:
        rows.add("voertuigcategorieen", code=code, omschrijving=name, dagprijs=price)
    for _ in range(45):
        rows.add("voertuigen", categorie_id=rng.randint(1, 5), filiaal_id=rng.randint(1, 4),
                 nummerplaat=f"{rng.randint(1, 2)}-{fake.lexify('???').upper()}-{rng.randint(100, 999)}",
                 chassisnummer=fake.bothify("WVWZZZ#?Z#W######").upper(),
                 merk=rng.choice(["Volkswagen", "Renault", "Toyota", "Peugeot", "Tesla"]),
                 model=rng.choice(["Polo", "Clio", "Yaris", "208", "Model 3", "Transporter"]),
                 bouwjaar=rng.randint(2018, 2024), kilometerstand=rng.randint(1000, 160000))
    contracts = 0
    for k in range(1, 261):
        f = fake[rng.choice(["nl_BE", "nl_BE", "fr_BE", "nl_NL"])]
        first, last = f.first_name(), f.last_name()
        belg = rng.random() < 0.85
        rows.add("klanten", voornaam=first, achternaam=last,
                 geboortedatum=fake.date_of_birth(minimum_age=19, maximum_age=80),
                 rijksregisternummer=nl.ssn() if belg else None, straat=f.street_name(),
                 huisnummer=str(rng.randint(1, 200)), bus=rng.choice([None, None, None, "2", "b"]),
                 postcode=f.postcode(), gemeente=f.city(), land="België" if belg else rng.choice(["Nederland", "Frankrijk"]),
                 email=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""), gsm=f.phone_number(),
                 taal=rng.choice(["nl", "fr", "en"]), aangemaakt_op=_when(rng))
        issued = fake.date_between("-20y", "-1y")
        rows.add("rijbewijzen", klant_id=k, rijbewijsnummer=str(rng.randint(10**9, 10**10 - 1)),
                 categorieen=rng.choice(["B", "B", "AM,B", "B,BE", "A,B,C"]), afgiftedatum=issued,
                 vervaldatum=issued + timedelta(days=365 * 10), land_afgifte="BE" if belg else "NL")
        for _ in range(rng.randint(0, 2)):
            start = _when(rng)
            rows.add("reservaties", klant_id=k, categorie_id=rng.randint(1, 5), ophaal_filiaal_id=rng.randint(1, 4),
                     inlever_filiaal_id=rng.randint(1, 4), ophalen_op=start, inleveren_op=start + timedelta(days=3),
                     status=rng.choice(["bevestigd", "geannuleerd", "omgezet"]),
                     opmerking=rng.choice([None, None, "Kinderzitje gevraagd", f"{first} komt met de trein aan"]),
                     aangemaakt_op=start - timedelta(days=rng.randint(1, 40)))
        for _ in range(rng.randint(0, 3)):
            contracts += 1
            out = _when(rng)
            km = rng.randint(1000, 150000)
            total = round(rng.uniform(90, 900), 2)
            rows.add("huurcontracten", klant_id=k, voertuig_id=rng.randint(1, 45), medewerker_id=rng.randint(1, 16),
                     filiaal_id=rng.randint(1, 4), contractnummer=f"HC-{2020 + contracts % 5}-{contracts:05d}",
                     vertrek_op=out, terug_op=out + timedelta(days=rng.randint(1, 14)), km_vertrek=km,
                     km_terug=km + rng.randint(50, 2500), borg_bedrag=rng.choice([250.0, 500.0]),
                     totaal_bedrag=total, tweede_bestuurder=rng.choice([None, None, None, f"{f.first_name()} {last}"]),
                     handtekening_pad=f"handtekeningen/{uuid.UUID(int=rng.getrandbits(128))}.png")
            if rng.random() < 0.15:
                rows.add("schademeldingen", contract_id=contracts, gemeld_op=out + timedelta(days=2),
                         omschrijving=rng.choice(["Kras op rechterportier", "Steenslag voorruit",
                                                  f"Klant {last} meldt deuk achterbumper"]),
                         foto_pad=f"schade/{uuid.UUID(int=rng.getrandbits(128))}.jpg",
                         kost=round(rng.uniform(80, 1500), 2))
            if rng.random() < 0.1:
                rows.add("verkeersboetes", contract_id=contracts, pv_nummer=f"GE.{rng.randint(10**6, 10**7 - 1)}",
                         overtreding_op=out + timedelta(hours=rng.randint(2, 48)),
                         plaats=rng.choice(["E40 Aalter", "R4 Gent", "Brusselsesteenweg Melle"]),
                         bedrag=rng.choice([58.0, 116.0, 174.0]), doorgestuurd_naar=f"{first} {last}",
                         doorgestuurd_op=out + timedelta(days=rng.randint(10, 20)))
            business = rng.random() < 0.2
            invoice = rows.add("facturen", contract_id=contracts, klant_id=k, factuurnummer=f"F{2020 + contracts % 5}-{contracts:05d}",
                               factuurdatum=out.date() + timedelta(days=3), naam=f"{first} {last}",
                               adres=f"{f.street_address()}, {f.postcode()} {f.city()}",
                               bedrijf=fake.company() if business else None,
                               btw_nummer=f"BE0{rng.randint(10**8, 10**9 - 1)}" if business else None,
                               bedrag_excl=round(total / 1.21, 2), btw_bedrag=round(total - total / 1.21, 2), totaal=total)
            method = rng.choice(["bancontact", "visa", "overschrijving"])
            rows.add("betalingen", factuur_id=invoice, betaald_op=out + timedelta(days=rng.randint(0, 20)), bedrag=total,
                     methode=method, kaart_laatste4=fake.numerify("####") if method == "visa" else None,
                     iban=fake.iban() if method == "overschrijving" else None)
    _fill(engine, """
        CREATE TABLE filialen (id INTEGER PRIMARY KEY, naam VARCHAR(80), straat VARCHAR(120), huisnummer VARCHAR(10),
                               postcode VARCHAR(10), gemeente VARCHAR(80), telefoon VARCHAR(30), email VARCHAR(120),
                               openingsuren VARCHAR(80));
        CREATE TABLE medewerkers (id INTEGER PRIMARY KEY, filiaal_id INTEGER REFERENCES filialen(id),
                                  voornaam VARCHAR(60), achternaam VARCHAR(80), email VARCHAR(120), gsm VARCHAR(30),
                                  rijksregisternummer VARCHAR(15), in_dienst_sinds DATE);
        CREATE TABLE voertuigcategorieen (id INTEGER PRIMARY KEY, code VARCHAR(2), omschrijving VARCHAR(60),
                                          dagprijs NUMERIC(8,2));
        CREATE TABLE voertuigen (id INTEGER PRIMARY KEY, categorie_id INTEGER REFERENCES voertuigcategorieen(id),
                                 filiaal_id INTEGER REFERENCES filialen(id), nummerplaat VARCHAR(12),
                                 chassisnummer VARCHAR(17), merk VARCHAR(40), model VARCHAR(40), bouwjaar INTEGER,
                                 kilometerstand INTEGER);
        CREATE TABLE klanten (id INTEGER PRIMARY KEY, voornaam VARCHAR(60), achternaam VARCHAR(80), geboortedatum DATE,
                              rijksregisternummer VARCHAR(15), straat VARCHAR(120), huisnummer VARCHAR(10),
                              bus VARCHAR(6), postcode VARCHAR(10), gemeente VARCHAR(80), land VARCHAR(60),
                              email VARCHAR(120), gsm VARCHAR(30), taal VARCHAR(2), aangemaakt_op TIMESTAMP);
        CREATE TABLE rijbewijzen (id INTEGER PRIMARY KEY, klant_id INTEGER REFERENCES klanten(id),
                                  rijbewijsnummer VARCHAR(20), categorieen VARCHAR(20), afgiftedatum DATE,
                                  vervaldatum DATE, land_afgifte VARCHAR(2));
        CREATE TABLE reservaties (id INTEGER PRIMARY KEY, klant_id INTEGER REFERENCES klanten(id),
                                  categorie_id INTEGER REFERENCES voertuigcategorieen(id),
                                  ophaal_filiaal_id INTEGER REFERENCES filialen(id),
                                  inlever_filiaal_id INTEGER REFERENCES filialen(id), ophalen_op TIMESTAMP,
                                  inleveren_op TIMESTAMP, status VARCHAR(20), opmerking TEXT, aangemaakt_op TIMESTAMP);
        CREATE TABLE huurcontracten (id INTEGER PRIMARY KEY, klant_id INTEGER REFERENCES klanten(id),
                                     voertuig_id INTEGER REFERENCES voertuigen(id),
                                     medewerker_id INTEGER REFERENCES medewerkers(id),
                                     filiaal_id INTEGER REFERENCES filialen(id), contractnummer VARCHAR(20),
                                     vertrek_op TIMESTAMP, terug_op TIMESTAMP, km_vertrek INTEGER, km_terug INTEGER,
                                     borg_bedrag NUMERIC(8,2), totaal_bedrag NUMERIC(10,2),
                                     tweede_bestuurder VARCHAR(120), handtekening_pad VARCHAR(255));
        CREATE TABLE schademeldingen (id INTEGER PRIMARY KEY, contract_id INTEGER REFERENCES huurcontracten(id),
                                      gemeld_op TIMESTAMP, omschrijving TEXT, foto_pad VARCHAR(255),
                                      kost NUMERIC(10,2));
        CREATE TABLE verkeersboetes (id INTEGER PRIMARY KEY, contract_id INTEGER REFERENCES huurcontracten(id),
                                     pv_nummer VARCHAR(20), overtreding_op TIMESTAMP, plaats VARCHAR(120),
                                     bedrag NUMERIC(8,2), doorgestuurd_naar VARCHAR(120), doorgestuurd_op DATE);
        CREATE TABLE facturen (id INTEGER PRIMARY KEY, contract_id INTEGER REFERENCES huurcontracten(id),
                               klant_id INTEGER REFERENCES klanten(id), factuurnummer VARCHAR(20), factuurdatum DATE,
                               naam VARCHAR(160), adres VARCHAR(255), bedrijf VARCHAR(160), btw_nummer VARCHAR(20),
                               bedrag_excl NUMERIC(10,2), btw_bedrag NUMERIC(10,2), totaal NUMERIC(10,2));
        CREATE TABLE betalingen (id INTEGER PRIMARY KEY, factuur_id INTEGER REFERENCES facturen(id),
                                 betaald_op TIMESTAMP, bedrag NUMERIC(10,2), methode VARCHAR(20),
                                 kaart_laatste4 VARCHAR(4), iban VARCHAR(34))""", rows)


AUTOVERHUUR = Labelled(
    "autoverhuur", "a Flemish car-rental company (Dutch names, national register numbers)", build_autoverhuur,
    _p({"medewerkers": "voornaam achternaam email gsm rijksregisternummer",
        "klanten": "voornaam achternaam geboortedatum rijksregisternummer straat huisnummer bus postcode gemeente "
                   "land email gsm",
        "rijbewijzen": "rijbewijsnummer afgiftedatum vervaldatum",
        "reservaties": "opmerking",
        "huurcontracten": "tweede_bestuurder handtekening_pad",
        "schademeldingen": "omschrijving",
        "verkeersboetes": "doorgestuurd_naar",
        "facturen": "naam adres",
        "betalingen": "kaart_laatste4 iban"}),
    {"filialen": None, "medewerkers": "review", "voertuigcategorieen": None, "voertuigen": None,
     "klanten": "delete", "rijbewijzen": "delete", "reservaties": "delete", "huurcontracten": "retain",
     "schademeldingen": "retain", "verkeersboetes": "review", "facturen": "retain", "betalingen": "retain"})


# -- vet: OpenVPMS -----------------------------------------------------------------------------------

def build_vet(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "en_GB"], seed), _Rows()
    nl = fake["nl_BE"]
    for name, city in [("Dierenkliniek De Linde", "Lier"), ("Dierenkliniek De Linde Mechelen", "Mechelen")]:
        rows.add("practice_locations", name=name, street=nl.street_address(), city=city, postcode=nl.postcode(),
                 phone=nl.phone_number(), email=f"info.{city.lower()}@delinde.example.be")
    for i in range(7):
        first, last = nl.first_name(), nl.last_name()
        rows.add("clinicians", location_id=1 + i % 2, title="Dr.", first_name=first, last_name=last,
                 email=f"{first}.{last}@delinde.example.be".lower().replace(" ", ""), phone=nl.phone_number(),
                 registration_number=f"N{rng.randint(1000, 9999)}")
    breeds = {"Hond": ["Labrador", "Border collie", "Franse bulldog", "Kruising"],
              "Kat": ["Europese korthaar", "Maine coon", "Pers"], "Konijn": ["Hangoor", "Dwergkonijn"]}
    for s, (species, names) in enumerate(breeds.items(), 1):
        rows.add("species", code=species[:3].upper(), name=species)
        for b in names:
            rows.add("breeds", species_id=s, name=b)
    pets = ["Max", "Luna", "Bella", "Charlie", "Milo", "Nala", "Simba", "Rocky", "Coco", "Pluto", "Minou"]
    invoice = 0
    for c in range(1, 231):
        f = fake[rng.choice(["nl_BE", "nl_BE", "en_GB"])]
        first, last = f.first_name(), f.last_name()
        rows.add("customers", title=rng.choice(["Mr", "Mrs", "Ms", None]), first_name=first, last_name=last,
                 initials=first[0], company_name=rng.choice([None] * 9 + [f.company()]), street=f.street_address(),
                 suburb=f.city(), postcode=f.postcode(), phone_home=rng.choice([None, f.phone_number()]),
                 phone_mobile=f.phone_number(), email=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""),
                 account_type=rng.choice(["standard", "standard", "breeder"]),
                 notes=rng.choice([None, None, "Pays cash only", f"{first} prefers Dr. visits at home"]),
                 created=_when(rng))
        for _ in range(rng.randint(1, 3)):
            s = rng.randint(1, 3)
            breed = sum(len(v) for v in list(breeds.values())[:s - 1]) + rng.randint(1, len(list(breeds.values())[s - 1]))
            p = rows.add("patients", owner_id=c, name=rng.choice(pets), species_id=s, breed_id=breed,
                         sex=rng.choice(["M", "F", "MN", "FS"]),
                         date_of_birth=fake.date_between("-15y", "-2m"), colour=rng.choice(["zwart", "rood", "tabby", "wit"]),
                         microchip=f"981{rng.randint(10**11, 10**12 - 1)}" if s < 3 else None,
                         weight_kg=round(rng.uniform(1.5, 40.0), 1), deceased=rng.choice([0, 0, 0, 1]))
            for _ in range(rng.randint(0, 3)):
                start = _when(rng)
                rows.add("appointments", customer_id=c, patient_id=p, clinician_id=rng.randint(1, 7),
                         location_id=rng.randint(1, 2), starts_at=start, ends_at=start + timedelta(minutes=20),
                         reason=rng.choice(["Vaccination", "Check-up", "Limping", "Dental", "Skin problem"]),
                         notes=rng.choice([None, None, f"Owner asks call back on {f.phone_number()}", "Bring stool sample"]),
                         status=rng.choice(["completed", "completed", "no-show", "cancelled"]))
            for _ in range(rng.randint(0, 3)):
                start = _when(rng)
                v = rows.add("visits", patient_id=p, clinician_id=rng.randint(1, 7), started_at=start,
                             reason=rng.choice(["Vaccination", "Check-up", "Limping", "Dental", "Skin problem"]),
                             status="COMPLETED")
                rows.add("visit_notes", visit_id=v, clinician_id=rng.randint(1, 7), created=start,
                         note=rng.choice(["Heart and lungs normal. Weight stable.", "Mild otitis externa left ear.",
                                          f"Owner ({last}) reports reduced appetite since Monday.",
                                          "Vaccinated DHPPi + L4, next booster in 12 months."]))
                if rng.random() < 0.6:
                    rows.add("medications", visit_id=v, patient_id=p,
                             product_name=rng.choice(["Metacam 1.5 mg/ml", "Synulox 250 mg", "Nobivac L4",
                                                      "Frontline Combo", "Apoquel 16 mg"]),
                             quantity=rng.randint(1, 30), dosage_instructions="1 tablet twice daily with food",
                             batch_number=fake.bothify("??####").upper())
                invoice += 1
                items = rng.randint(1, 3)
                prices = [round(rng.uniform(15, 120), 2) for _ in range(items)]
                rows.add("invoices", customer_id=c, invoice_no=f"INV{invoice:06d}", issued_at=start.date(),
                         total=sum(prices), tax_amount=round(sum(prices) * 0.21 / 1.21, 2),
                         status=rng.choice(["POSTED", "POSTED", "IN_PROGRESS"]))
                for price in prices:
                    rows.add("invoice_items", invoice_id=invoice, patient_id=p,
                             product_name=rng.choice(["Consultation", "Vaccination", "Metacam 1.5 mg/ml", "Nail clip"]),
                             quantity=1, unit_price=price, total=price)
                if rng.random() < 0.9:
                    rows.add("payments", customer_id=c, invoice_id=invoice, paid_at=start, amount=sum(prices),
                             method=rng.choice(["bancontact", "cash", "transfer"]),
                             reference=fake.bothify("PAY-########"))
            if rng.random() < 0.6:
                rows.add("reminders", patient_id=p, reminder_type=rng.choice(["Vaccination booster", "Deworming"]),
                         due_date=_when(rng).date(), sent_at=_when(rng),
                         sent_to=rows["customers"][c - 1]["email"] if rng.random() < 0.7 else f.phone_number(),
                         status=rng.choice(["SENT", "PENDING", "ERROR"]))
    _fill(engine, """
        CREATE TABLE practice_locations (id INTEGER PRIMARY KEY, name VARCHAR(120), street VARCHAR(200),
                                         city VARCHAR(80), postcode VARCHAR(10), phone VARCHAR(30), email VARCHAR(120));
        CREATE TABLE clinicians (id INTEGER PRIMARY KEY, location_id INTEGER REFERENCES practice_locations(id),
                                 title VARCHAR(10), first_name VARCHAR(60), last_name VARCHAR(80), email VARCHAR(120),
                                 phone VARCHAR(30), registration_number VARCHAR(20));
        CREATE TABLE species (id INTEGER PRIMARY KEY, code VARCHAR(5), name VARCHAR(60));
        CREATE TABLE breeds (id INTEGER PRIMARY KEY, species_id INTEGER REFERENCES species(id), name VARCHAR(80));
        CREATE TABLE customers (id INTEGER PRIMARY KEY, title VARCHAR(10), first_name VARCHAR(60),
                                last_name VARCHAR(80), initials VARCHAR(10), company_name VARCHAR(160),
                                street VARCHAR(200), suburb VARCHAR(80), postcode VARCHAR(10), phone_home VARCHAR(30),
                                phone_mobile VARCHAR(30), email VARCHAR(120), account_type VARCHAR(20), notes TEXT,
                                created TIMESTAMP);
        CREATE TABLE patients (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES customers(id), name VARCHAR(60),
                               species_id INTEGER REFERENCES species(id), breed_id INTEGER REFERENCES breeds(id),
                               sex VARCHAR(2), date_of_birth DATE, colour VARCHAR(30), microchip VARCHAR(20),
                               weight_kg NUMERIC(5,1), deceased INTEGER);
        CREATE TABLE appointments (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                                   patient_id INTEGER REFERENCES patients(id),
                                   clinician_id INTEGER REFERENCES clinicians(id),
                                   location_id INTEGER REFERENCES practice_locations(id), starts_at TIMESTAMP,
                                   ends_at TIMESTAMP, reason VARCHAR(80), notes TEXT, status VARCHAR(20));
        CREATE TABLE visits (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patients(id),
                             clinician_id INTEGER REFERENCES clinicians(id), started_at TIMESTAMP, reason VARCHAR(80),
                             status VARCHAR(20));
        CREATE TABLE visit_notes (id INTEGER PRIMARY KEY, visit_id INTEGER REFERENCES visits(id),
                                  clinician_id INTEGER REFERENCES clinicians(id), created TIMESTAMP, note TEXT);
        CREATE TABLE medications (id INTEGER PRIMARY KEY, visit_id INTEGER REFERENCES visits(id),
                                  patient_id INTEGER REFERENCES patients(id), product_name VARCHAR(120),
                                  quantity INTEGER, dosage_instructions TEXT, batch_number VARCHAR(20));
        CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                               invoice_no VARCHAR(20), issued_at DATE, total NUMERIC(10,2), tax_amount NUMERIC(10,2),
                               status VARCHAR(20));
        CREATE TABLE invoice_items (id INTEGER PRIMARY KEY, invoice_id INTEGER REFERENCES invoices(id),
                                    patient_id INTEGER REFERENCES patients(id), product_name VARCHAR(120),
                                    quantity INTEGER, unit_price NUMERIC(10,2), total NUMERIC(10,2));
        CREATE TABLE payments (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES customers(id),
                               invoice_id INTEGER REFERENCES invoices(id), paid_at TIMESTAMP, amount NUMERIC(10,2),
                               method VARCHAR(20), reference VARCHAR(40));
        CREATE TABLE reminders (id INTEGER PRIMARY KEY, patient_id INTEGER REFERENCES patients(id),
                                reminder_type VARCHAR(60), due_date DATE, sent_at TIMESTAMP, sent_to VARCHAR(120),
                                status VARCHAR(20))""", rows)


VET = Labelled(
    "vet", "OpenVPMS as a Flemish veterinary practice uses it (owners, animals, clinical records)", build_vet,
    _p({"clinicians": "title first_name last_name email phone registration_number",
        "customers": "title first_name last_name initials street suburb postcode phone_home phone_mobile email notes",
        "patients": "microchip",
        "appointments": "notes",
        "visit_notes": "note",
        "reminders": "sent_to"}),
    {"practice_locations": None, "clinicians": "review", "species": None, "breeds": None, "customers": "review",
     "patients": "review", "appointments": "delete", "visits": "retain", "visit_notes": "retain",
     "medications": "retain", "invoices": "retain", "invoice_items": "retain", "payments": "retain",
     "reminders": "delete"})
