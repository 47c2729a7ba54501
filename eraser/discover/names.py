"""What column and table names say: English, Dutch and French vocabularies of personal data."""

from __future__ import annotations

import re
import unicodedata

PERSONAL = 0.5  # confidence from which a column counts as personal

# -- names ------------------------------------------------------------------------------------

# (category, pattern on the normalized name wrapped in underscores, e.g. `_billing_email_`); first match wins.
NAME_RULES: list[tuple[str, str]] = [
    ("ip_address", r"_(ip|ipv4|ipv6|ip_?addr(ess)?|ip_?adres|adresse_ip|remote_?addr|client_?ip)_"),
    ("email", r"e_?mail|courriel|mailadres|_mail_"),
    ("phone", r"phone|telefoon|telephone|telefon|_tel_|_tel_?n[or]_|gsm|mobile|mobiel|_portable_|_fax_|_cell_"),
    ("date_of_birth", r"birth|geboorte|naissance|_dob_|geburt"),
    ("national_id", r"rijksregister|_(rrn|insz|niss|nn|bsn|ssn)_|national_?(number|nummer|id|register)|"
                    r"registre_?national|numero_?national|social_?security|securite_?sociale|passport|paspoort|"
                    r"passeport|id_?card|identiteitskaart|carte_?(d_)?identite|_eid_|piece_?(d_)?identite|"
                    r"identity_?document|id_?document|identiteitsbewijs|driv(ing|ers?)_?licen[cs]e|rijbewijs|"
                    r"permis_?de_?conduire|_dri_?lice?n?[cs]?e?_|numero_?(du_|de_)?document|document_?numero"),
    ("bank_account", r"iban|bank_?account|rekening_?n|_rekening_|compte_?bancaire|numero_?(de_)?compte|"
                     r"account_?number|bank_?(ac|acc|acct)_?(no|num|number|nr)_"),
    ("payment_card", r"card_?(number|last_?4|holder|no)|cardholder|kaart_?(nummer|houder|laatste_?4)|_pan_|"
                     r"carte_?bancaire|last_?(4|four)_?digits|derniers_?(4|chiffres)|"
                     r"_ccn_|credit_?card|_cc_?(num|number|nr|no)_"),
    ("vat_number", r"(vat|btw|tva|ust)_?(number|nummer|nr|no|id|numero|num|identification)|"
                   r"_(numero|num|n|no)_?(de_)?(tva|btw|vat)_|ondernemingsnummer|"
                   r"enterprise_?number|_kbo_|_bce_|company_?number|_siren_|_siret_|(vat|btw|tva)_?(client|klant|customer)"),
    ("first_name", r"first_?name|given_?name|forename|voornaam|prenom|vorname|_fname_|middle_?name|"
                   r"second_?name|tussenvoegsel|voornamen|voorvoegsel|_mname_|other_?names|_initials_|nick_?name|"
                   r"preferred_?name|roep_?naam|_surnom_|known_?as|voorletters|initialen|_initiales_"),
    ("last_name", r"last_?name|surname|family_?name|achternaam|familienaam|nom_de_famille|nachname|_lname_|maiden|geslachtsnaam|"
                  r"name_?suffix|suffix_?name"),
    ("full_name", r"^_contact_$|contact_?name|guardians?_?name|parents?_?name|person_to_be_contacted|emergency_?contact_?"
                  r"(name|person)|household_?name|_sort_name_|contact_?person(?!_?id)|"
                  r"(second|extra|additional|tweede|bijkomende|other)_?(driver|bestuurder|chauffeur|conducteur)"),
    ("username", r"(?<!_last)(?<!_first)_(username|user_name|login|login_name|gebruikersnaam|identifiant|pseudo|"
                 r"nickname|handle|userid|user_?login|nom_?(d_)?utilisateur)_$"),
    ("password", r"password|passwd|wachtwoord|mot_de_passe|_pwd_|pass_?hash|pass_?crypt|_mdp_"),
    ("street", r"street|straat|_rue_|address_?line|adres_?lijn|_line_?[12]_|(?<!www)(?<!web)(?<!mac)(?<!url)_(address|adres|adresse)_?[123]?_|"
               r"street_?[23]|openbare_?ruimte"),
    ("house_number", r"house_?n(umbe)?r|huis_?n(umme)?r|_house_|_bus_|_box_|_boite_|numero_de_rue|"
                     r"huisletter|huis_?n(umme)?r_?toevoeging|house_?letter"),
    ("postcode", r"post_?code|postal|_zip|code_?postal|_plz_|_cp_|_npa_"),
    ("city", r"_city_|_town_|gemeente|woonplaats|_ville_|_commune_|localite|_stad_|_plaats_|_suburb_|"
             r"_district_|_locality_|deelgemeente"),
    ("region", r"_(state|province|provin|provincie|county|region|departement|deelstaat)_"),
    ("gender", r"gender|_sex_|geslacht|_sexe_|civilit|salutation|aanspreking|aanhef"),
    ("characteristic", r"nationalit|ethnic|etnisch|_race_|marital|civil_?status|burgerlijke_?staat|"
                       r"etat_?civil|situation_?familiale|blood_?(group|type)|bloedgroep|groupe_?sanguin|religio|"
                       r"godsdienst|military|militair|legerdienst|service_?militaire|smok(er|ing)|_roker_|rookgedrag|"
                       r"fumeur|special_?needs?|handicap|disabilit|beperking|zorgnoden|besoins_?particuliers|"
                       r"_rh_|rhesus|deceased|_dod_|date_?of_?death|death_?date|overlijden|overleden|_deces_|_decede_|"
                       r"dwelling|woningtype|type_?(de_)?logement"),
    ("licence_plate", r"kenteken|licen[cs]e_?plate|number_?plate|nummerplaat|plaque_?(d_?)?immatriculation|"
                      r"kennzeichen|vehicle_?registration|registration_?plate"),
    ("geolocation", r"latitude|longitude|_(lat|lng|lon)_|geoloc|_gps_|coordinates|coordonnees|geo_?code"),
    ("user_agent", r"user_?agent|_browser_(?!lang)|_ua_|device_?id|fingerprint|_session_?(id|key|token)?_$|sessie|cookie|"
                   r"visitor_?id|"
                   r"bezoeker_?id|tracking_?(id|hash|code|key)|remember_?token|confirmation_?(code|token|key)|"
                   r"verification_?(code|token)|activation_?(code|key|token)|reset_?(code|token)|contact_?key|"
                   r"oauth_?(provider_?)?(user_?)?id|_(oauth|gateway|card|payment_?method|login|access|refresh)_?token_|"
                   r"^_token_$|remote_?host|reverse_?(dns|host)|_isp_"),
    ("job_title", r"job_?title|_functie_|_fonction_|beroep|profession|occupation|_(key_)?skills_|^_(job|poste)_$|"
                  r"vaardigheden|competences|competencies|^_prof_$"),
    ("customer_number", r"code_?(client|klant|adherent|membre|lid)|"
                        r"(customer|client|klant|member|lid|lidmaat|abonne|subscriber|student|employee|"
                        r"personeels|patient)_?(number|nummer|nr|no|numero|code|ref)|_id_?number_|matricul|"
                        r"stamnummer|policy_?(number|nummer|nr|no)|polis_?nummer|external_?identifier|"
                        r"(?<!company_)(?<!vehicle_)registration_?(number|nummer|nr|no)|_riziv_|_inami_|"
                        r"big_?(nummer|number)|_rpps_|_adeli_|microchip|transponder|chip_?(number|nummer|nr|no)|"
                        r"_puce_"),
    ("website", r"(user|author|member|personal|customer|client|klant|contact)_?(url|website|homepage|site)|"
                r"linked_?in|twitter|facebook|instagram|tiktok|mastodon|_skype_|social_?(profile|handle|media)"),
    ("country", r"_(country|land|pays|country_?name)_"),
    ("media", r"photo|foto|avatar|picture|image|attachment|bijlage|piece_?jointe|handtekening|"
              r"signature_?(image|img|file|path|scan|png)"),
    ("house_number", r"^_(numero|nummer|nr|num|number|no)_$"),  # only beside a street (values.bare_house_number)
]
# An ambiguous name column: a person's name in a person table or with a person qualifier, else a thing's name.
NAME_WORD = re.compile(r"_(name|naam|nom|fullname|full_name|display_?name|contact_?naam|contactnaam|klantnaam)_")
COMPANY_WORDS = re.compile(r"compan|company|bedrijf|societe|entreprise|firma|organi|business|handels")
PERSON_QUALIFIERS = {"full", "display", "contact", "customer", "client", "klant", "billing", "user", "respondent",
                     "person", "persoon", "patient", "employee", "member", "lid", "owner", "recipient", "sender",
                     "payer", "holder", "partner", "guest", "student", "facturatie", "facturation", "complet",
                     "volledige", "contactpersoon", "ontvanger", "destinataire", "expediteur", "afzender", "factuur",
                     "invoice", "facture", "sort", "household", "guardian", "attendee",
                     "poster", "author", "participant", "visitor", "bezoeker", "deelnemer"}
# Free text: message-like columns are written by or about people; description-like ones only with evidence.
MESSAGE_WORDS = re.compile(r"_(note|notes|comment|comments|remark|remarks|opmerking|opmerkingen|commentaire|"
                           r"commentaires|remarque|remarques|message|messages|bericht|berichten|body|content|inhoud|"
                           r"contenu|feedback|answer|answer_text|antwoord|reponse|response_text|compte_rendu|"
                           r"verslag|memo|subject|onderwerp|sujet|notities|notitie|reason|reden|motif|complaint|klacht|info|infos|"
                           r"toelichting|info_public)_")
TEXT_WORDS = re.compile(r"_(description|omschrijving|beschrijving|text|tekst|texte|title|titel|titre|caption|"
                        r"bijschrift|legende|detail|details|objet|properties|payload|data|metadata|extra|context|"
                        r"desc|value|val|waarde|valeur|field_val|meta_value|meta|log_meta)_")

# -- tables -----------------------------------------------------------------------------------

ORG_TABLES = re.compile(r"^(tenants?|accounts?|compan(y|ies)|organi[sz]ations?|organisaties?|bedrijf|bedrijven|"
                        r"societes?|entreprises?|firmas?|workspaces?|clients?_?orgs?)$")
MEDIA_TABLES = re.compile(r"photo|foto|picture|image|attachment|bijlage|upload|piece_?jointe|document|avatar")
MEDIA_COLUMNS = re.compile(r"_(path|url|uri|file|filename|file_name|bestand|fichier|chemin|storage_key|location)_")
PARTITION_TABLES = re.compile(r"^(tenants?|workspaces?)$")
INVOICE_TABLES = re.compile(r"invoice|(?<!manu)factu|rechnung|credit_?note|creditnota|avoir|payment|betaling|paiement|"
                            r"receipt|kwitantie|quittance|(^|_)orders?($|_)|order_?(line|item|detail|product)|"
                            r"sales_?order|bestelling|commande|bestellung|refund|terugbetaling|rembourse|ledger|"
                            r"grootboek|journal_?entr(y|ies)|boeking|(^|_)tax(es)?($|_)|order_?tax|btw_?regel|"
                            r"transactions?($|_)|(^|_)billings?$")
# A bank account row that holds a direct-debit mandate (SEPA `rum`, `mandate_id`): kept with the payments collected.
MANDATE_COLUMNS = re.compile(r"mandat|mandaat|_rum_|_umr_|sepa|domiciliation|domiciliering|direct_?debit")
# The organisation's suppliers and manufacturers: businesses it buys from, not a customer's data.
SUPPLIER_TABLES = re.compile(r"(^|_)(suppliers?|vendors?|manufacturers?|leveranciers?|fournisseurs?|fabrikanten|"
                             r"fabricants?|lieferanten|hersteller|brands?|merken|marques?|carriers?)($|_)")
# Columns of the organisation's own equipment and licences (an asset's tag, serial, purchase data, seats).
INVENTORY_COLUMNS = re.compile(r"^_(serial|serial_?n(umbe)?r|serial_?no|serienummer|numero_?de_?serie|asset_?tag|"
                               r"inventory_?(number|nr|no|tag)|inventaris_?nummer|seats|purchase_?(cost|date|price|"
                               r"order)|aankoop_?(datum|prijs)|date_?(d_)?achat|prix_?(d_)?achat|warranty(_\w+)?|"
                               r"garantie(_\w+)?|model_?number|eol|depreciation(_id)?)_$")
# A column named as a reference to another row (`id_address_invoice`, `customer_id`, `fk_user`).
REFERENCE_NAME = re.compile(r"^(id|fk)_|_(id|fk)$|^id[a-z]|[a-z]id$")
# The organisation's own premises: an address there is the organisation's, not a person's.
PLACE_TABLES = re.compile(r"(^|_)(stores?|shops?|offices?|kantoor|kantoren|warehouses?|magasins?|winkels?|"
                          r"vestiging(en)?|branch(es)?|succursales?|locations?|sites?|depots?|facilit(y|ies)|salles?|gyms?|"
                          r"venues?|practices?|praktijk(en)?|cabinets?)($|_)|(^|_)(institutions?|schools?|scholen|ecoles?|"
                          r"etablissements?|campus(es)?|hotels?|clinics?|hospitals?|ziekenhuizen|librar(y|ies)|"
                          r"bibliothe(ek|ken|que))$")
# The organisation's own staff, shops and offices: never proposed as a subject's data to delete.
OWN_TABLES = re.compile(r"(^|_)(staff|employees?|medewerkers?|personeel|personnel|werknemers?|employes?|"
                        r"mitarbeiter|agents?|admins?|operators?|stores?|shops?|offices?|kantoor|kantoren|"
                        r"clinicians?|practitioners?|physicians?|doctors?|dokters?|artsen|medecins?|nurses?|"
                        r"therapists?|dentists?|tandartsen|veterinarians?|dierenartsen|caregivers?|"
                        r"zorgverleners?|recruiters?|health_?professionals?|health_?profs?|institutions?|"
                        r"warehouses?|magasins?|winkels?|vestiging(en)?|branch(es)?|succursales?)($|_)")
# Records a sector law keeps: the patient file (retained under the jurisdiction's medical_records preset) ...
MEDICAL_TABLES = re.compile(r"encounter|consult|prescri|medicat|diagnos|(^|_)problems?($|_)|allerg|observation|"
                            r"(^|_)obs($|_)|vitals?($|_)|lab_?results?|immuni[sz]|vaccin|medical|medisch|clinical|"
                            r"klinisch|voorschrift|ordonnance|anamnes|patient_?(file|dossier|record)|health_?record|"
                            r"treatments?($|_)|behandeling|traitements?|(^|_)visits?($|_)|patient_?(evaluation|disease)s?|"
                            r"(^|_)diseases?($|_)")
# ... and, in a schema that keeps one, the parts of a patient's data that are plainly not in it.
NOT_MEDICAL_TABLES = re.compile(r"calendar|appointment|afspraak|agenda|rendez_?vous|(^|_)events?($|_)|login|access|"
                                r"session|portal|password|credential|token|newsletter")
# ... and registers and school records that a police or education law may require kept: proposed for review.
REGISTER_TABLES = re.compile(r"guest_?regist|hotel_?regist|fiche_?(de_)?police|police_?regist|nachtregister|"
                             r"registre_?(des_)?(voyageurs|hotes|clients)|reizigers_?regist|traveller_?regist")
SECTOR_TABLES = re.compile(REGISTER_TABLES.pattern + r"|report_?card|transcript|diploma|bulletin|"
                           r"getuigschrift|rapport_?cijfer|releve_?(de_)?notes|academic_?record|exam_?results?|"
                           r"assessment_?(item_)?results?|student_?absences?|absences?$|attendances?$|afwezigheden|"
                           r"special_?needs|leerlingendossier|dossier_?(de_)?l?_?eleve")
# A column by which a record states its own retention (Open Zaak's `archiefactiedatum`, a `retention_until`).
RETENTION_COLUMNS = re.compile(r"archie?f|archiv|retention|bewaar_?termijn|bewaren_?tot|destr(oy|uction)_?(after|date|"
                               r"on|at)|vernietig|conservation|aufbewahrung|loschfrist|purge_?after")
ARRIVAL_DATES = re.compile(r"arriv|aankomst|check_?in|date_?(d_)?entree")
PRESCRIPTION_TABLES = re.compile(r"prescri|voorschrift|ordonnance|rezept")
QUOTE_TABLES = re.compile(r"quote|offerte|devis|angebot|estimate|proposal|order_?form")
PART_TABLES = re.compile(r"line|lijn|ligne|item|regel|payment|betaling|paiement|position|detail")
PAYMENT_COLUMNS = re.compile(r"payment|paiement|betaal|betaling|zahlung")
AMOUNT_COLUMNS = re.compile(r"amount|bedrag|montant|total|totaal|price|prijs|prix|_cents_|betrag|subtotal")
VAT_COLUMNS = re.compile(r"_(vat|btw|tva|tax|mwst)_|vat_|btw_|tva_|_vat|_btw|_tva")
AUTHOR_COLUMNS = re.compile(r"created_?by|updated_?by|modified_?by|changed_?by|deleted_?by|author|owner|"
                            r"assigned_?to|assignee|reviewer|approved_?by|aangemaakt_?door|gewijzigd_?door|"
                            r"eigenaar|verantwoordelijke|cree_?par|modifie_?par|auteur|responsable|handled_?by|"
                            r"behandeld_?door|agent_id|sales_?rep|sender|sent_?by|expediteur|afzender")
OWNER_COLUMNS = re.compile(r"^(owner|owner_id|id_owner|eigenaar|eigenaar_id|proprietaire|id_proprietaire|"
                           r"proprietaire_id|owned_by)$")
INVOICE_DATES = re.compile(r"invoice_?date|factuur_?datum|date_?(de_)?facture|issued?_?(on|at|date)|issue_?date|"
                           r"_date_|_datum_|_dated_|_date$|^date_|rechnungsdatum|uitgifte")
NOT_INVOICE_DATES = re.compile(r"due|verval|echeance|paid|betaal|created|updated|modified|sent|verzonden|"
                               r"closed|deleted|_at_$")
# A date named as an event or a period bound (hired, from, until, last login) is not a date of birth.
EVENT_NAMES = re.compile(r"_(from|to|since|until|till|start|end|begin|hire|hired|joined|login|last|expire|expires|"
                         r"issued|effective|valid|van|tot|vanaf|debut|fin)_|hire_?date|date_?joined|last_?login")
EVENT_DATE = re.compile(r"created|updated|modified|_at_$|_on_$|sent|paid|closed|expires|valid|registered|"
                        r"subscribed|started|ended|verval|datum_?(aanmaak|wijziging)|cree|modifie")

ADDRESS = {"street", "house_number", "postcode", "city", "region", "country", "geolocation"}
HOLDER_TABLES = re.compile(r"card|kaart|carte|bank_?account|rekening")  # a name in them is the holder's
CONTENT_CATEGORIES = ("email", "phone", "bank_account", "national_id", "vat_number", "ip_address", "user_agent",
                      "date_of_birth")

STRATEGY = {"email": "faker:email", "phone": "faker:phone_number", "first_name": "faker:first_name",
            "last_name": "faker:last_name", "full_name": "faker:name", "username": "faker:user_name",
            "street": "faker:street_address", "postcode": "faker:postcode", "city": "faker:city",
            "date_of_birth": "generalize:year", "bank_account": "faker:iban", "ip_address": "faker:ipv4",
            "customer_number": "faker:uuid4", "free_text": "redact", "media": "redact", "website": "null",
            "country": "faker:country"}
IDENTIFIER_OF = {"email": "email", "phone": "phone", "customer_number": "customer_number"}
LABELS = {"email": "email address", "phone": "phone number", "first_name": "first name", "last_name": "last name",
          "full_name": "person's name", "username": "user name", "password": "password (hash)",
          "street": "street address", "house_number": "house number", "postcode": "postcode", "city": "city",
          "date_of_birth": "date of birth", "national_id": "national register / identity number",
          "bank_account": "bank account (IBAN)", "payment_card": "payment card", "vat_number": "VAT number",
          "ip_address": "IP address", "user_agent": "device, session or user agent", "gender": "gender or title",
          "geolocation": "geolocation", "region": "state or province of an address", "job_title": "job title", "customer_number": "customer number",
          "media": "photo or file of a person", "free_text": "free text about a person",
          "website": "a person's web address", "country": "country of an address",
          "characteristic": "nationality, ethnicity, marital status or blood group",
          "licence_plate": "vehicle licence plate"}


def normalize_name(name: str) -> str:
    """`Geboorte-Datum` and `geboorteDatum` -> `geboorte_datum`: no accents, lower case, underscores."""
    bare = "".join(ch for ch in unicodedata.normalize("NFKD", name) if not unicodedata.combining(ch))
    bare = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", bare)
    return re.sub(r"[^A-Za-z0-9]+", "_", bare).strip("_").lower()


# Body measurements, personal in a person's own table or one directly below it (never a product's weight).
BODY_MEASURES = re.compile(r"_(age|leeftijd|bmi|weight|gewicht|poids|body_?weight|(height|lengte|taille)(_cm|_m)?)_$|"
                           r"_(systolic|diastolic|systolisch|diastolisch|systolique|diastolique|bpm|pulse|pols|"
                           r"heart_?rate|hartslag|frequence_?cardiaque|blood_?pressure|bloeddruk|"
                           r"temperature|temperatuur|body_?temp|resp(iratory)?_?rate|osat|spo2|glucose|glycemi[ae]|"
                           r"cholesterol|waist|head_?circumference)_$")
# Tables of a patient's clinical measurements: their numbers are the patient's (vital signs in an evaluation).
CLINICAL_TABLES = re.compile(r"patient|patiente?n?|evaluation|vital|measurement|meting|consult|encounter|visit|"
                             r"examination|onderzoek|anamnes")
# Categories a number column can hold (an integer national register number, a gender code `gender_id`).
NUMBER_CATEGORIES = {"national_id", "customer_number", "bank_account", "payment_card", "phone", "gender",
                     "date_of_birth", "characteristic", "house_number", "postcode", "geolocation"}
# Salutations and titles of address: a column of them (`title`) is a person's gender or title.
SALUTATIONS = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dhr", "mevr", "mevrouw", "meneer",
               "heer", "juffrouw", "m", "mme", "mlle", "monsieur", "madame", "mademoiselle", "herr", "frau", "me"}
# A name that describes an attribute of the data rather than holding it (`phone_type_id`, `password_status`,
# `do_not_email`, `email_verified`): a type, a status or a flag.
ATTRIBUTE_NAMES = re.compile(r"_(type|types|kind|status|flag|flags|count|verified|enabled|disabled|allowed|format|"
                             r"method|provider|unit|units|transport|visibility|preference|flg|ext|extension)(_id)?_$|"
                             r"^_(is|has|do_not|dont|no|allow|allows|opt|opt_in|opt_out)_")


def name_category(name: str) -> str | None:
    wrapped = f"_{normalize_name(name)}_"
    for category, pattern in NAME_RULES:
        if re.search(pattern, wrapped):
            # `marital_status` is a characteristic; `phone_type_id`, `password_status` only describe the data
            exempt = category == "characteristic" or "oauth" in wrapped  # an OAuth provider's id of the user
            return None if ATTRIBUTE_NAMES.search(wrapped) and not exempt else category
    return None


def _org(table: str) -> bool:
    return bool(ORG_TABLES.match(normalize_name(table)))


def supplier_table(table: str) -> bool:
    return bool(SUPPLIER_TABLES.search(normalize_name(table)))


def inventory_table(columns: list[str]) -> bool:
    """A table of the organisation's own equipment or licences: two or more columns of an asset's tag, serial,
    purchase data, seats or warranty."""
    return sum(bool(INVENTORY_COLUMNS.search(f"_{normalize_name(c)}_")) for c in columns) >= 2


def bare_names(columns: list[str]) -> dict[str, str]:
    """Column -> its normalized name without the prefix or suffix most of the table's columns share (Galette's
    `nom_adh`, `ville_adh`; OrangeHRM's `emp_lastname`; `trans_desc`), where there is one: `nom`, `lastname`,
    `desc`. An affix is a word of two to five letters shared by at least three columns and three in five of them."""
    names = {c: normalize_name(c) for c in columns}
    found: dict[str, str] = {}
    for side in ("prefix", "suffix"):
        counts: dict[str, int] = {}
        for normalized in names.values():
            parts = normalized.split("_")
            if len(parts) >= 2:
                word = parts[0] if side == "prefix" else parts[-1]
                if 2 <= len(word) <= 5 and word.isalpha() and word not in ("id", "no", "nr", "at", "on", "by"):
                    counts[word] = counts.get(word, 0) + 1
        if not counts:
            continue
        word, n = max(counts.items(), key=lambda kv: kv[1])
        if n >= 3 and n >= 0.6 * len(columns):
            for c, name in names.items():
                parts = name.split("_")
                if len(parts) >= 2 and (parts[0] if side == "prefix" else parts[-1]) == word:
                    found[c] = "_".join(parts[1:] if side == "prefix" else parts[:-1])
    return found
