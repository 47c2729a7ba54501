"""The `club`, `donors` and `energie` schemas of the blind held-out batch (bench/heldout3_schemas.py holds the
labelling notes B1-B8 and the other two schemas).

- `club`: wger (wger-project/wger), the open-source fitness and gym manager: its gym app (gym, contract types,
  contracts, admin notes on members, member documents, per-gym user config), core user and user profile, weight
  entries, exercises and the workout log; written as a Walloon sports club's application with French names.
- `donors`: CiviCRM (civicrm/civicrm-core, xml/schema), the open-source CRM of non-profits: contacts (people,
  households and organisations in one table), emails, phones, addresses, countries, financial types,
  campaigns, contributions, memberships, activities and their contacts, notes (on any entity, without a foreign
  key), groups; plus the SEPA direct-debit mandates of CiviSEPA (Project60/org.project60.sepa).
- `energie`: the open-source ERP of Som Energia, the Catalan energy cooperative (som-energia/openerp_som_addons on
  GISCE-ERP): customers, supply points (CUPS, here a Belgian EAN), supply contracts with payer and direct-debit
  account, meter readings, invoices, payments, customer contacts (ATC cases), portal sessions; written as a
  Flemish energy supplier's database with Dutch names.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

import sqlalchemy as sa
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- club: wger's gym app, in French ----------------------------------------------------------


def build_club(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "fr_FR"], seed), _Rows()
    fb = fake["fr_BE"]
    for nom, localite in [("Club Athlétique de Namur", "Namur"), ("Liège Fitness Centre", "Liège")]:
        rows.add("salles", nom=nom, courriel=f"info@{localite.lower().replace('è', 'e')}-club.example.be",
                 telephone=fb.phone_number(), proprietaire=fb.name(), rue=fb.street_address(), code_postal=fb.postcode(),
                 localite=localite)
    for salle in (1, 2):
        for nom, desc in [("Mensuel", "Accès illimité, résiliable chaque mois"), ("Annuel", "Douze mois, payé d'avance"),
                          ("Étudiant", "Tarif réduit sur présentation de la carte d'étudiant")]:
            rows.add("types_contrat", salle_id=salle, nom=nom, description=desc)
    for nom, categorie in [("Squat", "Jambes"), ("Développé couché", "Pectoraux"), ("Soulevé de terre", "Dos"),
                           ("Traction", "Dos"), ("Rameur", "Cardio"), ("Fente avant", "Jambes")]:
        rows.add("exercices", nom=nom, categorie=categorie, description=f"{nom}: voir la fiche technique en salle.")
    for i in range(280):
        f = fake[rng.choice(["fr_BE", "fr_FR"])]
        first, last = f.first_name(), f.last_name()
        staff = i < 10
        born = fake.date_of_birth(minimum_age=16, maximum_age=75)
        u = rows.add("utilisateurs", nom_utilisateur=f"{first}.{last}{rng.randint(1, 99)}".lower().replace(" ", ""),
                     mot_de_passe=fake.sha256(), prenom=first, nom=last,
                     courriel=f"{first}.{last}@example.be".lower().replace(" ", ""), derniere_connexion=_when(rng),
                     date_inscription=_when(rng), est_staff=staff)
        salle = rng.randint(1, 2)
        rows.add("profils", utilisateur_id=u, salle_id=salle, age=(date(2024, 6, 1) - born).days // 365,
                 taille_cm=rng.randint(150, 200), sexe=rng.choice(["1", "2"]), date_naissance=born,
                 unite_poids="kg", langue_notification=rng.choice(["fr", "nl", "en"]), afficher_commentaires=True)
        rows.add("config_utilisateur_salle", salle_id=salle, utilisateur_id=u, inclure_inactif=rng.random() < 0.1)
        if staff:
            continue
        rows.add("contrats", membre_id=u, cree_par_id=rng.randint(1, 10), type_contrat_id=rng.randint(1, 6),
                 montant=rng.choice([29.0, 39.0, 349.0, 19.0]), paiement=rng.choice(["mensuel", "annuel"]),
                 actif=rng.random() < 0.8, date_debut=_when(rng).date(), date_fin=None,
                 courriel=f"{first}.{last}@example.be".lower().replace(" ", ""), code_postal=f.postcode(),
                 localite=f.city(), rue=f.street_address(), telephone=f.phone_number(),
                 profession=rng.choice([None, "Infirmière", "Étudiant", "Ingénieur", "Enseignante"]),
                 note=rng.choice([None, "Paiement par domiciliation", f"Réduction accordée à {first} (famille)"]))
        if rng.random() < 0.25:
            rows.add("notes_admin", auteur_id=rng.randint(1, 10), membre_id=u, cree_le=_when(rng),
                     note=rng.choice(["Blessure au genou, éviter les squats lourds.", f"{first} souhaite un coach.",
                                      "Retard de paiement en mars, réglé.", "Grossesse: programme adapté."]))
        if rng.random() < 0.2:
            rows.add("documents_membre", auteur_id=rng.randint(1, 10), membre_id=u,
                     nom=rng.choice(["Certificat médical", "Carte d'étudiant"]),
                     nom_original=f"certificat_{last.lower().replace(' ', '_')}.pdf",
                     fichier=f"gym/documents/{u}/{fake.uuid4()}.pdf",
                     note=rng.choice([None, "Valable un an", f"Fourni par {first} à l'inscription"]))
        for _ in range(rng.randint(0, 8)):
            rows.add("pesees", utilisateur_id=u, date=_when(rng).date(), poids=round(rng.uniform(50, 110), 1))
        for _ in range(rng.randint(0, 10)):
            rows.add("journal_entrainement", utilisateur_id=u, exercice_id=rng.randint(1, 6),
                     repetitions=rng.randint(5, 12), poids_kg=rng.choice([20, 40, 60, 80, 100]),
                     date=_when(rng).date(), rir=rng.randint(0, 3))
    _fill(engine, """
        CREATE TABLE salles (id INTEGER PRIMARY KEY, nom VARCHAR(60), courriel VARCHAR(120), telephone VARCHAR(30),
                             proprietaire VARCHAR(100), rue VARCHAR(120), code_postal VARCHAR(10),
                             localite VARCHAR(60));
        CREATE TABLE types_contrat (id INTEGER PRIMARY KEY, salle_id INTEGER REFERENCES salles(id), nom VARCHAR(60),
                                    description TEXT);
        CREATE TABLE exercices (id INTEGER PRIMARY KEY, nom VARCHAR(100), categorie VARCHAR(40), description TEXT);
        CREATE TABLE utilisateurs (id INTEGER PRIMARY KEY, nom_utilisateur VARCHAR(150), mot_de_passe VARCHAR(128),
                                   prenom VARCHAR(150), nom VARCHAR(150), courriel VARCHAR(254),
                                   derniere_connexion TIMESTAMP, date_inscription TIMESTAMP, est_staff BOOLEAN);
        CREATE TABLE profils (id INTEGER PRIMARY KEY, utilisateur_id INTEGER UNIQUE REFERENCES utilisateurs(id),
                              salle_id INTEGER REFERENCES salles(id), age INTEGER, taille_cm INTEGER, sexe VARCHAR(1),
                              date_naissance DATE, unite_poids VARCHAR(2), langue_notification VARCHAR(2),
                              afficher_commentaires BOOLEAN);
        CREATE TABLE config_utilisateur_salle (id INTEGER PRIMARY KEY, salle_id INTEGER REFERENCES salles(id),
                                               utilisateur_id INTEGER REFERENCES utilisateurs(id),
                                               inclure_inactif BOOLEAN);
        CREATE TABLE contrats (id INTEGER PRIMARY KEY, membre_id INTEGER REFERENCES utilisateurs(id),
                               cree_par_id INTEGER REFERENCES utilisateurs(id),
                               type_contrat_id INTEGER REFERENCES types_contrat(id), montant NUMERIC(12,2),
                               paiement VARCHAR(10), actif BOOLEAN, date_debut DATE, date_fin DATE,
                               courriel VARCHAR(120), code_postal VARCHAR(10), localite VARCHAR(60), rue VARCHAR(120),
                               telephone VARCHAR(30), profession VARCHAR(60), note TEXT);
        CREATE TABLE notes_admin (id INTEGER PRIMARY KEY, auteur_id INTEGER REFERENCES utilisateurs(id),
                                  membre_id INTEGER REFERENCES utilisateurs(id), cree_le TIMESTAMP, note TEXT);
        CREATE TABLE documents_membre (id INTEGER PRIMARY KEY, auteur_id INTEGER REFERENCES utilisateurs(id),
                                       membre_id INTEGER REFERENCES utilisateurs(id), nom VARCHAR(60),
                                       nom_original VARCHAR(128), fichier VARCHAR(200), note TEXT);
        CREATE TABLE pesees (id INTEGER PRIMARY KEY, utilisateur_id INTEGER REFERENCES utilisateurs(id), date DATE,
                             poids NUMERIC(5,1));
        CREATE TABLE journal_entrainement (id INTEGER PRIMARY KEY, utilisateur_id INTEGER REFERENCES utilisateurs(id),
                                           exercice_id INTEGER REFERENCES exercices(id), repetitions INTEGER,
                                           poids_kg NUMERIC(6,2), date DATE, rir INTEGER)""", rows)


CLUB = Labelled(
    "club", "wger's gym app as a Walloon sports club (French names)", build_club,
    _p({"salles": "proprietaire",
        "utilisateurs": "nom_utilisateur mot_de_passe prenom nom courriel",
        "profils": "age taille_cm sexe date_naissance",
        "contrats": "courriel code_postal localite rue telephone profession note",
        "notes_admin": "note", "documents_membre": "nom_original fichier note", "pesees": "poids"}),
    {"salles": None, "types_contrat": None, "exercices": None, "utilisateurs": "delete", "profils": "delete",
     "config_utilisateur_salle": "delete", "contrats": "retain", "notes_admin": "delete",
     "documents_membre": "delete", "pesees": "delete", "journal_entrainement": "delete"})


# -- donors: CiviCRM with CiviSEPA ----------------------------------------------------------------

def build_donors(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_BE", "nl_BE"], seed), _Rows()
    for code, name in [("BE", "Belgium"), ("FR", "France"), ("NL", "Netherlands"), ("LU", "Luxembourg")]:
        rows.add("civicrm_country", name=name, iso_code=code)
    for name, deductible in [("Donation", True), ("Member Dues", False), ("Event Fee", False)]:
        rows.add("civicrm_financial_type", name=name, is_deductible=deductible)
    for name, fee in [("Membre adhérent", 25), ("Membre bienfaiteur", 100)]:
        rows.add("civicrm_membership_type", name=name, minimum_fee=fee)
    for title in ("Appel de fin d'année 2023", "Campagne Noël 2024", "Marche parrainée"):
        rows.add("civicrm_campaign", name=title.lower().replace(" ", "_"), title=title,
                 goal_revenue=rng.choice([10000, 25000]), start_date=_when(rng).date())
    for title in ("Donateurs réguliers", "Newsletter", "Bénévoles"):
        rows.add("civicrm_group", name=title.lower().replace(" ", "_"), title=title)

    def locations(contact: int, f: object, is_person: bool) -> None:
        email = fake.email() if is_person else f"info@{fake.domain_word()}.example.be"
        rows.add("civicrm_email", contact_id=contact, location_type_id=1, email=email, is_primary=True, on_hold=False)
        rows.add("civicrm_phone", contact_id=contact, location_type_id=1, phone=f.phone_number(),  # type: ignore[attr-defined]
                 phone_type_id=rng.choice([1, 2]), is_primary=True)
        rows.add("civicrm_address", contact_id=contact, location_type_id=1, street_address=f.street_address(),  # type: ignore[attr-defined]
                 supplemental_address_1=rng.choice([None, None, "Boîte 4", "bus 2"]), city=f.city(),  # type: ignore[attr-defined]
                 postal_code=f.postcode(), country_id=1, geo_code_1=round(rng.uniform(49.5, 51.5), 6),  # type: ignore[attr-defined]
                 geo_code_2=round(rng.uniform(2.6, 6.3), 6))

    for _ in range(25):
        company = fake.company()
        o = rows.add("civicrm_contact", contact_type="Organization", organization_name=company, display_name=company,
                     sort_name=company, source="Salon des entreprises", created_date=_when(rng))
        locations(o, fake["fr_BE"], False)
    for i in range(230):
        f = fake[rng.choice(["fr_BE", "nl_BE"])]
        first, last = f.first_name(), f.last_name()
        household = i % 10 == 0
        c = rows.add("civicrm_contact", contact_type="Household" if household else "Individual",
                     first_name=None if household else first, middle_name=rng.choice([None, None, f.first_name()]),
                     last_name=None if household else last, prefix_id=rng.choice([None, 1, 2, 3]),
                     display_name=f"Famille {last}" if household else f"{first} {last}",
                     sort_name=last if household else f"{last}, {first}",
                     household_name=f"Famille {last}" if household else None, organization_name=None,
                     birth_date=None if household else fake.date_of_birth(minimum_age=20, maximum_age=95),
                     gender_id=None if household else rng.choice([1, 2, 3]), is_deceased=rng.random() < 0.03,
                     job_title=rng.choice([None, None, "Directrice financière", "Médecin", "Retraité"]),
                     employer_id=rng.choice([None, None, rng.randint(1, 25)]),
                     external_identifier=rng.choice([None, f"DON-{rng.randint(10**5, 10**6)}"]),
                     preferred_language=rng.choice(["fr_FR", "nl_NL"]), do_not_email=rng.random() < 0.1,
                     is_opt_out=rng.random() < 0.05, source=rng.choice(["Site web", "Marche parrainée", "Legs"]),
                     created_date=_when(rng))
        locations(c, f, True)
        rows.add("civicrm_group_contact", group_id=rng.randint(1, 3), contact_id=c, status="Added")
        for _ in range(rng.randint(0, 5)):
            amount = rng.choice([10, 25, 40, 50, 100, 250])
            rows.add("civicrm_contribution", contact_id=c, financial_type_id=rng.choice([1, 1, 2]),
                     campaign_id=rng.choice([None, 1, 2, 3]), receive_date=_when(rng), total_amount=amount,
                     fee_amount=round(amount * 0.015, 2), net_amount=round(amount * 0.985, 2),
                     trxn_id=fake.bothify("ch_##??##??##??"), invoice_id=fake.md5(), currency="EUR",
                     contribution_status_id=1, source=rng.choice(["Formulaire en ligne", "Virement", "SEPA"]),
                     check_number=None, receipt_date=_when(rng), thankyou_date=rng.choice([None, _when(rng)]))
        if rng.random() < 0.3:
            rows.add("civicrm_sdd_mandate", reference=f"SEPA{rng.randint(10**8, 10**9)}", contact_id=c,
                     iban=fake.iban(), bic=fake.swift(length=8), type="RCUR", status=rng.choice(["RCUR", "COMPLETE"]),
                     date=_when(rng), source="Formulaire en ligne")
        if rng.random() < 0.4:
            rows.add("civicrm_membership", contact_id=c, membership_type_id=rng.randint(1, 2),
                     join_date=_when(rng).date(), start_date=_when(rng).date(), end_date=None,
                     status_id=rng.choice([1, 2, 3]), source="Site web")
        for _ in range(rng.randint(0, 2)):
            a = rows.add("civicrm_activity", activity_type_id=rng.choice([1, 2, 3]),
                         subject=rng.choice(["Appel de remerciement", "Lettre fiscale", "Rendez-vous legs"]),
                         activity_date_time=_when(rng), status_id=2,
                         details=rng.choice([None, "Souhaite recevoir son attestation fiscale par courrier.",
                                             f"{first} envisage un legs, rappeler après les vacances.",
                                             f"Veuve depuis 2022, préfère être appelée au {f.phone_number()}."]))
            rows.add("civicrm_activity_contact", activity_id=a, contact_id=c, record_type_id=3)
            rows.add("civicrm_activity_contact", activity_id=a, contact_id=rng.randint(1, 25), record_type_id=2)
        if rng.random() < 0.2:
            rows.add("civicrm_note", entity_table="civicrm_contact", entity_id=c, contact_id=rng.randint(1, 25),
                     subject=rng.choice(["Suivi", "Legs", "Fiscalité"]), modified_date=_when(rng),
                     note=rng.choice([f"{first} {last} a appelé pour modifier son adresse.",
                                      "Ne souhaite plus d'appels téléphoniques.",
                                      f"Grand donateur, ami de la présidente. Tél. {f.phone_number()}"]))
    _fill(engine, """
        CREATE TABLE civicrm_country (id INTEGER PRIMARY KEY, name VARCHAR(64), iso_code CHAR(2));
        CREATE TABLE civicrm_financial_type (id INTEGER PRIMARY KEY, name VARCHAR(64), is_deductible BOOLEAN);
        CREATE TABLE civicrm_membership_type (id INTEGER PRIMARY KEY, name VARCHAR(128), minimum_fee NUMERIC(18,9));
        CREATE TABLE civicrm_campaign (id INTEGER PRIMARY KEY, name VARCHAR(255), title VARCHAR(255),
                                       goal_revenue NUMERIC(20,2), start_date DATE);
        CREATE TABLE civicrm_group (id INTEGER PRIMARY KEY, name VARCHAR(64), title VARCHAR(255));
        CREATE TABLE civicrm_contact (id INTEGER PRIMARY KEY, contact_type VARCHAR(64), first_name VARCHAR(64),
                                      middle_name VARCHAR(64), last_name VARCHAR(64), prefix_id INTEGER,
                                      display_name VARCHAR(128), sort_name VARCHAR(128),
                                      household_name VARCHAR(128), organization_name VARCHAR(128), birth_date DATE,
                                      gender_id INTEGER, is_deceased BOOLEAN, job_title VARCHAR(255),
                                      employer_id INTEGER REFERENCES civicrm_contact(id),
                                      external_identifier VARCHAR(64), preferred_language VARCHAR(5),
                                      do_not_email BOOLEAN, is_opt_out BOOLEAN, source VARCHAR(255),
                                      created_date TIMESTAMP);
        CREATE TABLE civicrm_email (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES civicrm_contact(id),
                                    location_type_id INTEGER, email VARCHAR(254), is_primary BOOLEAN, on_hold BOOLEAN);
        CREATE TABLE civicrm_phone (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES civicrm_contact(id),
                                    location_type_id INTEGER, phone VARCHAR(32), phone_type_id INTEGER,
                                    is_primary BOOLEAN);
        CREATE TABLE civicrm_address (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES civicrm_contact(id),
                                      location_type_id INTEGER, street_address VARCHAR(96),
                                      supplemental_address_1 VARCHAR(96), city VARCHAR(64), postal_code VARCHAR(64),
                                      country_id INTEGER REFERENCES civicrm_country(id), geo_code_1 NUMERIC(10,6),
                                      geo_code_2 NUMERIC(10,6));
        CREATE TABLE civicrm_group_contact (id INTEGER PRIMARY KEY, group_id INTEGER REFERENCES civicrm_group(id),
                                            contact_id INTEGER REFERENCES civicrm_contact(id), status VARCHAR(8));
        CREATE TABLE civicrm_contribution (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES civicrm_contact(id),
                                           financial_type_id INTEGER REFERENCES civicrm_financial_type(id),
                                           campaign_id INTEGER REFERENCES civicrm_campaign(id),
                                           receive_date TIMESTAMP, total_amount NUMERIC(20,2),
                                           fee_amount NUMERIC(20,2), net_amount NUMERIC(20,2), trxn_id VARCHAR(255),
                                           invoice_id VARCHAR(255), currency VARCHAR(3),
                                           contribution_status_id INTEGER, source VARCHAR(255),
                                           check_number VARCHAR(255), receipt_date TIMESTAMP,
                                           thankyou_date TIMESTAMP);
        CREATE TABLE civicrm_sdd_mandate (id INTEGER PRIMARY KEY, reference VARCHAR(35),
                                          contact_id INTEGER REFERENCES civicrm_contact(id), iban VARCHAR(42),
                                          bic VARCHAR(11), type VARCHAR(4), status VARCHAR(8), date TIMESTAMP,
                                          source VARCHAR(255));
        CREATE TABLE civicrm_membership (id INTEGER PRIMARY KEY, contact_id INTEGER REFERENCES civicrm_contact(id),
                                         membership_type_id INTEGER REFERENCES civicrm_membership_type(id),
                                         join_date DATE, start_date DATE, end_date DATE, status_id INTEGER,
                                         source VARCHAR(128));
        CREATE TABLE civicrm_activity (id INTEGER PRIMARY KEY, activity_type_id INTEGER, subject VARCHAR(255),
                                       activity_date_time TIMESTAMP, details TEXT, status_id INTEGER);
        CREATE TABLE civicrm_activity_contact (id INTEGER PRIMARY KEY,
                                               activity_id INTEGER REFERENCES civicrm_activity(id),
                                               contact_id INTEGER REFERENCES civicrm_contact(id),
                                               record_type_id INTEGER);
        CREATE TABLE civicrm_note (id INTEGER PRIMARY KEY, entity_table VARCHAR(64), entity_id INTEGER,
                                   note TEXT, contact_id INTEGER REFERENCES civicrm_contact(id),
                                   modified_date TIMESTAMP, subject VARCHAR(255))""", rows)


DONORS = Labelled(
    "donors", "CiviCRM with CiviSEPA: a Belgian charity's donors", build_donors,
    _p({"civicrm_contact": "first_name middle_name last_name prefix_id display_name sort_name household_name "
                           "birth_date gender_id job_title external_identifier",
        "civicrm_email": "email", "civicrm_phone": "phone",
        "civicrm_address": "street_address supplemental_address_1 city postal_code geo_code_1 geo_code_2",
        "civicrm_sdd_mandate": "iban", "civicrm_activity": "details", "civicrm_note": "note"}),
    {"civicrm_country": None, "civicrm_financial_type": None, "civicrm_membership_type": None,
     "civicrm_campaign": None, "civicrm_group": None, "civicrm_contact": "delete", "civicrm_email": "delete",
     "civicrm_phone": "delete", "civicrm_address": "delete", "civicrm_group_contact": "delete",
     "civicrm_contribution": "retain", "civicrm_sdd_mandate": "retain", "civicrm_membership": "delete",
     "civicrm_activity": "delete", "civicrm_activity_contact": "delete", "civicrm_note": "delete"})


# -- energie: Som Energia's ERP as a Flemish supplier ------------------------------------------------

def build_energie(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE"], seed), _Rows()
    for naam, dag, nacht in [("Groen Vast", 0.31, 0.24), ("Groen Variabel", 0.28, 0.21), ("Dynamisch", 0.0, 0.0)]:
        rows.add("producten", naam=naam, prijs_dag_kwh=dag, prijs_nacht_kwh=nacht, vaste_vergoeding=rng.randint(50, 120))
    for _ in range(300):
        rows.add("aansluitingen", ean_code=f"5414{rng.randint(10**13, 10**14 - 1)}", straat=fake.street_name(),
                 huisnummer=str(rng.randint(1, 200)), bus=rng.choice([None, None, "1", "B2"]), postcode=fake.postcode(),
                 gemeente=fake.city(), netbeheerder=rng.choice(["Fluvius Antwerpen", "Fluvius Limburg", "Fluvius West"]),
                 meternummer=f"1SAG{rng.randint(10**7, 10**8 - 1)}", type_meter=rng.choice(["digitaal", "analoog"]))
    for a in range(1, 301):
        for _ in range(rng.randint(1, 3)):
            rows.add("meterstanden", aansluiting_id=a, datum=_when(rng).date(), stand_dag=rng.randint(1000, 90000),
                     stand_nacht=rng.randint(1000, 60000), bron=rng.choice(["klant", "netbeheerder", "schatting"]),
                     foto_pad=rng.choice([None, f"meterfoto/{fake.uuid4()}.jpg"]))
    free = list(range(1, 301))
    rng.shuffle(free)
    for k in range(260):
        first, last = fake.first_name(), fake.last_name()
        klant = rows.add("klanten", klantnummer=f"K{rng.randint(10**6, 10**7 - 1)}", voornaam=first, achternaam=last,
                         rijksregisternummer=fake.ssn(), email=f"{first}.{last}@example.be".lower().replace(" ", ""),
                         gsm=fake.phone_number(), telefoon=rng.choice([None, fake.phone_number()]),
                         taal=rng.choice(["nl", "fr"]), geboortedatum=fake.date_of_birth(minimum_age=18, maximum_age=90),
                         sociaal_tarief=rng.random() < 0.1, aangemaakt_op=_when(rng),
                         correspondentie_straat=rng.choice([None, fake.street_address()]),
                         correspondentie_postcode=fake.postcode(), correspondentie_gemeente=fake.city())
        aansluiting = free[k] if k < 240 else rng.randint(1, 300)  # the last ones move into a previous tenant's home
        start = _when(rng).date()
        c = rows.add("contracten", contractnummer=f"C{rng.randint(10**7, 10**8 - 1)}", klant_id=klant,
                     betaler_id=klant if rng.random() < 0.9 else rng.randint(1, max(1, klant - 1)),
                     aansluiting_id=aansluiting, product_id=rng.randint(1, 3), startdatum=start,
                     einddatum=rng.choice([None, start + timedelta(days=365 * rng.randint(1, 3))]),
                     voorschot_bedrag=rng.choice([85, 110, 145, 190]), domiciliering_iban=fake.iban(),
                     mandaat_referentie=fake.bothify("MDT-########"), status=rng.choice(["actief", "beëindigd"]))
        for month in range(rng.randint(2, 8)):
            total = rng.choice([85, 110, 145, 190, 612.4, -88.1])
            f = rows.add("facturen", factuurnummer=f"2024{len(rows.get('facturen', [])) + 1:07d}", contract_id=c,
                         klant_id=klant, factuurdatum=date(2024, 1 + month, 5),
                         type=rng.choice(["voorschot", "voorschot", "afrekening"]), verbruik_kwh=rng.randint(0, 4000),
                         bedrag_excl_btw=round(total / 1.06, 2), btw_bedrag=round(total - total / 1.06, 2),
                         totaal=total, vervaldatum=date(2024, 1 + month, 25), factuur_naam=f"{first} {last}",
                         factuur_adres=fake.address().replace("\n", ", "))
            if rng.random() < 0.85:
                rows.add("betalingen", factuur_id=f, bedrag=total, betaald_op=_when(rng), iban_betaler=fake.iban(),
                         referentie=f"+++{rng.randint(100, 999)}/{rng.randint(1000, 9999)}/{rng.randint(10000, 99999)}+++")
        for _ in range(rng.randint(0, 2)):
            rows.add("klantcontacten", klant_id=klant, kanaal=rng.choice(["telefoon", "email", "chat"]),
                     onderwerp=rng.choice(["Verhuis", "Factuurvraag", "Meterstand", "Klacht"]),
                     notitie=rng.choice(["Klant vraagt hoger voorschot.", f"{first} verhuist naar {fake.city()}.",
                                         f"Terugbellen op {fake.phone_number()} na 18u.", "Budgetmeter aangevraagd."]),
                     aangemaakt_op=_when(rng))
        for _ in range(rng.randint(0, 3)):
            rows.add("portaal_sessies", klant_id=klant, sessie_token=fake.sha1(), ip_adres=fake.ipv4_public(),
                     user_agent=fake.user_agent(), aangemaakt_op=_when(rng))
    _fill(engine, """
        CREATE TABLE producten (id INTEGER PRIMARY KEY, naam VARCHAR(60), prijs_dag_kwh NUMERIC(8,4),
                                prijs_nacht_kwh NUMERIC(8,4), vaste_vergoeding NUMERIC(8,2));
        CREATE TABLE aansluitingen (id INTEGER PRIMARY KEY, ean_code VARCHAR(18), straat VARCHAR(120),
                                    huisnummer VARCHAR(10), bus VARCHAR(5), postcode VARCHAR(4), gemeente VARCHAR(60),
                                    netbeheerder VARCHAR(60), meternummer VARCHAR(20), type_meter VARCHAR(10));
        CREATE TABLE meterstanden (id INTEGER PRIMARY KEY, aansluiting_id INTEGER REFERENCES aansluitingen(id),
                                   datum DATE, stand_dag INTEGER, stand_nacht INTEGER, bron VARCHAR(20),
                                   foto_pad VARCHAR(200));
        CREATE TABLE klanten (id INTEGER PRIMARY KEY, klantnummer VARCHAR(10), voornaam VARCHAR(60),
                              achternaam VARCHAR(60), rijksregisternummer VARCHAR(15), email VARCHAR(120),
                              gsm VARCHAR(30), telefoon VARCHAR(30), taal VARCHAR(2), geboortedatum DATE,
                              sociaal_tarief BOOLEAN, aangemaakt_op TIMESTAMP, correspondentie_straat VARCHAR(120),
                              correspondentie_postcode VARCHAR(4), correspondentie_gemeente VARCHAR(60));
        CREATE TABLE contracten (id INTEGER PRIMARY KEY, contractnummer VARCHAR(10),
                                 klant_id INTEGER REFERENCES klanten(id), betaler_id INTEGER REFERENCES klanten(id),
                                 aansluiting_id INTEGER REFERENCES aansluitingen(id),
                                 product_id INTEGER REFERENCES producten(id), startdatum DATE, einddatum DATE,
                                 voorschot_bedrag NUMERIC(8,2), domiciliering_iban VARCHAR(34),
                                 mandaat_referentie VARCHAR(20), status VARCHAR(10));
        CREATE TABLE facturen (id INTEGER PRIMARY KEY, factuurnummer VARCHAR(12),
                               contract_id INTEGER REFERENCES contracten(id), klant_id INTEGER REFERENCES klanten(id),
                               factuurdatum DATE, type VARCHAR(12), verbruik_kwh INTEGER,
                               bedrag_excl_btw NUMERIC(10,2), btw_bedrag NUMERIC(10,2), totaal NUMERIC(10,2),
                               vervaldatum DATE, factuur_naam VARCHAR(120), factuur_adres VARCHAR(200));
        CREATE TABLE betalingen (id INTEGER PRIMARY KEY, factuur_id INTEGER REFERENCES facturen(id),
                                 bedrag NUMERIC(10,2), betaald_op TIMESTAMP, iban_betaler VARCHAR(34),
                                 referentie VARCHAR(24));
        CREATE TABLE klantcontacten (id INTEGER PRIMARY KEY, klant_id INTEGER REFERENCES klanten(id),
                                     kanaal VARCHAR(10), onderwerp VARCHAR(40), notitie TEXT,
                                     aangemaakt_op TIMESTAMP);
        CREATE TABLE portaal_sessies (id INTEGER PRIMARY KEY, klant_id INTEGER REFERENCES klanten(id),
                                      sessie_token VARCHAR(40), ip_adres VARCHAR(45), user_agent TEXT,
                                      aangemaakt_op TIMESTAMP)""", rows)


ENERGIE = Labelled(
    "energie", "Som Energia's ERP as a Flemish energy supplier (Dutch names)", build_energie,
    _p({"klanten": "klantnummer voornaam achternaam rijksregisternummer email gsm telefoon geboortedatum "
                   "sociaal_tarief correspondentie_straat correspondentie_postcode correspondentie_gemeente",
        "contracten": "domiciliering_iban", "facturen": "factuur_naam factuur_adres", "betalingen": "iban_betaler",
        "klantcontacten": "notitie", "portaal_sessies": "sessie_token ip_adres user_agent"}),
    {"producten": None, "aansluitingen": None, "meterstanden": None, "klanten": "delete", "contracten": "retain",
     "facturen": "retain", "betalingen": "retain", "klantcontacten": "delete", "portaal_sessies": "delete"})
