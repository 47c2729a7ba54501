"""A fifth held-out batch for `eraser discover`, the third blind one: written and labelled, and the labels merged
into main, before discovery ever ran on it, after the second blind batch (bench/heldout4_schemas.py) had been used
to correct the detector. Each is the shape of a public application schema, written here as minimal DDL of the same
shape (no schema file copied), filled with deterministic Faker data, and labelled with rules R1-R6 of
bench/labelled_schemas.py, the notes of the earlier batches (N1-N5, B1-B8, D1-D10) and the notes below. None of the
applications was used by an earlier batch.

- `ats`: OpenCATS (opencats/OpenCATS, db/cats_schema.sql), the open-source applicant tracking system, as a
  recruitment agency uses it: recruiters (`user`), client companies and their contacts, candidates with the EEO
  fields, job orders, the pipeline (`candidate_joborder`) and its statuses, activities and attachments, which
  OpenCATS links to a candidate, company or contact by `data_item_id` and `data_item_type` without a foreign key.
- `asso`: Galette (galette/galette, galette/install/scripts/sqlite.sql and pgsql.sql), the open-source membership
  manager of French associations, as a hiking club under the French law of 1901 runs it, with Galette's own French
  column names: members (`galette_adherents`), statuses, titles, contribution types, contributions, transactions,
  groups and their members and managers, pictures (no foreign key), the history log, mailings, reminders,
  temporary passwords, dynamic fields (an entity-attribute-value table without a foreign key).
- `zaken`, `autoverhuur`, `vet`: bench/heldout5_services.py.

Labelling notes beyond R1-R6 and the earlier notes (decided before the first run):
- E1 a company's name, including a person's employer or the company a member belongs to (`current_employer`,
  `societe_adh`), is an organisation's data (R4): not personal; the pay a candidate earns or asks is an amount
  (R5): not personal.
- E2 a child row that holds a person's data and refers to them without a foreign key (a polymorphic
  `data_item_id` with its `data_item_type`, an EAV `item_id`, a picture keyed by the member's id) is the person's,
  and a careful operator configures it through a link: its action is the person's (`delete`), though no foreign
  key says so; a history log without a reference is left out (as pollen's audit log), its
  personal columns still personal.
- E3 a client company's job order, a municipality's case type, an association's mailing sent to many and the
  organisation's fleet are the organisation's records: left out, even where a foreign key points to a person
  (the job order's contact, the mailing's sender).
- E4 a country written as a name in a person's postal address is an address part (personal); a code is not (R5).
- E5 a municipality's case file (zaak, its roles, statuses, customer contacts, documents, properties, result)
  falls under the Dutch Archiefwet 1995 and the case type's selectielijst: `retain`; the natural person and the
  address a role keeps identifying are decided by someone: `review` (as B2's patient row); the municipality's
  staff are `review` (R6).
- E6 an animal's name, sex, birth date, colour and weight, and the reason for its visit, are not a person's
  characteristics: not personal; a pet's microchip number is registered to its owner in the national database
  (DogID, CatID): personal. A salutation (`title`: Mr, Mrs, Dr.) is the person's, as in the dental schema.
- E7 a vet's clinical record (visits, their notes, medications; the medicine register the Royal Decree of
  23 May 2000 requires) is `retain`; the owner and the animal it keeps identifying are `review`; appointments and
  reminders are `delete`; invoices, their lines and payments are accounting: `retain`.
- E8 a rental contract, its invoice and payments are accounting: `retain` (B7); a damage report with its cost
  under the contract is kept with it: `retain`; a traffic fine the renter was identified for is decided by
  someone: `review`; a reservation is the customer's: `delete`; the customer's own row and driving licence:
  `delete`. A photo of a car's damage is not a person's; a path to the renter's signature image is (R1).
- E9 a recruiter's, clinician's or agent's professional registration number is personal (R1).
"""

from __future__ import annotations

import json
import random
from datetime import timedelta

import sqlalchemy as sa
from heldout5_services import AUTOVERHUUR, VET, ZAKEN
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- ats: OpenCATS ---------------------------------------------------------------------------------

CANDIDATE, COMPANY, CONTACT = 100, 200, 300


def build_ats(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_GB", "nl_BE", "fr_BE"], seed), _Rows()
    en = fake["en_GB"]
    for i in range(8):
        first, last = en.first_name(), en.last_name()
        rows.add("user", key="user_id", user_name=f"{first[0]}{last}".lower().replace(" ", ""),
                 email=f"{first}.{last}@talentbridge.example.com".lower().replace(" ", ""), password=fake.sha256(),
                 access_level=rng.choice([100, 200, 400]) if i else 500, first_name=first, last_name=last,
                 last_login=_when(rng))
    for kind in ("White", "Black", "Asian", "Hispanic", "Other"):
        rows.add("eeo_ethnic_type", key="eeo_ethnic_type_id", type=kind)
    for status in ("Contacted", "Qualifying", "Submitted", "Interviewing", "Offered", "Placed", "Not in consideration"):
        rows.add("candidate_joborder_status", key="candidate_joborder_status_id", short_description=status)
    for _ in range(25):
        f = fake[rng.choice(["en_GB", "nl_BE"])]
        rows.add("company", key="company_id", name=f.company(), address=f.street_address(), city=f.city(),
                 state=rng.choice(["", "Antwerpen", "Greater London"]), zip=f.postcode(), phone1=f.phone_number(),
                 phone2=rng.choice([None, f.phone_number()]), url=f"https://www.{f.domain_word()}.example.com",
                 key_technologies=rng.choice(["Java, SAP", "Python, AWS", ".NET", "Logistics, WMS"]),
                 notes=rng.choice([None, "Key account, invoices quarterly", "Framework agreement until 2026"]),
                 entered_by=rng.randint(1, 8), date_created=_when(rng), is_hot=rng.choice([0, 1]))
    for _ in range(60):
        f = fake[rng.choice(["en_GB", "nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        rows.add("contact", key="contact_id", company_id=rng.randint(1, 25), last_name=last, first_name=first,
                 title=rng.choice(["HR Manager", "CTO", "Talent Acquisition Lead", "Head of Logistics"]),
                 email1=f"{first}.{last}@client.example.com".lower().replace(" ", ""),
                 email2=rng.choice([None, None, f"{first}{rng.randint(1, 99)}@example.org".lower()]),
                 phone_work=f.phone_number(), phone_cell=rng.choice([None, f.phone_number()]),
                 address=rng.choice(["", f.street_address()]), city=f.city(), zip=f.postcode(),
                 is_hot=rng.choice([0, 1]), left_company=rng.choice([0, 0, 0, 1]),
                 notes=rng.choice([None, f"Prefers calls after 4pm, ask for {first}", "Met at the Gent job fair"]),
                 entered_by=rng.randint(1, 8), date_created=_when(rng))
    for _ in range(30):
        rows.add("joborder", key="joborder_id", company_id=rng.randint(1, 25), contact_id=rng.randint(1, 60),
                 recruiter=rng.randint(1, 8), owner=rng.randint(1, 8),
                 title=rng.choice(["Java Developer", "Warehouse Team Lead", "Payroll Officer", "Data Engineer",
                                   "Forklift Driver", "Project Manager"]),
                 description="Full-time position, hybrid, competitive package", type=rng.choice(["H", "C", "C2H"]),
                 salary=str(rng.randint(35, 80) * 1000), status=rng.choice(["Active", "OnHold", "Closed"]),
                 city=rng.choice(["Gent", "Antwerpen", "London", "Brussel"]), openings=rng.randint(1, 4),
                 start_date=_when(rng).date(), date_created=_when(rng))
    activity_notes = ["Left voicemail", "Sent job description", "Phone screen done, strong Java background",
                      "Candidate not available before March"]
    for _ in range(230):
        f = fake[rng.choice(["en_GB", "nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        c = rows.add("candidate", key="candidate_id", last_name=last, first_name=first,
                     middle_name=rng.choice(["", "", f.first_name()]),
                     phone_home=rng.choice([None, f.phone_number()]), phone_cell=f.phone_number(),
                     phone_work=rng.choice([None, None, f.phone_number()]), address=f.street_address(),
                     city=f.city(), state=rng.choice(["", "Oost-Vlaanderen", "Kent"]), zip=f.postcode(),
                     source=rng.choice(["LinkedIn", "Referral", "Website", "Job fair"]),
                     key_skills=rng.choice(["Java, Spring", "SAP MM", "forklift licence", "Python, SQL", "payroll"]),
                     date_available=_when(rng).date(), current_employer=rng.choice(["", f.company()]),
                     can_relocate=rng.choice([0, 1]), current_pay=str(rng.randint(30, 70) * 1000),
                     desired_pay=str(rng.randint(35, 85) * 1000),
                     notes=rng.choice([None, None, f"{first} speaks Dutch and French", "Wants max 30 km commute"]),
                     web_site=rng.choice(["", f"https://www.linkedin.com/in/{first}-{last}".lower().replace(" ", "")]),
                     email1=f"{first}.{last}{rng.randint(1, 99)}@example.org".lower().replace(" ", ""),
                     email2=rng.choice([None, None, f"{last}.{first}@example.net".lower().replace(" ", "")]),
                     is_hot=rng.choice([0, 1]), eeo_ethnic_type_id=rng.choice([None, rng.randint(1, 5)]),
                     eeo_disability_status=rng.choice(["", "", "N", "Y"]), eeo_gender=rng.choice(["", "M", "F"]),
                     entered_by=rng.randint(1, 8), owner=rng.randint(1, 8), date_created=_when(rng))
        for _ in range(rng.randint(0, 3)):
            rows.add("candidate_joborder", key="candidate_joborder_id", candidate_id=c, joborder_id=rng.randint(1, 30),
                     status=rng.randint(1, 7), date_submitted=_when(rng), date_created=_when(rng),
                     rating_value=rng.randint(0, 5))
        for _ in range(rng.randint(0, 3)):
            rows.add("activity", key="activity_id", data_item_id=c, data_item_type=CANDIDATE,
                     joborder_id=rng.choice([None, rng.randint(1, 30)]), type=rng.choice([100, 200, 300, 400]),
                     notes=rng.choice(activity_notes + [f"Called {first} back on {f.phone_number()}"]),
                     entered_by=rng.randint(1, 8), date_created=_when(rng))
        if rng.random() < 0.7:
            original = rng.choice([f"CV_{first}_{last}.pdf", f"resume-{last.lower()}.docx", "CV.pdf"]).replace(" ", "_")
            rows.add("attachment", key="attachment_id", data_item_id=c, data_item_type=CANDIDATE,
                     title=rng.choice(["Resume", "CV", "Cover letter"]), original_filename=original,
                     stored_filename=f"{fake.sha1()[:20]}.pdf", content_type="application/pdf",
                     text=f"{first} {last}\n{f.street_address()}\n{f.phone_number()}\nExperience: 6 years",
                     resume=1, md5_sum=fake.md5(), date_created=_when(rng))
    for contact in range(1, 61):
        if rng.random() < 0.5:
            rows.add("activity", key="activity_id", data_item_id=contact, data_item_type=CONTACT, joborder_id=None,
                     type=100, notes=rng.choice(["Discussed new vacancy", "Sent shortlist of three candidates"]),
                     entered_by=rng.randint(1, 8), date_created=_when(rng))
    _fill(engine, """
        CREATE TABLE user (user_id INTEGER PRIMARY KEY, user_name VARCHAR(64), email VARCHAR(128),
                           password VARCHAR(128), access_level INTEGER, first_name VARCHAR(40), last_name VARCHAR(40),
                           last_login TIMESTAMP);
        CREATE TABLE eeo_ethnic_type (eeo_ethnic_type_id INTEGER PRIMARY KEY, type VARCHAR(128));
        CREATE TABLE candidate_joborder_status (candidate_joborder_status_id INTEGER PRIMARY KEY,
                                                short_description VARCHAR(32));
        CREATE TABLE company (company_id INTEGER PRIMARY KEY, name VARCHAR(64), address TEXT, city VARCHAR(64),
                              state VARCHAR(64), zip VARCHAR(16), phone1 VARCHAR(40), phone2 VARCHAR(40),
                              url VARCHAR(128), key_technologies TEXT, notes TEXT,
                              entered_by INTEGER REFERENCES user(user_id), date_created TIMESTAMP, is_hot INTEGER);
        CREATE TABLE contact (contact_id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES company(company_id),
                              last_name VARCHAR(40), first_name VARCHAR(40), title VARCHAR(64), email1 VARCHAR(128),
                              email2 VARCHAR(128), phone_work VARCHAR(40), phone_cell VARCHAR(40), address TEXT,
                              city VARCHAR(64), zip VARCHAR(16), is_hot INTEGER, left_company INTEGER, notes TEXT,
                              entered_by INTEGER REFERENCES user(user_id), date_created TIMESTAMP);
        CREATE TABLE joborder (joborder_id INTEGER PRIMARY KEY, company_id INTEGER REFERENCES company(company_id),
                               contact_id INTEGER REFERENCES contact(contact_id),
                               recruiter INTEGER REFERENCES user(user_id), owner INTEGER REFERENCES user(user_id),
                               title VARCHAR(64), description TEXT, type VARCHAR(64), salary VARCHAR(64),
                               status VARCHAR(16), city VARCHAR(64), openings INTEGER, start_date DATE,
                               date_created TIMESTAMP);
        CREATE TABLE candidate (candidate_id INTEGER PRIMARY KEY, last_name VARCHAR(40), first_name VARCHAR(40),
                                middle_name VARCHAR(40), phone_home VARCHAR(40), phone_cell VARCHAR(40),
                                phone_work VARCHAR(40), address TEXT, city VARCHAR(64), state VARCHAR(64),
                                zip VARCHAR(16), source VARCHAR(64), key_skills TEXT, date_available DATE,
                                current_employer VARCHAR(128), can_relocate INTEGER, current_pay VARCHAR(64),
                                desired_pay VARCHAR(64), notes TEXT, web_site VARCHAR(128), email1 VARCHAR(128),
                                email2 VARCHAR(128), is_hot INTEGER,
                                eeo_ethnic_type_id INTEGER REFERENCES eeo_ethnic_type(eeo_ethnic_type_id),
                                eeo_disability_status VARCHAR(5), eeo_gender VARCHAR(5),
                                entered_by INTEGER REFERENCES user(user_id), owner INTEGER REFERENCES user(user_id),
                                date_created TIMESTAMP);
        CREATE TABLE candidate_joborder (candidate_joborder_id INTEGER PRIMARY KEY,
                                         candidate_id INTEGER REFERENCES candidate(candidate_id),
                                         joborder_id INTEGER REFERENCES joborder(joborder_id),
                                         status INTEGER REFERENCES candidate_joborder_status(candidate_joborder_status_id),
                                         date_submitted TIMESTAMP, date_created TIMESTAMP, rating_value INTEGER);
        CREATE TABLE activity (activity_id INTEGER PRIMARY KEY, data_item_id INTEGER, data_item_type INTEGER,
                               joborder_id INTEGER REFERENCES joborder(joborder_id), type INTEGER, notes TEXT,
                               entered_by INTEGER REFERENCES user(user_id), date_created TIMESTAMP);
        CREATE TABLE attachment (attachment_id INTEGER PRIMARY KEY, data_item_id INTEGER, data_item_type INTEGER,
                                 title VARCHAR(128), original_filename VARCHAR(255), stored_filename VARCHAR(255),
                                 content_type VARCHAR(128), text TEXT, resume INTEGER, md5_sum VARCHAR(40),
                                 date_created TIMESTAMP)""", rows)


ATS = Labelled(
    "ats", "OpenCATS as a recruitment agency uses it (candidates, client contacts, job orders)", build_ats,
    _p({"user": "user_name email password first_name last_name",
        "company": "phone1 phone2",
        "contact": "last_name first_name title email1 email2 phone_work phone_cell address city zip notes",
        "candidate": "last_name first_name middle_name phone_home phone_cell phone_work address city state zip "
                     "key_skills notes web_site email1 email2 eeo_disability_status eeo_gender",
        "activity": "notes",
        "attachment": "original_filename text"}),
    {"user": "review", "eeo_ethnic_type": None, "candidate_joborder_status": None, "company": None,
     "contact": "delete", "joborder": None, "candidate": "delete", "candidate_joborder": "delete",
     "activity": "delete", "attachment": "delete"})


# -- asso: Galette ---------------------------------------------------------------------------------

def build_asso(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["fr_FR", "fr_BE"], seed), _Rows()
    for label, prio in [("Président", 0), ("Trésorier", 10), ("Secrétaire", 20), ("Membre actif", 30),
                        ("Bienfaiteur", 40), ("Non membre", 50)]:
        rows.add("galette_statuts", key="id_statut", libelle_statut=label, priorite_statut=prio)
    for short, long in [("M.", "Monsieur"), ("Mme", "Madame"), ("Mlle", "Mademoiselle")]:
        rows.add("galette_titles", key="id_title", short_label=short, long_label=long)
    for label in ("Cotisation annuelle", "Cotisation famille", "Don", "Sortie week-end"):
        rows.add("galette_types_cotisation", key="id_type_cotis", libelle_type_cotis=label,
                 cotis_extension=int(label.startswith("Cotisation")))
    for name in ("Randonneurs du dimanche", "Comité", "Balisage", "Grande randonnée 2024"):
        rows.add("galette_groups", key="id_group", group_name=name, creation_date=_when(rng), parent_group=None)
    for name in ("Numéro de licence FFRandonnée", "Personne à prévenir", "Allergies"):
        rows.add("galette_field_types", key="field_id", field_form="adh", field_name=name, field_perm=1,
                 field_type=1, field_required=0)
    logins = []
    for n in range(1, 221):
        f = fake[rng.choice(["fr_FR", "fr_FR", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        sexe = rng.choice([1, 2, 0])
        login = f"{first}.{last}".lower().replace(" ", "")
        logins.append((login, first, last))
        rows.add("galette_adherents", key="id_adh", id_statut=rng.choice([4, 4, 4, 4, 5, 6]) if n > 3 else n,
                 nom_adh=last.upper(), prenom_adh=first, pseudo_adh=rng.choice(["", "", f"{first[:3]}{rng.randint(1, 99)}"]),
                 societe_adh=rng.choice([None, None, None, f.company()]), titre_adh=rng.choice([None, 1, 2, 3]),
                 ddn_adh=fake.date_of_birth(minimum_age=16, maximum_age=85), sexe_adh=sexe,
                 adresse_adh=f.street_address(), adresse2_adh=rng.choice([None, None, "Bâtiment B", "Appt 12"]),
                 cp_adh=f.postcode(), ville_adh=f.city(), pays_adh=rng.choice(["France", "France", "Belgique"]),
                 tel_adh=rng.choice([None, f.phone_number()]), gsm_adh=f.phone_number(),
                 email_adh=f"{login}{rng.randint(1, 99)}@example.fr",
                 url_adh=rng.choice([None, None, f"https://{last.lower().replace(' ', '')}.example.fr"]),
                 info_adh=rng.choice([None, None, "Certificat médical reçu", f"Ne souhaite pas être photographié ({first})"]),
                 info_public_adh=rng.choice([None, None, "Passionné de GR20", "Photographe amateur"]),
                 prof_adh=rng.choice(["", "Enseignante", "Retraité", "Infirmier", "Comptable"]),
                 lieu_naissance=rng.choice(["", f.city()]), login_adh=login, mdp_adh=fake.sha256(),
                 date_crea_adh=_when(rng).date(), date_modif_adh=_when(rng).date(), activite_adh=rng.choice([0, 1, 1]),
                 bool_admin_adh=int(n <= 3), bool_exempt_adh=rng.choice([0, 0, 1]), bool_display_info=rng.choice([0, 1]),
                 date_echeance=_when(rng).date() + timedelta(days=365), pref_lang="fr_FR",
                 parent_id=rng.choice([None] * 8 + [rng.randint(1, max(1, n - 1))]) if n > 1 else None)
        for year in range(rng.randint(0, 4)):
            trans = None
            amount = rng.choice([25.0, 40.0, 60.0])
            if rng.random() < 0.5:
                trans = rows.add("galette_transactions", key="trans_id", trans_date=_when(rng).date(),
                                 trans_amount=amount, id_adh=n,
                                 trans_desc=rng.choice([f"Cotisation {2020 + year} - {last.upper()} {first}",
                                                        f"Virement {last.upper()}", "Chèque"]))
            rows.add("galette_cotisations", key="id_cotis", id_adh=n, id_type_cotis=rng.randint(1, 4),
                     montant_cotis=amount, type_paiement_cotis=rng.randint(1, 4),
                     info_cotis=rng.choice([None, None, f"Chèque n° {rng.randint(1000000, 9999999)}",
                                            f"Payé par {first} pour toute la famille"]),
                     date_enreg=_when(rng).date(), date_debut_cotis=_when(rng).date(),
                     date_fin_cotis=_when(rng).date() + timedelta(days=365), trans_id=trans)
        for group in rng.sample(range(1, 5), rng.randint(0, 2)):
            rows.setdefault("galette_groups_members", []).append(dict(id_group=group, id_adh=n))
        if rng.random() < 0.3:
            rows.add("galette_pictures", key="id_adh", id_adh=n, picture=bytes(rng.getrandbits(8) for _ in range(64)),
                     format=rng.choice(["jpg", "png"]))
        if rng.random() < 0.6:
            rows.setdefault("galette_dynamic_fields", []).append(dict(item_id=n, field_id=1, field_form="adh", val_index=1,
                     field_val=str(rng.randint(100000, 999999))))
        if rng.random() < 0.4:
            rows.setdefault("galette_dynamic_fields", []).append(dict(item_id=n, field_id=2, field_form="adh", val_index=1,
                     field_val=f"{f.first_name()} {last.upper()} {f.phone_number()}"))
        if rng.random() < 0.3:
            rows.add("galette_reminders", key="reminder_id", reminder_type=rng.choice([1, 2]), reminder_dest=n,
                     reminder_date=_when(rng), reminder_success=rng.choice([0, 1]), reminder_nomail=0,
                     reminder_comment=rng.choice([None, None, "Adresse invalide"]))
        if rng.random() < 0.05:
            rows.add("galette_tmppasswds", key="id_adh", id_adh=n, tmp_passwd=fake.sha256(),
                     date_crea_tmp_passwd=_when(rng))
    for group in range(1, 5):
        rows.setdefault("galette_groups_managers", []).append(dict(id_group=group, id_adh=rng.randint(1, 3)))
    for subject in ("Assemblée générale 2023", "Programme des sorties de printemps", "Rappel de cotisation"):
        recipients = rng.sample(range(1, 221), 40)
        rows.add("galette_mailing_history", key="mailing_id", mailing_sender=rng.randint(1, 3), mailing_subject=subject,
                 mailing_body=f"Bonjour à tous,\n{subject}: voir le site de l'association.", mailing_date=_when(rng),
                 mailing_recipients=json.dumps({str(r): rows["galette_adherents"][r - 1]["email_adh"] for r in recipients}),
                 mailing_sent=1)
    for _ in range(400):
        login, first, last = rng.choice(logins)
        rows.add("galette_logs", key="id_log", date_log=_when(rng), ip_log=fake.ipv4_public(), adh_log=login,
                 action_log=rng.choice(["Connexion", "Mise à jour de la fiche", "Ajout d'une contribution"]),
                 text_log=rng.choice([f"{last.upper()} {first}", "Connexion réussie", f"Fiche de {first} {last.upper()}"]),
                 sql_log=rng.choice(["", f"UPDATE galette_adherents SET ville_adh='{fake['fr_FR'].city()}' "
                                         f"WHERE login_adh='{login}'"]))
    _fill(engine, """
        CREATE TABLE galette_statuts (id_statut INTEGER PRIMARY KEY, libelle_statut VARCHAR(100),
                                      priorite_statut INTEGER);
        CREATE TABLE galette_titles (id_title INTEGER PRIMARY KEY, short_label VARCHAR(10), long_label VARCHAR(30));
        CREATE TABLE galette_types_cotisation (id_type_cotis INTEGER PRIMARY KEY, libelle_type_cotis VARCHAR(255),
                                               cotis_extension INTEGER);
        CREATE TABLE galette_adherents (id_adh INTEGER PRIMARY KEY,
                                        id_statut INTEGER REFERENCES galette_statuts(id_statut),
                                        nom_adh VARCHAR(255), prenom_adh VARCHAR(255), pseudo_adh VARCHAR(255),
                                        societe_adh VARCHAR(200), titre_adh INTEGER REFERENCES galette_titles(id_title),
                                        ddn_adh DATE, sexe_adh SMALLINT, adresse_adh TEXT, adresse2_adh TEXT,
                                        cp_adh VARCHAR(10), ville_adh VARCHAR(200), pays_adh VARCHAR(200),
                                        tel_adh VARCHAR(50), gsm_adh VARCHAR(50), email_adh VARCHAR(255),
                                        url_adh VARCHAR(255), info_adh TEXT, info_public_adh TEXT,
                                        prof_adh VARCHAR(150), lieu_naissance TEXT, login_adh VARCHAR(255),
                                        mdp_adh VARCHAR(255), date_crea_adh DATE, date_modif_adh DATE,
                                        activite_adh INTEGER, bool_admin_adh INTEGER, bool_exempt_adh INTEGER,
                                        bool_display_info INTEGER, date_echeance DATE, pref_lang VARCHAR(20),
                                        parent_id INTEGER REFERENCES galette_adherents(id_adh));
        CREATE TABLE galette_transactions (trans_id INTEGER PRIMARY KEY, trans_date DATE, trans_amount REAL,
                                           trans_desc VARCHAR(255), id_adh INTEGER REFERENCES galette_adherents(id_adh));
        CREATE TABLE galette_cotisations (id_cotis INTEGER PRIMARY KEY,
                                          id_adh INTEGER REFERENCES galette_adherents(id_adh),
                                          id_type_cotis INTEGER REFERENCES galette_types_cotisation(id_type_cotis),
                                          montant_cotis REAL, type_paiement_cotis INTEGER, info_cotis TEXT,
                                          date_enreg DATE, date_debut_cotis DATE, date_fin_cotis DATE,
                                          trans_id INTEGER REFERENCES galette_transactions(trans_id));
        CREATE TABLE galette_groups (id_group INTEGER PRIMARY KEY, group_name VARCHAR(250), creation_date TIMESTAMP,
                                     parent_group INTEGER REFERENCES galette_groups(id_group));
        CREATE TABLE galette_groups_members (id_group INTEGER REFERENCES galette_groups(id_group),
                                             id_adh INTEGER REFERENCES galette_adherents(id_adh),
                                             PRIMARY KEY (id_group, id_adh));
        CREATE TABLE galette_groups_managers (id_group INTEGER REFERENCES galette_groups(id_group),
                                              id_adh INTEGER REFERENCES galette_adherents(id_adh),
                                              PRIMARY KEY (id_group, id_adh));
        CREATE TABLE galette_pictures (id_adh INTEGER PRIMARY KEY, picture BLOB, format VARCHAR(10));
        CREATE TABLE galette_logs (id_log INTEGER PRIMARY KEY, date_log TIMESTAMP, ip_log VARCHAR(46),
                                   adh_log VARCHAR(41), text_log TEXT, action_log TEXT, sql_log TEXT);
        CREATE TABLE galette_field_types (field_id INTEGER PRIMARY KEY, field_form VARCHAR(10), field_name VARCHAR(255),
                                          field_perm INTEGER, field_type INTEGER, field_required INTEGER);
        CREATE TABLE galette_dynamic_fields (item_id INTEGER, field_id INTEGER REFERENCES galette_field_types(field_id),
                                             field_form VARCHAR(10), val_index INTEGER, field_val TEXT,
                                             PRIMARY KEY (item_id, field_id, field_form, val_index));
        CREATE TABLE galette_mailing_history (mailing_id INTEGER PRIMARY KEY,
                                              mailing_sender INTEGER REFERENCES galette_adherents(id_adh),
                                              mailing_subject VARCHAR(255), mailing_body TEXT,
                                              mailing_date TIMESTAMP, mailing_recipients TEXT, mailing_sent INTEGER);
        CREATE TABLE galette_reminders (reminder_id INTEGER PRIMARY KEY, reminder_type INTEGER,
                                        reminder_dest INTEGER REFERENCES galette_adherents(id_adh),
                                        reminder_date TIMESTAMP, reminder_success INTEGER, reminder_nomail INTEGER,
                                        reminder_comment TEXT);
        CREATE TABLE galette_tmppasswds (id_adh INTEGER PRIMARY KEY REFERENCES galette_adherents(id_adh),
                                         tmp_passwd VARCHAR(250), date_crea_tmp_passwd TIMESTAMP)""", rows)


ASSO = Labelled(
    "asso", "Galette as a French hiking association runs it (members, contributions; French names)", build_asso,
    _p({"galette_adherents": "nom_adh prenom_adh pseudo_adh ddn_adh sexe_adh adresse_adh adresse2_adh cp_adh "
                             "ville_adh pays_adh tel_adh gsm_adh email_adh url_adh info_adh info_public_adh prof_adh "
                             "lieu_naissance login_adh mdp_adh",
        "galette_transactions": "trans_desc", "galette_cotisations": "info_cotis",
        "galette_pictures": "picture", "galette_logs": "ip_log adh_log text_log sql_log",
        "galette_dynamic_fields": "field_val", "galette_mailing_history": "mailing_recipients",
        "galette_tmppasswds": "tmp_passwd"}),
    {"galette_statuts": None, "galette_titles": None, "galette_types_cotisation": None,
     "galette_adherents": "delete", "galette_transactions": "retain", "galette_cotisations": "retain",
     "galette_groups": None, "galette_groups_members": "delete", "galette_groups_managers": "delete",
     "galette_pictures": "delete", "galette_logs": None, "galette_field_types": None,
     "galette_dynamic_fields": "delete", "galette_mailing_history": None, "galette_reminders": "delete",
     "galette_tmppasswds": "delete"})


BLIND3 = {s.name: s for s in (ATS, ASSO, ZAKEN, AUTOVERHUUR, VET)}
