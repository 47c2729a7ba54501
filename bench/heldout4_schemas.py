"""A fourth held-out batch for `eraser discover`, the second blind one: written and labelled, and the labels
committed, before discovery ever ran on it, after the first blind batch (bench/heldout3_schemas.py) had been used to
correct the detector. Each is the shape of a public application schema, written here as minimal DDL of the same
shape (no schema file copied), filled with deterministic Faker data, and labelled with rules R1-R6 of
bench/labelled_schemas.py and the notes below. None of the applications was used by an earlier batch.

- `helpdesk`: osTicket (osTicket/osTicket, setup/inc/streams/core/install-mysql.sql), the open-source help desk:
  organizations, users with their emails, accounts and contact form data (`ost_user__cdata`), staff, departments,
  help topics, ticket statuses, tickets with their form data (`ost_ticket__cdata`), threads, thread entries,
  files and attachments, sessions.
- `hrm`: OrangeHRM (orangehrm/orangehrm; the `hs_hr_*` and `ohrm_*` tables of its install script), the
  open-source HR system, as a Flemish employer runs it: employees, emergency contacts, dependents, passports,
  basic salaries, users, leave requests and types, job titles, subunits, locations, nationalities, vacancies,
  job candidates and their attachments.
- `tickets`, `herberg`, `emis`: bench/heldout4_services.py.

Labelling notes beyond R1-R6 (decided before the first run):
- D1 the organisation's own departments, locations, branches and schools (their phone, generic email, address,
  a department's signature) reach no one person: not personal (as B1); a person's name in such a row (a school's
  contact person) is personal.
- D2 characteristics are personal however they are stored (R2): smoker, ethnic or race code, military service,
  marital status, a gender stored as an integer code, a driving licence's number and expiry date, a passport's
  number and dates; a relationship word (`spouse`, `conjoint`) is not (as in the dental schema).
- D3 references are not personal (R3, R5): a ticket number, an order code, a ticket's secret, an invoice number,
  a payment provider's reference, a file's storage key or hash, a PDF's generated path that names no one; an
  original file name that names the person (`cv_peeters.pdf`) is personal (as in the club schema).
- D4 a help desk's tickets, threads, entries and their attachments are the customer's: `delete`; the staff are
  `review` (R6); a customer organisation is left out (R4); the subject a customer typed is personal (as in the
  demo schema), a template subject the organisation sends (`Confirmation de votre réservation`) is not.
- D5 employees and their sub-records (emergency contacts, dependents, passports, salaries, leave, user accounts)
  are `review` (R6, N4); a job applicant who was not hired and their CV are `delete`; a vacancy is the
  organisation's record, left out.
- D6 an order that was paid, its priced positions, its invoice address, its invoices, payments and refunds are
  accounting: `retain`; the attendee's check-ins and answers to the event's questions are not: `delete`; a
  customer account is `delete`; the organiser's team users are `review` (R6). JSON payment details naming the
  payer or an IBAN are personal.
- D7 a hotel's guest register (Belgium: Law of 1 March 2007 on miscellaneous provisions (III), art. 141-147, and
  Royal Decree of 27 April 2007 on the registration and control of travellers in tourist accommodation) is kept by
  law: `retain`; the booking an invoice bills and its priced extras are accounting: `retain` (N2); the guest's own
  row, which the register and invoices keep pointing to, is decided by someone: `review`; messages sent to the
  guest are `delete`.
- D8 a school's enrolments, results, report cards, absences and special-needs assessments are the academic file:
  `retain` (N2); a table of persons that mixes students, staff and guardians is `review`; a person's contact
  values and guardian links are `delete`; fees paid are accounting: `retain`; staff assignments are `review`.
- D9 a VAT number is personal where the column holds persons' numbers in some rows (a self-employed guest's, and
  its copy on the guest's invoice), not where only companies have one (a business buyer's `vat_id`).
- D10 a column that references a lookup table by foreign key (`gender_id`, `nation_code`, `nationality_id`) is a
  reference (R5), not personal; the same category stored as a code without a foreign key is personal (D2).
"""

from __future__ import annotations

import random
from datetime import timedelta

import sqlalchemy as sa
from heldout4_services import EMIS, HERBERG, TICKETS
from heldout_schemas import _fill, _Rows, _when
from labelled_schemas import Labelled, _p

from eraser.engine.anonymize import make_faker

# -- helpdesk: osTicket ----------------------------------------------------------------------------


def build_helpdesk(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["en_GB", "nl_BE"], seed), _Rows()
    en = fake["en_GB"]
    for _ in range(30):
        company = en.company()
        rows.add("ost_organization", name=company, domain=f"{en.domain_word()}.example.com", status=0,
                 created=_when(rng))
    for name, sig in [("Support", "The Support Team"), ("Billing", "Accounts department"),
                      ("Sales", "Sales team")]:
        rows.add("ost_department", name=name, signature=sig, ispublic=1)
    for topic in ("General Inquiry", "Report a Problem", "Billing question", "Feature request"):
        rows.add("ost_help_topic", key="topic_id", topic=topic, ispublic=1, dept_id=rng.randint(1, 3))
    for name, state in [("Open", "open"), ("Resolved", "closed"), ("Closed", "closed"), ("Archived", "archived")]:
        rows.add("ost_ticket_status", name=name, state=state)
    for i in range(14):
        first, last = en.first_name(), en.last_name()
        rows.add("ost_staff", key="staff_id", dept_id=1 + i % 3, username=f"{first[0]}{last}".lower(),
                 firstname=first, lastname=last, passwd=fake.sha256(),
                 email=f"{first}.{last}@helpdesk.example.com".lower(), phone=en.phone_number(),
                 phone_ext=str(rng.randint(100, 400)), mobile=rng.choice([None, en.phone_number()]),
                 signature=f"Kind regards,\n{first} {last}", isadmin=int(i < 2), lastlogin=_when(rng))
    sessions: set[str] = set()
    for _ in range(260):
        f = fake[rng.choice(["en_GB", "nl_BE"])]
        first, last = f.first_name(), f.last_name()
        u = rows.add("ost_user", org_id=rng.choice([None, None, rng.randint(1, 30)]), status=0,
                     name=f"{first} {last}", created=_when(rng), updated=_when(rng))
        email = f"{first}.{last}{rng.randint(1, 99)}@example.org".lower().replace(" ", "")
        e = rows.add("ost_user_email", user_id=u, flags=0, address=email)
        rows["ost_user"][-1]["default_email_id"] = e
        rows.add("ost_user__cdata", key="user_id", user_id=u, email=email, name=f"{first} {last}",
                 phone=rng.choice([None, f.phone_number()]),
                 notes=rng.choice([None, None, "VIP customer, call before closing", f"Prefers Dutch, ask for {first}"]))
        if rng.random() < 0.6:
            rows.add("ost_user_account", user_id=u, status=1, timezone="Europe/Brussels",
                     lang=rng.choice(["en_GB", "nl"]), username=rng.choice([None, f"{first}{last}".lower()]),
                     passwd=fake.sha256(), backend=None, registered=_when(rng))
        for _ in range(rng.randint(0, 3)):
            sid = fake.sha1()
            while sid in sessions:  # Faker repeats itself under some seeds
                sid = fake.sha1()
            sessions.add(sid)
            rows.add("ost_session", key="session_id", session_id=sid, session_data=fake.sha256(),
                     session_expire=_when(rng), user_id=u, user_ip=fake.ipv4_public(), user_agent=fake.user_agent())
        for _ in range(rng.randint(0, 4)):
            opened = _when(rng)
            t = rows.add("ost_ticket", key="ticket_id", number=str(rng.randint(100000, 999999)), user_id=u,
                         user_email_id=e, status_id=rng.randint(1, 4), dept_id=rng.randint(1, 3),
                         staff_id=rng.choice([None, rng.randint(1, 14)]), topic_id=rng.randint(1, 4),
                         ip_address=fake.ipv4_public(), source=rng.choice(["Web", "Email", "Phone"]),
                         created=opened, closed=rng.choice([None, opened + timedelta(days=rng.randint(1, 9))]))
            rows.add("ost_ticket__cdata", key="ticket_id", ticket_id=t,
                     subject=rng.choice(["Cannot log in", f"Invoice for {last}", "Printer offline again",
                                         f"Change of address {first} {last}", "Refund request", "Password reset"]),
                     priority=rng.choice([1, 2, 3]))
            th = rows.add("ost_thread", object_id=t, object_type="T", created=opened)
            for n in range(rng.randint(1, 4)):
                by_staff = n % 2 == 1
                staff = rng.randint(1, 14)
                entry = rows.add("ost_thread_entry", thread_id=th, staff_id=staff if by_staff else None,
                                 user_id=None if by_staff else u, type="R" if by_staff else "M",
                                 poster=rows["ost_staff"][staff - 1]["firstname"] if by_staff else f"{first} {last}",
                                 title=None, format="html", ip_address=None if by_staff else fake.ipv4_public(),
                                 body=rng.choice([f"Hello {first}, we have reset your account.",
                                                  f"My phone number is {f.phone_number()}, please call me.",
                                                  "The export still fails with error 500.",
                                                  f"I moved to {f.street_address()}, {f.city()}."]),
                                 created=opened + timedelta(hours=n))
                if rng.random() < 0.2:
                    fid = rows.add("ost_file", ft="T", type=rng.choice(["image/png", "application/pdf"]),
                                   size=rng.randint(10_000, 900_000), key=fake.bothify("??????????????????"),
                                   signature=fake.sha1()[:16], bk="D",
                                   name=rng.choice(["screenshot.png", "error.png",
                                                    f"invoice_{last.lower().replace(' ', '_')}.pdf",
                                                    f"passport_{first.lower()}.pdf"]),
                                   created=opened)
                    rows.add("ost_attachment", object_id=entry, type="H", file_id=fid, inline=0)
    _fill(engine, """
        CREATE TABLE ost_organization (id INTEGER PRIMARY KEY, name VARCHAR(128), domain VARCHAR(256),
                                       status INTEGER, created TIMESTAMP);
        CREATE TABLE ost_department (id INTEGER PRIMARY KEY, name VARCHAR(128), signature TEXT, ispublic INTEGER);
        CREATE TABLE ost_help_topic (topic_id INTEGER PRIMARY KEY, topic VARCHAR(128), ispublic INTEGER,
                                     dept_id INTEGER REFERENCES ost_department(id));
        CREATE TABLE ost_ticket_status (id INTEGER PRIMARY KEY, name VARCHAR(60), state VARCHAR(16));
        CREATE TABLE ost_staff (staff_id INTEGER PRIMARY KEY, dept_id INTEGER REFERENCES ost_department(id),
                                username VARCHAR(32), firstname VARCHAR(32), lastname VARCHAR(32), passwd VARCHAR(128),
                                email VARCHAR(255), phone VARCHAR(24), phone_ext VARCHAR(6), mobile VARCHAR(24),
                                signature TEXT, isadmin INTEGER, lastlogin TIMESTAMP);
        CREATE TABLE ost_user (id INTEGER PRIMARY KEY, org_id INTEGER REFERENCES ost_organization(id),
                               default_email_id INTEGER, status INTEGER, name VARCHAR(128), created TIMESTAMP,
                               updated TIMESTAMP);
        CREATE TABLE ost_user_email (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES ost_user(id), flags INTEGER,
                                     address VARCHAR(255));
        CREATE TABLE ost_user__cdata (user_id INTEGER PRIMARY KEY REFERENCES ost_user(id), email VARCHAR(255),
                                      name VARCHAR(255), phone VARCHAR(32), notes TEXT);
        CREATE TABLE ost_user_account (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES ost_user(id),
                                       status INTEGER, timezone VARCHAR(64), lang VARCHAR(16), username VARCHAR(64),
                                       passwd VARCHAR(128), backend VARCHAR(32), registered TIMESTAMP);
        CREATE TABLE ost_session (session_id VARCHAR(255) PRIMARY KEY, session_data TEXT, session_expire TIMESTAMP,
                                  user_id INTEGER REFERENCES ost_user(id), user_ip VARCHAR(64), user_agent VARCHAR(255));
        CREATE TABLE ost_ticket (ticket_id INTEGER PRIMARY KEY, number VARCHAR(20),
                                 user_id INTEGER REFERENCES ost_user(id),
                                 user_email_id INTEGER REFERENCES ost_user_email(id),
                                 status_id INTEGER REFERENCES ost_ticket_status(id),
                                 dept_id INTEGER REFERENCES ost_department(id),
                                 staff_id INTEGER REFERENCES ost_staff(staff_id),
                                 topic_id INTEGER REFERENCES ost_help_topic(topic_id), ip_address VARCHAR(64),
                                 source VARCHAR(16), created TIMESTAMP, closed TIMESTAMP);
        CREATE TABLE ost_ticket__cdata (ticket_id INTEGER PRIMARY KEY REFERENCES ost_ticket(ticket_id),
                                        subject TEXT, priority INTEGER);
        CREATE TABLE ost_thread (id INTEGER PRIMARY KEY, object_id INTEGER REFERENCES ost_ticket(ticket_id),
                                 object_type CHAR(1), created TIMESTAMP);
        CREATE TABLE ost_thread_entry (id INTEGER PRIMARY KEY, thread_id INTEGER REFERENCES ost_thread(id),
                                       staff_id INTEGER REFERENCES ost_staff(staff_id),
                                       user_id INTEGER REFERENCES ost_user(id), type CHAR(1), poster VARCHAR(128),
                                       title VARCHAR(255), body TEXT, format VARCHAR(16), ip_address VARCHAR(64),
                                       created TIMESTAMP);
        CREATE TABLE ost_file (id INTEGER PRIMARY KEY, ft CHAR(1), type VARCHAR(255), size INTEGER, key VARCHAR(86),
                               signature VARCHAR(86), bk CHAR(1), name VARCHAR(255), created TIMESTAMP);
        CREATE TABLE ost_attachment (id INTEGER PRIMARY KEY, object_id INTEGER REFERENCES ost_thread_entry(id),
                                     type CHAR(1), file_id INTEGER REFERENCES ost_file(id), inline INTEGER)""", rows)


HELPDESK = Labelled(
    "helpdesk", "osTicket: a help desk's users, staff, tickets and threads", build_helpdesk,
    _p({"ost_staff": "username firstname lastname passwd email phone mobile signature",
        "ost_user": "name", "ost_user_email": "address", "ost_user__cdata": "email name phone notes",
        "ost_user_account": "username passwd", "ost_session": "session_id user_ip user_agent",
        "ost_ticket": "ip_address", "ost_ticket__cdata": "subject", "ost_thread_entry": "poster body ip_address",
        "ost_file": "name"}),
    {"ost_organization": None, "ost_department": None, "ost_help_topic": None, "ost_ticket_status": None,
     "ost_staff": "review", "ost_user": "delete", "ost_user_email": "delete", "ost_user__cdata": "delete",
     "ost_user_account": "delete", "ost_session": "delete", "ost_ticket": "delete", "ost_ticket__cdata": "delete",
     "ost_thread": "delete", "ost_thread_entry": "delete", "ost_file": "delete", "ost_attachment": "delete"})


# -- hrm: OrangeHRM --------------------------------------------------------------------------------

def build_hrm(engine: sa.Engine, seed: int) -> None:
    rng, fake, rows = random.Random(seed), make_faker(["nl_BE", "fr_BE"], seed), _Rows()
    nl = fake["nl_BE"]
    for name in ("Belg", "Nederlander", "Fransman", "Marokkaan", "Pool"):
        rows.add("ohrm_nationality", name=name)
    for title in ("Boekhouder", "Magazijnier", "HR-adviseur", "Verkoper", "Ontwikkelaar", "Teamleider"):
        rows.add("ohrm_job_title", job_title=title, job_description=f"{title}: zie functieomschrijving",
                 is_deleted=0)
    for name in ("Financiën", "Logistiek", "Personeelsdienst", "Verkoop", "IT"):
        rows.add("ohrm_subunit", name=name, unit_id=name[:3].upper(), description=f"Afdeling {name}")
    for name, city in [("Hoofdzetel", "Mechelen"), ("Magazijn", "Willebroek")]:
        rows.add("ohrm_location", name=name, country_code="BE", province="Antwerpen", city=city,
                 address=nl.street_address(), zip_code=nl.postcode(), phone=nl.phone_number(), fax=None,
                 notes="Receptie open van 8 tot 17 uur")
    for name in ("Jaarlijks verlof", "Ziekte", "Ouderschapsverlof", "Klein verlet"):
        rows.add("ohrm_leave_type", name=name, deleted=0)
    for n in range(1, 181):
        f = fake[rng.choice(["nl_BE", "nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        married = rng.choice(["Single", "Married", "Other"])
        rows.add("hs_hr_employee", key="emp_number", employee_id=f"{n:04d}", emp_lastname=last, emp_firstname=first,
                 emp_middle_name=rng.choice(["", "", f.first_name()]), emp_nick_name=rng.choice(["", "", first[:3]]),
                 emp_smoker=rng.choice([0, 0, 1]), ethnic_race_code=rng.choice([None, None, "1", "2"]),
                 emp_birthday=fake.date_of_birth(minimum_age=18, maximum_age=66), nation_code=rng.randint(1, 5),
                 emp_gender=rng.choice([1, 2]), emp_marital_status=married, emp_ssn_num=nl.ssn(),
                 emp_sin_num="", emp_other_id=rng.choice(["", f"BADGE-{rng.randint(1000, 9999)}"]),
                 emp_dri_lice_num=rng.choice(["", str(rng.randint(10**9, 10**10 - 1))]),
                 emp_dri_lice_exp_date=rng.choice([None, _when(rng).date() + timedelta(days=3650)]),
                 emp_military_service=rng.choice(["", "", "Vrijgesteld", "Legerdienst 1992"]),
                 job_title_code=rng.randint(1, 6), work_station=rng.randint(1, 5), emp_street1=f.street_address(),
                 emp_street2=rng.choice(["", "", "bus 2"]), city_code=f.city(), coun_code="BE",
                 provin_code=rng.choice(["Antwerpen", "Vlaams-Brabant", "Limburg"]), emp_zipcode=f.postcode(),
                 emp_hm_telephone=rng.choice([None, f.phone_number()]), emp_mobile=f.phone_number(),
                 emp_work_telephone=rng.choice([None, nl.phone_number()]),
                 emp_work_email=f"{first}.{last}@bedrijf.example.be".lower().replace(" ", ""),
                 emp_oth_email=rng.choice([None, f"{first}{rng.randint(1, 99)}@example.be".lower()]),
                 joined_date=fake.date_between("-15y", "-1m"), termination_id=None)
        for seq in range(1, rng.randint(1, 3)):
            rows.add("hs_hr_emp_emergency_contacts", emp_number=n, eec_seqno=seq, eec_name=f.name(),
                     eec_relationship=rng.choice(["Partner", "Moeder", "Vader", "Zus"]),
                     eec_home_no=rng.choice([None, f.phone_number()]), eec_mobile_no=f.phone_number(),
                     eec_office_no=None)
        if married == "Married" or rng.random() < 0.3:
            for seq in range(1, rng.randint(2, 4)):
                rows.add("hs_hr_emp_dependents", emp_number=n, ed_seqno=seq, ed_name=f"{f.first_name()} {last}",
                         ed_relationship_type="child", ed_relationship=None,
                         ed_date_of_birth=fake.date_of_birth(minimum_age=0, maximum_age=25))
        if rng.random() < 0.3:
            issued = _when(rng).date()
            rows.add("hs_hr_emp_passport", emp_number=n, ep_seqno=1, ep_passport_num=fake.bothify("EH######"),
                     ep_passportissueddate=issued, ep_passportexpiredate=issued + timedelta(days=3650),
                     ep_comments=rng.choice([None, "Kopie in personeelsdossier"]), ep_passport_type_flg=1,
                     cou_code="BE")
        rows.add("hs_hr_emp_basicsalary", emp_number=n, salary_component="Basisloon",
                 ebsal_basic_salary=str(rng.randint(2400, 6500)), payperiod_code="4", currency_id="EUR",
                 comments=rng.choice([None, "Indexering januari", f"Loonsverhoging na evaluatie {first}"]))
        if rng.random() < 0.5:
            rows.add("ohrm_user", user_role_id=rng.choice([1, 2, 2, 2]), emp_number=n,
                     user_name=f"{first}.{last}".lower().replace(" ", ""), user_password=fake.sha256(), deleted=0,
                     status=1, date_entered=_when(rng))
        for _ in range(rng.randint(0, 4)):
            rows.add("ohrm_leave_request", leave_type_id=rng.randint(1, 4), date_applied=_when(rng).date(),
                     emp_number=n, comments=rng.choice([None, "Huwelijk van mijn broer", "Operatie knie",
                                                        f"Verhuis naar {f.city()}"]))
    for i in range(12):
        rows.add("ohrm_job_vacancy", job_title_code=rng.randint(1, 6), hiring_manager_id=rng.randint(1, 180),
                 name=f"Vacature {rows['ohrm_job_title'][i % 6]['job_title']} {2020 + i % 5}",
                 description="Voltijds, onmiddellijk beschikbaar", no_of_positions=rng.randint(1, 3), status=1,
                 defined_time=_when(rng))
    for _ in range(140):
        f = fake[rng.choice(["nl_BE", "fr_BE"])]
        first, last = f.first_name(), f.last_name()
        c = rows.add("ohrm_job_candidate", first_name=first, middle_name=rng.choice([None, None, f.first_name()]),
                     last_name=last, email=f"{first}.{last}{rng.randint(1, 99)}@example.be".lower().replace(" ", ""),
                     contact_number=f.phone_number(), status=1,
                     comment=rng.choice([None, "Sterk profiel, tweede gesprek", f"{first} wil max 30 km rijden"]),
                     mode_of_application=rng.choice([1, 2]), date_of_application=_when(rng).date(),
                     keywords=rng.choice([None, "SAP, Excel", "heftruck", "Python"]),
                     vacancy_id=rng.randint(1, 12))
        if rng.random() < 0.7:
            rows.add("ohrm_job_candidate_attachment", candidate_id=c,
                     file_name=f"cv_{last.lower().replace(' ', '_')}.pdf", file_type="application/pdf",
                     file_size=rng.randint(40_000, 900_000))
    _fill(engine, """
        CREATE TABLE ohrm_nationality (id INTEGER PRIMARY KEY, name VARCHAR(100));
        CREATE TABLE ohrm_job_title (id INTEGER PRIMARY KEY, job_title VARCHAR(100), job_description VARCHAR(400),
                                     is_deleted INTEGER);
        CREATE TABLE ohrm_subunit (id INTEGER PRIMARY KEY, name VARCHAR(100), unit_id VARCHAR(100),
                                   description VARCHAR(400));
        CREATE TABLE ohrm_location (id INTEGER PRIMARY KEY, name VARCHAR(110), country_code VARCHAR(3),
                                    province VARCHAR(60), city VARCHAR(60), address VARCHAR(255),
                                    zip_code VARCHAR(35), phone VARCHAR(35), fax VARCHAR(35), notes VARCHAR(255));
        CREATE TABLE ohrm_leave_type (id INTEGER PRIMARY KEY, name VARCHAR(50), deleted INTEGER);
        CREATE TABLE hs_hr_employee (emp_number INTEGER PRIMARY KEY, employee_id VARCHAR(50),
                                     emp_lastname VARCHAR(100), emp_firstname VARCHAR(100),
                                     emp_middle_name VARCHAR(100), emp_nick_name VARCHAR(100), emp_smoker SMALLINT,
                                     ethnic_race_code VARCHAR(13), emp_birthday DATE,
                                     nation_code INTEGER REFERENCES ohrm_nationality(id), emp_gender SMALLINT,
                                     emp_marital_status VARCHAR(20), emp_ssn_num VARCHAR(100),
                                     emp_sin_num VARCHAR(100), emp_other_id VARCHAR(100),
                                     emp_dri_lice_num VARCHAR(100), emp_dri_lice_exp_date DATE,
                                     emp_military_service VARCHAR(100),
                                     job_title_code INTEGER REFERENCES ohrm_job_title(id),
                                     work_station INTEGER REFERENCES ohrm_subunit(id), emp_street1 VARCHAR(100),
                                     emp_street2 VARCHAR(100), city_code VARCHAR(100), coun_code VARCHAR(100),
                                     provin_code VARCHAR(100), emp_zipcode VARCHAR(20), emp_hm_telephone VARCHAR(50),
                                     emp_mobile VARCHAR(50), emp_work_telephone VARCHAR(50),
                                     emp_work_email VARCHAR(50), emp_oth_email VARCHAR(50), joined_date DATE,
                                     termination_id INTEGER);
        CREATE TABLE hs_hr_emp_emergency_contacts (id INTEGER PRIMARY KEY,
                                                   emp_number INTEGER REFERENCES hs_hr_employee(emp_number),
                                                   eec_seqno INTEGER, eec_name VARCHAR(100),
                                                   eec_relationship VARCHAR(100), eec_home_no VARCHAR(100),
                                                   eec_mobile_no VARCHAR(100), eec_office_no VARCHAR(100));
        CREATE TABLE hs_hr_emp_dependents (id INTEGER PRIMARY KEY,
                                           emp_number INTEGER REFERENCES hs_hr_employee(emp_number),
                                           ed_seqno INTEGER, ed_name VARCHAR(100), ed_relationship_type VARCHAR(10),
                                           ed_relationship VARCHAR(100), ed_date_of_birth DATE);
        CREATE TABLE hs_hr_emp_passport (id INTEGER PRIMARY KEY,
                                         emp_number INTEGER REFERENCES hs_hr_employee(emp_number), ep_seqno INTEGER,
                                         ep_passport_num VARCHAR(100), ep_passportissueddate DATE,
                                         ep_passportexpiredate DATE, ep_comments VARCHAR(255),
                                         ep_passport_type_flg SMALLINT, cou_code VARCHAR(6));
        CREATE TABLE hs_hr_emp_basicsalary (id INTEGER PRIMARY KEY,
                                            emp_number INTEGER REFERENCES hs_hr_employee(emp_number),
                                            salary_component VARCHAR(100), ebsal_basic_salary VARCHAR(100),
                                            payperiod_code VARCHAR(13), currency_id VARCHAR(6), comments VARCHAR(255));
        CREATE TABLE ohrm_user (id INTEGER PRIMARY KEY, user_role_id INTEGER,
                                emp_number INTEGER REFERENCES hs_hr_employee(emp_number), user_name VARCHAR(40),
                                user_password VARCHAR(255), deleted INTEGER, status INTEGER, date_entered TIMESTAMP);
        CREATE TABLE ohrm_leave_request (id INTEGER PRIMARY KEY, leave_type_id INTEGER REFERENCES ohrm_leave_type(id),
                                         date_applied DATE, emp_number INTEGER REFERENCES hs_hr_employee(emp_number),
                                         comments VARCHAR(256));
        CREATE TABLE ohrm_job_vacancy (id INTEGER PRIMARY KEY, job_title_code INTEGER REFERENCES ohrm_job_title(id),
                                       hiring_manager_id INTEGER REFERENCES hs_hr_employee(emp_number),
                                       name VARCHAR(100), description TEXT, no_of_positions INTEGER, status INTEGER,
                                       defined_time TIMESTAMP);
        CREATE TABLE ohrm_job_candidate (id INTEGER PRIMARY KEY, first_name VARCHAR(30), middle_name VARCHAR(30),
                                         last_name VARCHAR(30), email VARCHAR(100), contact_number VARCHAR(30),
                                         status INTEGER, comment TEXT, mode_of_application INTEGER,
                                         date_of_application DATE, keywords VARCHAR(255),
                                         vacancy_id INTEGER REFERENCES ohrm_job_vacancy(id));
        CREATE TABLE ohrm_job_candidate_attachment (id INTEGER PRIMARY KEY,
                                                    candidate_id INTEGER REFERENCES ohrm_job_candidate(id),
                                                    file_name VARCHAR(200), file_type VARCHAR(200),
                                                    file_size INTEGER)""", rows)


HRM = Labelled(
    "hrm", "OrangeHRM as a Flemish employer runs it (employees, leave, recruitment)", build_hrm,
    _p({"hs_hr_employee": "employee_id emp_lastname emp_firstname emp_middle_name emp_nick_name emp_smoker "
                          "ethnic_race_code emp_birthday emp_gender emp_marital_status emp_ssn_num emp_other_id "
                          "emp_dri_lice_num emp_dri_lice_exp_date emp_military_service emp_street1 emp_street2 "
                          "city_code provin_code emp_zipcode emp_hm_telephone emp_mobile emp_work_telephone "
                          "emp_work_email emp_oth_email",
        "hs_hr_emp_emergency_contacts": "eec_name eec_home_no eec_mobile_no",
        "hs_hr_emp_dependents": "ed_name ed_date_of_birth",
        "hs_hr_emp_passport": "ep_passport_num ep_passportissueddate ep_passportexpiredate ep_comments",
        "hs_hr_emp_basicsalary": "comments", "ohrm_user": "user_name user_password",
        "ohrm_leave_request": "comments",
        "ohrm_job_candidate": "first_name middle_name last_name email contact_number comment keywords",
        "ohrm_job_candidate_attachment": "file_name"}),
    {"ohrm_nationality": None, "ohrm_job_title": None, "ohrm_subunit": None, "ohrm_location": None,
     "ohrm_leave_type": None, "hs_hr_employee": "review", "hs_hr_emp_emergency_contacts": "review",
     "hs_hr_emp_dependents": "review", "hs_hr_emp_passport": "review", "hs_hr_emp_basicsalary": "review",
     "ohrm_user": "review", "ohrm_leave_request": "review", "ohrm_job_vacancy": None,
     "ohrm_job_candidate": "delete", "ohrm_job_candidate_attachment": "delete"})


BLIND2 = {s.name: s for s in (HELPDESK, HRM, TICKETS, HERBERG, EMIS)}
