"""A signed, printable PDF of a destruction certificate, in Dutch, French or English.

The PDF says in words what the signed JSON says. The JSON file itself is attached to the PDF (associated file,
relationship Source) and stays the authoritative version. The PDF is signed with PAdES (pyHanko) as a
certification signature that allows no later change, with an ECDSA P-256 key and a self-signed X.509
certificate (`generate_pdf_signing_key`). Text is set in Bitstream Vera, which reportlab ships and embeds, so
é, è, ë, ç and the other Latin-1 letters print the same everywhere.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eraser.errors import CertificateError
from eraser.proof.chain import ManifestVerified, Verified, as_keys, verify
from eraser.proof.jws import read_jws
from eraser.proof.keyring import KeySet, Manifest

LANGS = ("nl", "fr", "en")
NBSP = "\u00a0"
PDF_KEY_NAME = "eraser-pdf-signing"


# -- the PDF signing key -------------------------------------------------------------------------

def pdf_key_paths(directory: Path, name: str = PDF_KEY_NAME) -> tuple[Path, Path]:
    """(private key, X.509 certificate) file names of the PDF signing key in a keys directory."""
    return directory / f"{name}.pem", directory / f"{name}.cert.pem"


def default_pdf_key(certificate: Path) -> tuple[Path, Path]:
    """The PDF signing key beside the certificate store: ../keys/eraser-pdf-signing.pem and .cert.pem."""
    return pdf_key_paths(certificate.resolve().parent.parent / "keys")


def generate_pdf_signing_key(out_dir: Path, name: str = PDF_KEY_NAME, organisation: str | None = None,
                             days: int = 3650) -> tuple[Path, Path, str]:
    """Write an ECDSA P-256 key (NAME.pem, mode 0600) and a self-signed X.509 certificate for it
    (NAME.cert.pem); return both paths and the certificate's SHA-256 fingerprint. Refuses to overwrite."""
    out_dir.mkdir(parents=True, exist_ok=True)
    key_path, cert_path = pdf_key_paths(out_dir, name)
    if key_path.exists() or cert_path.exists():
        raise CertificateError(f"{key_path} already exists; refusing to overwrite a PDF signing key.")
    key = ec.generate_private_key(ec.SECP256R1())
    common = f"{organisation} destruction certificates" if organisation else "Eraser destruction certificates"
    attrs = [x509.NameAttribute(NameOID.COMMON_NAME, common)]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    subject = x509.Name(attrs)
    now = datetime.now(UTC).replace(microsecond=0)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5)).not_valid_after(now + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False, key_agreement=False,
                                         key_cert_sign=False, crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    fd = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path, cert.fingerprint(hashes.SHA256()).hex()


def _load_x509(path: Path) -> x509.Certificate:
    try:
        return x509.load_pem_x509_certificate(path.read_bytes())
    except OSError as exc:
        raise CertificateError(f"cannot read the PDF signing certificate {path}: {exc.strerror}; create it "
                               "with `eraser keys generate`.") from None
    except ValueError:
        raise CertificateError(f"{path} is not a PEM X.509 certificate.") from None


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


# -- words ---------------------------------------------------------------------------------------

MONTHS = {
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
           "november", "december"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"],
}

T: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Attest van vernietiging van persoonsgegevens",
        "number": "Attest nr. {seq}",
        "footer": "Attest nr. {seq} · {id} · pagina {page} van {pages}",
        "intro": "{org}, handelend als {role}{behalf}, verklaart hierbij het hierna omschreven verzoek tot "
                 "wissing van persoonsgegevens te hebben uitgevoerd op {completed}.",
        "behalf": " voor rekening van {de}{controller}",
        "role.processor": "verwerker",
        "role.controller": "verwerkingsverantwoordelijke",
        "s1": "Verzoek en partijen",
        "issuer": "Uitgever van het attest",
        "controller": "Verwerkingsverantwoordelijke",
        "reference": "Referentie van het verzoek",
        "received": "Ontvangen op",
        "due": "Uiterste datum van afhandeling",
        "due.value": "{date}, d.i. één maand na ontvangst (art. 12, lid 3, AVG)",
        "completed": "Uitgevoerd op",
        "operator": "Uitgevoerd door",
        "subject": "Betrokkene",
        "subject.ref": "sleutelreferentie {ref}",
        "identifiers": "Gebruikte identificatiegegevens",
        "ground": "Rechtsgrond",
        "outcome": "Resultaat",
        "subject.note": "De betrokkene wordt in dit attest uitsluitend aangeduid met een sleutelreferentie "
                        "(HMAC-SHA256 van de identificatiegegevens, berekend met een geheime sleutel die "
                        "niet in het attest is opgenomen). Het attest vermeldt geen naam, geen "
                        "identificatiegegeven en geen inhoud van de gewiste gegevens; alleen wie over de "
                        "geheime sleutel beschikt, kan het met het verzoek in verband brengen.",
        "o.erased": "Alle persoonsgegevens van de betrokkene die in de hierna vermelde databanken werden "
                    "aangetroffen, werden gewist.",
        "o.erased_with_retention": "De persoonsgegevens van de betrokkene werden gewist, met uitzondering "
                                   "van de gegevens die wettelijk moeten worden bewaard; die worden in punt "
                                   "3 opgesomd, met hun rechtsgrond en de datum waarop de bewaring afloopt.",
        "o.erased_with_rows_for_review": "De persoonsgegevens van de betrokkene werden gewist, met "
                                         "uitzondering van gegevens die ook andere personen betreffen; die "
                                         "werden ter beoordeling gelaten (punt 4).",
        "o.erased_with_residual_matches": "De persoonsgegevens van de betrokkene werden gewist, maar de "
                                          "betrokkene werd nog in vrije tekst teruggevonden; die treffers "
                                          "werden gemeld, niet verwijderd.",
        "o.nothing_found": "Er werden geen persoonsgegevens van de betrokkene aangetroffen; er werd niets "
                           "gewijzigd.",
        "o.held": "Er werd niets gewist: op de gegevens van de betrokkene rust een legal hold (zie punt 2).",
        "s2": "Gewiste en geanonimiseerde gegevens",
        "s2.intro": "Per tabel: het aantal records dat de betrokkene betrof en wat ermee is gebeurd.",
        "cols": "Gegevens|Gevonden|Gewist|Geanonimiseerd|Bewaard|Legal hold|Ter beoordeling",
        "total": "Totaal",
        "totals": "Samengevat: {delete}, {anonymize}, {retain}, {hold} en {review}.",
        "t.delete": "gewist|gewist",
        "t.anonymize": "geanonimiseerd|geanonimiseerd",
        "t.retain": "bewaard|bewaard",
        "t.hold": "onder legal hold|onder legal hold",
        "t.review": "ter beoordeling gelaten|ter beoordeling gelaten",
        "strategies": "Records die niet werden gewist maar geanonimiseerd, werden als volgt bewerkt:",
        "hold": "Op de gegevens van de betrokkene rust een legal hold (bewaarplicht in het kader van een "
                "geschil of onderzoek): {reason}{until}. Er werd bijgevolg niets gewist.",
        "hold.until": ", tot {date}",
        "s3": "Bewaarde gegevens: rechtsgrond en bewaartermijn",
        "kept.none": "Er werden geen gegevens bewaard.",
        "kept.until.1": "{n}, bewaard tot {date}.",
        "kept.until.n": "{n}, bewaard tot {date}.",
        "kept.between.1": "{n}, bewaard tot {first}.",
        "kept.between.n": "{n}, bewaard tot een datum tussen {first} en {last}, naargelang van het record.",
        "kept.period.column": "Bewaartermijn: {period}, te rekenen vanaf de datum in de kolom {column}.",
        "kept.period.request": "Bewaartermijn: {period}, te rekenen vanaf de datum van het verzoek.",
        "kept.period.child.1": "Bewaartermijn: {period}; de bewaring loopt af samen met die van het "
                               "bewaarde record van tabel {table} dat ernaar verwijst.",
        "kept.period.child.n": "Bewaartermijn: {period}; de bewaring loopt af samen met die van de bewaarde "
                               "records van tabel {table} die ernaar verwijzen.",
        "kept.period.parent.1": "Bewaartermijn: {period}; de bewaring loopt af samen met die van het record "
                                "waartoe het behoort.",
        "kept.period.parent.n": "Bewaartermijn: {period}; de bewaring loopt af samen met die van het record "
                                "waartoe zij behoren.",
        "kept.basis": "Rechtsgrond: {basis}.",
        "kept.minimized": "Kolommen die voor dat doel niet nodig zijn, werden geminimaliseerd: {columns}.",
        "kept.note": "De rechtsgronden worden aangehaald zoals ze in de configuratie van de uitgever zijn "
                     "geformuleerd.",
        "s4": "Ter beoordeling gelaten gegevens",
        "review.none": "Er werden geen records ter beoordeling gelaten.",
        "review.note": "Deze records werden niet gewijzigd; over hun verdere behandeling moet nog worden "
                       "beslist.",
        "review.shared.1": "Gedeeld met andere personen: {n} uit de tabel {table} dat niet tot de gegevens "
                           "van de betrokkene behoort, verwijst ernaar ({link}).",
        "review.shared.n": "Gedeeld met andere personen: {n} uit de tabel {table} die niet tot de gegevens "
                           "van de betrokkene behoren, verwijzen ernaar ({link}).",
        "review.referenced": "Er wordt nog naar verwezen ({why}) en er is geen anonimisering ingesteld; de "
                             "gegevens werden daarom niet gewist.",
        "s5": "Controle",
        "method.standard": "Vóór de definitieve registratie van de wijzigingen, binnen dezelfde transactie, "
                           "werd de betrokkene opnieuw opgezocht; werd nagegaan dat de gewiste records "
                           "verdwenen zijn, dat de geanonimiseerde kolommen gewijzigd zijn en dat de "
                           "bewaarde en de overige behouden records ongewijzigd zijn gebleven (SHA-256 per "
                           "record); en werd de referentiële integriteit ({integrity}) gecontroleerd.",
        "method.hold": "Geen controle: de legal hold verhindert elke wijziging.",
        "result": "Resultaat van de controle: {result}.",
        "result.PASS": "geslaagd",
        "result.FAIL": "mislukt",
        "result.NOT RUN": "niet uitgevoerd",
        "result.RESIDUAL MATCHES REPORTED, NOT REMOVED": "treffers gemeld, niet verwijderd",
        "result.IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS": "de betrokkene staat nog in gegevens die voor anderen "
                                                              "bewaard worden",
        "kept.others": "Waarvan {n} van andere personen die bewaard worden (wettelijke bewaring, juridische "
                       "blokkering of beoordeling) en daarom niet gewijzigd werden: {where}.",
        "residual.none": "Na de wissing werd de betrokkene in geen enkel ander record meer teruggevonden "
                         "dan de bewaarde of ter beoordeling gelaten records.",
        "residual.some": "Na de wissing werd de betrokkene nog teruggevonden in {n}.",
        "kept.checked.1": "{n} behouden record werd nagezien: het is ongewijzigd.",
        "kept.checked.n": "{n} behouden records werden nagezien: zij zijn ongewijzigd.",
        "failure": "Vastgestelde afwijking: {text}.",
        "s6": "Resterende kopieën",
        "remaining.logical": "Het gaat om een logische wissing in de vermelde databanken, niet om een "
                             "sanering van de opslagmedia.",
        "remaining.backups": "Back-ups ({description}) bevatten nog kopieën tot zij vervallen, uiterlijk op "
                             "{date}{period}. Wordt een back-up teruggezet, dan moet de wissing opnieuw "
                             "worden uitgevoerd.",
        "remaining.original": "Verklaring van de uitgever (oorspronkelijke tekst): {text}",
        "note.sqlite": "SQLite bewaart gewiste inhoud in vrije pagina's tot VACUUM (of secure_delete) die "
                       "overschrijft; het journaal- of WAL-bestand kan kopieën bevatten tot het volgende "
                       "checkpoint.",
        "note.postgresql": "PostgreSQL bewaart gewiste en gewijzigde versies van records (dead tuples) tot "
                           "VACUUM ze vrijgeeft; WAL-archieven en replica's bevatten kopieën tot zij worden "
                           "hergebruikt.",
        "note.mysql": "InnoDB geeft gewiste records vrij wanneer zijn purge-proces langskomt; de binaire "
                      "log, de relay logs en replica's bevatten kopieën van de gewijzigde records tot zij "
                      "worden opgeschoond.",
        "note.sql": "Gewiste records kunnen in de vrije ruimte van de databank blijven bestaan tot die "
                    "opnieuw wordt gebruikt.",
        "s7": "Te informeren ontvangers (artikel 19 AVG)",
        "recipients": "Overeenkomstig artikel 19 AVG stelt de verwerkingsverantwoordelijke elke ontvanger "
                      "aan wie de persoonsgegevens werden verstrekt, in kennis van de wissing, tenzij dit "
                      "onmogelijk blijkt of onevenredig veel inspanning vergt. De configuratie vermeldt de "
                      "volgende ontvangers:",
        "recipients.none": "Overeenkomstig artikel 19 AVG stelt de verwerkingsverantwoordelijke elke "
                           "ontvanger aan wie de persoonsgegevens werden verstrekt, in kennis van de "
                           "wissing. De configuratie vermeldt geen ontvangers.",
        "s8": "Echtheid",
        "authentic": "Dit document geeft in woorden weer wat het elektronisch ondertekende attest in "
                     "JSON-formaat vermeldt. Dat bestand ({name}) is als bijlage in dit PDF-document "
                     "opgenomen en vormt de authentieke versie van het attest; bij verschil heeft het "
                     "voorrang op dit document.",
        "a.signature": "Handtekening van het attest",
        "a.signature.value": "Ed25519 (JWS), sleutel {kid}",
        "a.checked": "Nagezien bij het opmaken van dit document",
        "a.checked.ok": "geldig; positie {seq} in de keten ({chain})",
        "a.checked.manifest": "geldig; sleutel {status} in het sleutelmanifest (versie {version}), geldig "
                              "van {start} tot {end}",
        "a.checked.none": "niet nagezien (geen publieke sleutel beschikbaar)",
        "a.chain": "Keten",
        "a.chain.first": "eerste attest van de keten",
        "a.chain.previous": "volgt op het attest met SHA-256 {digest}",
        "a.digest": "SHA-256 van het JSON-bestand",
        "a.pdf": "Handtekening van dit PDF-document",
        "a.pdf.value": "PAdES, ECDSA P-256, certificaat “{cn}”, SHA-256-vingerafdruk {fp}",
        "a.made": "Opgemaakt op",
        "a.made.value": "{moment}, met {software}",
        "chain.linked": "gekoppeld aan attest nr. {n}",
        "chain.first": "eerste attest van de keten",
        "chain.partial": "alleen dit attest nagezien; zijn plaats in de keten niet",
        "status.active": "actief",
        "status.retired": "buiten gebruik gesteld",
        "open": "heden",
        "closing": "Elke wijziging van dit PDF-document of van de bijlage na ondertekening maakt de "
                   "handtekening ongeldig. Controle: {command}.",
        "times": "Tijdstippen worden vermeld in {zone}; het JSON-bestand vermeldt ze in UTC.",
        "zone": "Belgische tijd",
        "attachment": "Ondertekend attest (JWS, JSON): authentieke versie",
        "record": "record|records",
        "none": "geen",
        "id.email": "e-mailadres",
        "id.phone": "telefoonnummer",
        "id.customer_number": "klantnummer",
        "st.faker": "vervangen door een willekeurige fictieve waarde",
        "st.null": "leeggemaakt",
        "st.redact": "vervangen door de vermelding [erased]",
        "st.hash": "vervangen door een sleutelhash (HMAC-SHA256)",
        "st.generalize:year": "herleid tot het jaar",
        "st.generalize:n": "herleid tot de eerste {n} tekens",
        "st.keep": "ongewijzigd behouden",
        "unit.y": "jaar|jaar",
        "unit.m": "maand|maanden",
        "unit.w": "week|weken",
        "unit.d": "dag|dagen",
        "integrity.fk": "vreemde sleutels",
        "integrity.links": "vreemde sleutels en in de configuratie vastgelegde koppelingen",
        "intro.release": "{org}, handelend als {role}{behalf}, verklaart hierbij dat op {completed} de "
                         "persoonsgegevens waarvan de wettelijke bewaartermijn verstreken was, werden "
                         "vernietigd zoals hierna beschreven. Die gegevens werden bewaard volgens het "
                         "attest met kenmerk {parent}.",
        "parent": "Attest dat de bewaring vermeldde",
        "o.released": "De bewaarde gegevens waarvan de bewaartermijn verstreken was, werden gewist of "
                      "geanonimiseerd, zoals de regel van hun tabel bepaalt.",
        "s2.release": "Vernietigde gegevens",
        "cols.release": "Gegevens|Gewist|Geanonimiseerd",
        "released.item": "{n}; einde van de bewaartermijn: {dates}.",
        "method.release": "Vóór de definitieve registratie van de wijzigingen, binnen dezelfde transactie, "
                          "werden de vrijgegeven records opnieuw gelezen: de gewiste records zijn verdwenen "
                          "en de geanonimiseerde kolommen zijn gewijzigd; de referentiële integriteit "
                          "(vreemde sleutels) werd gecontroleerd.",
        "remaining.period": " (bewaartermijn: {period})",
    },
    "fr": {
        "title": "Attestation de destruction de données à caractère personnel",
        "number": "Attestation n° {seq}",
        "footer": "Attestation n° {seq} · {id} · page {page} sur {pages}",
        "intro": "{org}, agissant en qualité de {role}{behalf}, atteste par la présente avoir exécuté le "
                 "{completed} la demande d'effacement de données à caractère personnel décrite ci-après.",
        "behalf": " pour le compte {de}{controller}",
        "role.processor": "sous-traitant",
        "role.controller": "responsable du traitement",
        "s1": "Demande et parties",
        "issuer": "Émetteur de l'attestation",
        "controller": "Responsable du traitement",
        "reference": "Référence de la demande",
        "received": "Reçue le",
        "due": "À traiter au plus tard le",
        "due.value": "{date}, soit un mois après la réception de la demande (art. 12, § 3, du RGPD)",
        "completed": "Exécutée le",
        "operator": "Exécutée par",
        "subject": "Personne concernée",
        "subject.ref": "référence à clé {ref}",
        "identifiers": "Identifiants utilisés",
        "ground": "Fondement juridique",
        "outcome": "Résultat",
        "subject.note": "Dans la présente attestation, la personne concernée n'est désignée que par une "
                        "référence à clé (HMAC-SHA256 de ses identifiants, calculé au moyen d'une clé "
                        "secrète qui ne figure pas dans l'attestation). L'attestation ne mentionne ni nom, "
                        "ni identifiant, ni contenu des données effacées ; seul le détenteur de la clé "
                        "secrète peut la rattacher à la demande.",
        "o.erased": "Toutes les données à caractère personnel de la personne concernée trouvées dans les "
                    "bases de données mentionnées ci-après ont été effacées.",
        "o.erased_with_retention": "Les données à caractère personnel de la personne concernée ont été "
                                   "effacées, à l'exception de celles dont la loi impose la conservation ; "
                                   "celles-ci sont énumérées au point 3, avec leur fondement juridique et "
                                   "la date à laquelle leur conservation prend fin.",
        "o.erased_with_rows_for_review": "Les données à caractère personnel de la personne concernée ont "
                                         "été effacées, à l'exception de données qui concernent aussi "
                                         "d'autres personnes ; celles-ci ont été laissées pour examen "
                                         "(point 4).",
        "o.erased_with_residual_matches": "Les données de la personne concernée ont été effacées, mais elle "
                                          "a encore été retrouvée dans du texte libre ; ces occurrences ont "
                                          "été signalées, non supprimées.",
        "o.nothing_found": "Aucune donnée à caractère personnel de la personne concernée n'a été trouvée ; "
                           "rien n'a été modifié.",
        "o.held": "Rien n'a été effacé : les données de la personne concernée font l'objet d'un legal hold "
                  "(voir le point 2).",
        "s2": "Données effacées et anonymisées",
        "s2.intro": "Pour chaque table : le nombre d'enregistrements relatifs à la personne concernée et le "
                    "sort qui leur a été réservé.",
        "cols": "Données|Trouvés|Effacés|Anonymisés|Conservés|Legal hold|Pour examen",
        "total": "Total",
        "totals": "En résumé : {delete}, {anonymize}, {retain}, {hold} et {review}.",
        "t.delete": "effacé|effacés",
        "t.anonymize": "anonymisé|anonymisés",
        "t.retain": "conservé|conservés",
        "t.hold": "sous legal hold|sous legal hold",
        "t.review": "laissé pour examen|laissés pour examen",
        "strategies": "Les enregistrements anonymisés plutôt qu'effacés ont fait l'objet des traitements "
                      "suivants :",
        "hold": "Les données de la personne concernée font l'objet d'un legal hold (obligation de "
                "conservation liée à un litige ou à une enquête) : {reason}{until}. Rien n'a donc été "
                "effacé.",
        "hold.until": ", jusqu'au {date}",
        "s3": "Données conservées : fondement juridique et durée de conservation",
        "kept.none": "Aucune donnée n'a été conservée.",
        "kept.until.1": "{n}, conservé jusqu'au {date}.",
        "kept.until.n": "{n}, conservés jusqu'au {date}.",
        "kept.between.1": "{n}, conservé jusqu'au {first}.",
        "kept.between.n": "{n}, conservés jusqu'à une date comprise entre le {first} et le {last}, selon "
                          "l'enregistrement.",
        "kept.period.column": "Durée de conservation : {period}, à compter de la date figurant dans la "
                              "colonne {column}.",
        "kept.period.request": "Durée de conservation : {period}, à compter de la date de la demande.",
        "kept.period.child.1": "Durée de conservation : {period} ; la conservation prend fin en même temps "
                               "que celle de l'enregistrement conservé de la table {table} qui y renvoie.",
        "kept.period.child.n": "Durée de conservation : {period} ; la conservation prend fin en même temps "
                               "que celle des enregistrements conservés de la table {table} qui y renvoient.",
        "kept.period.parent.1": "Durée de conservation : {period} ; la conservation prend fin en même temps "
                                "que celle de l'enregistrement auquel il se rattache.",
        "kept.period.parent.n": "Durée de conservation : {period} ; la conservation prend fin en même temps "
                                "que celle de l'enregistrement auquel ils se rattachent.",
        "kept.basis": "Fondement juridique : {basis}.",
        "kept.minimized": "Les colonnes qui ne sont pas nécessaires à cette finalité ont été minimisées : "
                          "{columns}.",
        "kept.note": "Les fondements juridiques sont reproduits dans les termes de la configuration de "
                     "l'émetteur.",
        "s4": "Données laissées pour examen",
        "review.none": "Aucun enregistrement n'a été laissé pour examen.",
        "review.note": "Ces enregistrements n'ont pas été modifiés ; il reste à décider de la suite à leur "
                       "réserver.",
        "review.shared.1": "Données partagées avec d'autres personnes : {n} de la table {table}, étranger "
                           "aux données de la personne concernée, y fait référence ({link}).",
        "review.shared.n": "Données partagées avec d'autres personnes : {n} de la table {table}, étrangers "
                           "aux données de la personne concernée, y font référence ({link}).",
        "review.referenced": "Des enregistrements y font encore référence ({why}) et aucune anonymisation "
                             "n'est configurée ; les données n'ont donc pas été effacées.",
        "s5": "Vérification",
        "method.standard": "Avant la validation définitive des modifications, au sein de la même "
                           "transaction, la personne concernée a été recherchée à nouveau ; il a été "
                           "vérifié que les enregistrements effacés avaient disparu, que les colonnes "
                           "anonymisées avaient été modifiées et que les enregistrements conservés ou "
                           "laissés en place étaient restés inchangés (empreinte SHA-256 par "
                           "enregistrement) ; l'intégrité référentielle ({integrity}) a été contrôlée.",
        "method.hold": "Aucune vérification : le legal hold empêche toute modification.",
        "result": "Résultat de la vérification : {result}.",
        "result.PASS": "concluant",
        "result.FAIL": "négatif",
        "result.NOT RUN": "non effectuée",
        "result.RESIDUAL MATCHES REPORTED, NOT REMOVED": "occurrences signalées, non supprimées",
        "result.IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS": "la personne concernée figure encore dans des données "
                                                              "conservées pour d'autres",
        "kept.others": "Dont {n} d'autres personnes, conservé(s) (conservation légale, gel juridique ou examen) "
                       "et donc non modifié(s) : {where}.",
        "residual.none": "Après l'effacement, la personne concernée n'a plus été retrouvée dans aucun "
                         "enregistrement autre que ceux conservés ou laissés pour examen.",
        "residual.some": "Après l'effacement, la personne concernée a encore été retrouvée dans {n}.",
        "kept.checked.1": "{n} enregistrement maintenu a été contrôlé : il est inchangé.",
        "kept.checked.n": "{n} enregistrements maintenus ont été contrôlés : ils sont inchangés.",
        "failure": "Anomalie constatée : {text}.",
        "s6": "Copies subsistantes",
        "remaining.logical": "Il s'agit d'un effacement logique dans les bases de données mentionnées, et "
                             "non d'un assainissement des supports de stockage.",
        "remaining.backups": "Les sauvegardes ({description}) en conservent des copies jusqu'à leur "
                             "expiration, au plus tard le {date}{period}. En cas de restauration d'une "
                             "sauvegarde, l'effacement doit être appliqué à nouveau.",
        "remaining.original": "Déclaration de l'émetteur (texte original) : {text}",
        "note.sqlite": "SQLite conserve le contenu effacé dans des pages libres jusqu'à ce que VACUUM (ou "
                       "secure_delete) les écrase ; le fichier journal ou WAL peut en contenir des copies "
                       "jusqu'au prochain point de contrôle (checkpoint).",
        "note.postgresql": "PostgreSQL conserve les versions effacées ou modifiées des enregistrements "
                           "(dead tuples) jusqu'à ce que VACUUM les récupère ; les archives WAL et les "
                           "réplicas en gardent des copies jusqu'à leur recyclage.",
        "note.mysql": "InnoDB libère les enregistrements effacés lors du passage de son processus de purge "
                      "; le journal binaire, les journaux de relais et les réplicas conservent des copies "
                      "des enregistrements modifiés jusqu'à leur purge.",
        "note.sql": "Les enregistrements effacés peuvent subsister dans l'espace libre de la base de "
                    "données jusqu'à ce qu'il soit réutilisé.",
        "s7": "Destinataires à informer (article 19 du RGPD)",
        "recipients": "Conformément à l'article 19 du RGPD, le responsable du traitement notifie "
                      "l'effacement à chaque destinataire auquel les données à caractère personnel ont été "
                      "communiquées, à moins qu'une telle communication se révèle impossible ou exige des "
                      "efforts disproportionnés. La configuration mentionne les destinataires suivants :",
        "recipients.none": "Conformément à l'article 19 du RGPD, le responsable du traitement notifie "
                           "l'effacement à chaque destinataire auquel les données à caractère personnel ont "
                           "été communiquées. La configuration ne mentionne aucun destinataire.",
        "s8": "Authenticité",
        "authentic": "Le présent document restitue en toutes lettres le contenu de l'attestation signée "
                     "électroniquement au format JSON. Ce fichier ({name}) est joint au présent document "
                     "PDF et constitue la version authentique de l'attestation ; en cas de divergence, il "
                     "prévaut sur le présent document.",
        "a.signature": "Signature de l'attestation",
        "a.signature.value": "Ed25519 (JWS), clé {kid}",
        "a.checked": "Vérifiée lors de l'établissement du présent document",
        "a.checked.ok": "valide ; position {seq} dans la chaîne ({chain})",
        "a.checked.manifest": "valide ; clé {status} dans le manifeste des clés (version {version}), "
                              "valable du {start} au {end}",
        "a.checked.none": "non vérifiée (aucune clé publique disponible)",
        "a.chain": "Chaîne",
        "a.chain.first": "première attestation de la chaîne",
        "a.chain.previous": "fait suite à l'attestation dont l'empreinte SHA-256 est {digest}",
        "a.digest": "Empreinte SHA-256 du fichier JSON",
        "a.pdf": "Signature du présent document PDF",
        "a.pdf.value": "PAdES, ECDSA P-256, certificat « {cn} », empreinte SHA-256 {fp}",
        "a.made": "Établi le",
        "a.made.value": "{moment}, au moyen de {software}",
        "chain.linked": "rattachée à l'attestation n° {n}",
        "chain.first": "première attestation de la chaîne",
        "chain.partial": "seule cette attestation vérifiée ; sa place dans la chaîne ne l'a pas été",
        "status.active": "active",
        "status.retired": "retirée",
        "open": "ce jour",
        "closing": "Toute modification du présent document PDF ou de la pièce jointe après signature "
                   "invalide la signature. Vérification : {command}.",
        "times": "Les heures sont indiquées en {zone} ; le fichier JSON les mentionne en UTC.",
        "zone": "heure belge",
        "attachment": "Attestation signée (JWS, JSON) : version authentique",
        "record": "enregistrement|enregistrements",
        "none": "aucun",
        "id.email": "adresse électronique",
        "id.phone": "numéro de téléphone",
        "id.customer_number": "numéro de client",
        "st.faker": "remplacement par une valeur fictive aléatoire",
        "st.null": "mise à blanc",
        "st.redact": "remplacement par la mention [erased]",
        "st.hash": "remplacement par une empreinte à clé (HMAC-SHA256)",
        "st.generalize:year": "réduction à l'année",
        "st.generalize:n": "réduction aux {n} premiers caractères",
        "st.keep": "maintien sans modification",
        "unit.y": "an|ans",
        "unit.m": "mois|mois",
        "unit.w": "semaine|semaines",
        "unit.d": "jour|jours",
        "integrity.fk": "clés étrangères",
        "integrity.links": "clés étrangères et liens déclarés dans la configuration",
        "intro.release": "{org}, agissant en qualité de {role}{behalf}, atteste par la présente que le "
                         "{completed}, les données à caractère personnel dont le délai légal de "
                         "conservation était expiré ont été détruites comme décrit ci-après. Ces données "
                         "étaient conservées en vertu de l'attestation portant la référence {parent}.",
        "parent": "Attestation ayant constaté la conservation",
        "o.released": "Les données conservées dont le délai de conservation était expiré ont été effacées "
                      "ou anonymisées, selon la règle applicable à leur table.",
        "s2.release": "Données détruites",
        "cols.release": "Données|Effacés|Anonymisés",
        "released.item": "{n} ; fin du délai de conservation : {dates}.",
        "method.release": "Avant la validation définitive des modifications, au sein de la même "
                          "transaction, les enregistrements libérés ont été relus : les enregistrements "
                          "effacés ont disparu et les colonnes anonymisées ont été modifiées ; l'intégrité "
                          "référentielle (clés étrangères) a été contrôlée.",
        "remaining.period": " (durée de conservation : {period})",
    },
    "en": {
        "title": "Certificate of destruction of personal data",
        "number": "Certificate no. {seq}",
        "footer": "Certificate no. {seq} · {id} · page {page} of {pages}",
        "intro": "{org}, acting as {role}{behalf}, hereby certifies that it carried out the request for "
                 "erasure of personal data described below on {completed}.",
        "behalf": " on behalf of {de}{controller}",
        "role.processor": "processor",
        "role.controller": "controller",
        "s1": "Request and parties",
        "issuer": "Issuer of the certificate",
        "controller": "Controller",
        "reference": "Request reference",
        "received": "Received on",
        "due": "Due by",
        "due.value": "{date}, one month after receipt (GDPR Art. 12(3))",
        "completed": "Carried out on",
        "operator": "Carried out by",
        "subject": "Data subject",
        "subject.ref": "keyed reference {ref}",
        "identifiers": "Identifiers used",
        "ground": "Legal ground",
        "outcome": "Outcome",
        "subject.note": "This certificate designates the data subject only by a keyed reference (an "
                        "HMAC-SHA256 of the identifiers, computed with a secret key that the certificate "
                        "does not contain). It states no name, no identifier and no content of the erased "
                        "data; only whoever holds the secret key can link it to the request.",
        "o.erased": "All personal data of the data subject found in the databases listed below was erased.",
        "o.erased_with_retention": "The data subject's personal data was erased, except the data that the "
                                   "law requires to be kept; that data is listed in section 3, with its "
                                   "legal basis and the date on which its retention ends.",
        "o.erased_with_rows_for_review": "The data subject's personal data was erased, except data that "
                                         "also concerns other persons; that data was left for review "
                                         "(section 4).",
        "o.erased_with_residual_matches": "The data subject's personal data was erased, but the data subject "
                                          "was still found in free text; those matches were reported, not "
                                          "removed.",
        "o.nothing_found": "No personal data of the data subject was found; nothing was changed.",
        "o.held": "Nothing was erased: the data subject's data is under a legal hold (see section 2).",
        "s2": "Data erased and anonymised",
        "s2.intro": "For each table: the number of records that concerned the data subject, and what was "
                    "done with them.",
        "cols": "Data|Found|Deleted|Anonymised|Kept|Legal hold|For review",
        "total": "Total",
        "totals": "In total: {delete}, {anonymize}, {retain}, {hold} and {review}.",
        "t.delete": "deleted|deleted",
        "t.anonymize": "anonymised|anonymised",
        "t.retain": "kept|kept",
        "t.hold": "under legal hold|under legal hold",
        "t.review": "left for review|left for review",
        "strategies": "Records anonymised rather than deleted were treated as follows:",
        "hold": "The data subject's data is under a legal hold (a duty to preserve it for litigation or an "
                "investigation): {reason}{until}. Nothing was therefore erased.",
        "hold.until": ", until {date}",
        "s3": "Data kept: legal basis and retention period",
        "kept.none": "No data was kept.",
        "kept.until.1": "{n}, kept until {date}.",
        "kept.until.n": "{n}, kept until {date}.",
        "kept.between.1": "{n}, kept until {first}.",
        "kept.between.n": "{n}, kept until a date between {first} and {last}, depending on the record.",
        "kept.period.column": "Retention period: {period}, counted from the date in column {column}.",
        "kept.period.request": "Retention period: {period}, counted from the date of the request.",
        "kept.period.child.1": "Retention period: {period}; it ends with that of the kept record of table "
                               "{table} that refers to it.",
        "kept.period.child.n": "Retention period: {period}; it ends with that of the kept records of table "
                               "{table} that refer to them.",
        "kept.period.parent.1": "Retention period: {period}; it ends with that of the record it belongs to.",
        "kept.period.parent.n": "Retention period: {period}; it ends with that of the record they belong to.",
        "kept.basis": "Legal basis: {basis}.",
        "kept.minimized": "Columns not needed for that purpose were minimised: {columns}.",
        "kept.note": "Legal bases are quoted as worded in the issuer's configuration.",
        "s4": "Data left for review",
        "review.none": "No records were left for review.",
        "review.note": "These records were not changed; what happens to them is still to be decided.",
        "review.shared.1": "Shared with other persons: {n} of table {table}, outside the data subject's "
                           "data, refers to it ({link}).",
        "review.shared.n": "Shared with other persons: {n} of table {table}, outside the data subject's "
                           "data, refer to it ({link}).",
        "review.referenced": "Still referred to ({why}), and no anonymisation is configured; the data was "
                             "therefore not erased.",
        "s5": "Verification",
        "method.standard": "Before the changes were committed, within the same transaction, the data "
                           "subject was searched for again; deleted records were checked to be gone, "
                           "anonymised columns to have changed, and kept records to be unchanged (SHA-256 "
                           "per record); and referential integrity ({integrity}) was checked.",
        "method.hold": "No verification: the legal hold prevents any change.",
        "result": "Result of the verification: {result}.",
        "result.PASS": "passed",
        "result.FAIL": "failed",
        "result.NOT RUN": "not run",
        "result.RESIDUAL MATCHES REPORTED, NOT REMOVED": "residual matches reported, not removed",
        "result.IDENTIFIERS REMAIN IN ROWS KEPT FOR OTHERS": "the data subject remains named in records kept for "
                                                              "other persons",
        "kept.others": "Of these, {n} of other persons are kept (by law, under a legal hold or for review) "
                       "and were therefore not changed: {where}.",
        "residual.none": "After the erasure, the data subject was found in no record other than those kept "
                         "or left for review.",
        "residual.some": "After the erasure, the data subject was still found in {n}.",
        "kept.checked.1": "{n} kept record was checked: it is unchanged.",
        "kept.checked.n": "{n} kept records were checked: they are unchanged.",
        "failure": "Deviation found: {text}.",
        "s6": "Remaining copies",
        "remaining.logical": "This is logical deletion in the databases listed, not sanitisation of storage "
                             "media.",
        "remaining.backups": "Backups ({description}) keep copies until they expire, on {date} at the "
                             "latest{period}. If a backup is restored, the erasure must be applied again.",
        "remaining.original": "Issuer's statement (original wording): {text}",
        "note.sqlite": "SQLite keeps deleted content in free pages until VACUUM (or secure_delete) "
                       "overwrites them; the journal or WAL file may hold copies until the next checkpoint.",
        "note.postgresql": "PostgreSQL keeps deleted and updated row versions (dead tuples) until VACUUM "
                           "reclaims them; WAL archives and replicas hold copies until they are recycled.",
        "note.mysql": "InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs and "
                      "replicas hold copies of the changed rows until they are purged.",
        "note.sql": "Deleted rows may persist in the database's free space until it is reused.",
        "s7": "Recipients to notify (GDPR Article 19)",
        "recipients": "Under Article 19 GDPR, the controller communicates the erasure to each recipient to "
                      "whom the personal data have been disclosed, unless this proves impossible or "
                      "involves disproportionate effort. The configuration lists these recipients:",
        "recipients.none": "Under Article 19 GDPR, the controller communicates the erasure to each "
                           "recipient to whom the personal data have been disclosed. The configuration "
                           "lists no recipients.",
        "s8": "Authenticity",
        "authentic": "This document states in words what the electronically signed certificate in JSON "
                     "format says. That file ({name}) is attached to this PDF and is the authoritative "
                     "version of the certificate; where they differ, it prevails over this document.",
        "a.signature": "Signature of the certificate",
        "a.signature.value": "Ed25519 (JWS), key {kid}",
        "a.checked": "Checked when this document was made",
        "a.checked.ok": "valid; position {seq} in the chain ({chain})",
        "a.checked.manifest": "valid; key {status} in the key manifest (version {version}), valid from "
                              "{start} to {end}",
        "a.checked.none": "not checked (no public key at hand)",
        "a.chain": "Chain",
        "a.chain.first": "first certificate of the chain",
        "a.chain.previous": "follows the certificate with SHA-256 {digest}",
        "a.digest": "SHA-256 of the JSON file",
        "a.pdf": "Signature of this PDF",
        "a.pdf.value": "PAdES, ECDSA P-256, certificate “{cn}”, SHA-256 fingerprint {fp}",
        "a.made": "Made on",
        "a.made.value": "{moment}, with {software}",
        "chain.linked": "linked to certificate no. {n}",
        "chain.first": "first certificate of the chain",
        "chain.partial": "this certificate checked on its own; its place in the chain was not",
        "status.active": "active",
        "status.retired": "retired",
        "open": "today",
        "closing": "Any change to this PDF or its attachment after signing invalidates the signature. To "
                   "check: {command}.",
        "times": "Times are given in {zone}; the JSON file states them in UTC.",
        "zone": "Belgian time",
        "attachment": "Signed certificate (JWS, JSON): authoritative version",
        "record": "record|records",
        "none": "none",
        "id.email": "email address",
        "id.phone": "phone number",
        "id.customer_number": "customer number",
        "st.faker": "replaced by a random fictitious value",
        "st.null": "emptied",
        "st.redact": "replaced by the marker [erased]",
        "st.hash": "replaced by a keyed hash (HMAC-SHA256)",
        "st.generalize:year": "reduced to the year",
        "st.generalize:n": "reduced to the first {n} characters",
        "st.keep": "kept unchanged",
        "unit.y": "year|years",
        "unit.m": "month|months",
        "unit.w": "week|weeks",
        "unit.d": "day|days",
        "integrity.fk": "foreign keys",
        "integrity.links": "foreign keys and links declared in the configuration",
        "intro.release": "{org}, acting as {role}{behalf}, hereby certifies that on {completed} the "
                         "personal data whose legal retention period had ended was destroyed as described "
                         "below. That data had been kept under certificate {parent}.",
        "parent": "Certificate that recorded the retention",
        "o.released": "The kept data whose retention period had ended was deleted or anonymised, as the "
                      "rule for its table requires.",
        "s2.release": "Data destroyed",
        "cols.release": "Data|Deleted|Anonymised",
        "released.item": "{n}; end of the retention period: {dates}.",
        "method.release": "Before the changes were committed, within the same transaction, the released "
                          "records were read again: deleted records are gone and anonymised columns have "
                          "changed; referential integrity (foreign keys) was checked.",
        "remaining.period": " (retention: {period})",
    },
}

# The engine's English texts that the PDF restates in the reader's language (connectors' after-erasure notes).
ENGINE_NOTES = {
    "sqlite": "SQLite keeps deleted content in free pages until VACUUM (or secure_delete) overwrites them; "
              "the journal/WAL file may hold copies until checkpointed.",
    "postgresql": "PostgreSQL keeps deleted and updated row versions (dead tuples) until VACUUM reclaims "
                  "them; WAL archives and replicas hold copies until they are recycled.",
    "mysql": "InnoDB frees deleted rows when its purge thread runs; the binary log, relay logs and replicas "
             "hold copies of the changed rows until they are purged.",
    "sql": "Deleted rows may persist in the database's free space until it is reused.",
}
STATEMENT = re.compile(r"^(?:This is logical|Logical) deletion in the databases named above, not "
                       r"sanitization of storage media\.\s*(?P<notes>.*?)\s*Backups \((?P<description>.*)\) "
                       r"keep copies until they expire; after (?:any|a) restore, the (?:erasure|release) "
                       r"must be applied again\.$", re.S)
SHARED = re.compile(r"^shared: also used by (?P<n>\d+) row\(s\) of (?P<table>\S+) outside this subject's "
                    r"data \((?P<link>.*)\); left for review$")
REFERENCED = re.compile(r"^not deleted: still referenced by (?P<why>.*), and no columns: are configured to "
                        r"anonymize it; left for review$")
STANDARD_METHOD = "re-located the subject inside the transaction before commit"
RELEASE_METHOD = "released rows re-read inside the transaction before commit"


class Words:
    """Texts, numbers and dates in one language."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise CertificateError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}.")
        self.lang = lang
        self.t = T[lang]
        if lang == "fr":  # French typography: no line break before « : ; » or after «
            self.t = {k: v.replace(" :", NBSP + ":").replace(" ;", NBSP + ";").replace("« ", "«" + NBSP)
                      .replace(" »", NBSP + "»") for k, v in self.t.items()}
        self.colon = NBSP + ":" if lang == "fr" else ":"
        self.semicolon = NBSP + ";" if lang == "fr" else ";"
        try:
            self.zone: Any = ZoneInfo("Europe/Brussels")
            self.zone_name = self.t["zone"]
        except ZoneInfoNotFoundError:
            self.zone, self.zone_name = UTC, "UTC"

    def __call__(self, key: str, **values: Any) -> str:
        return self.t[key].format(**values)

    def plural(self, n: int, key: str) -> str:
        one, many = self.t[key].split("|")
        singular = n < 2 if self.lang == "fr" else n == 1
        return one if singular else many

    def count(self, n: int, key: str = "record") -> str:
        return f"{n}{NBSP}{self.plural(n, key)}"

    def pick(self, key: str, number: int, /, **values: Any) -> str:
        """The singular (KEY.1) or plural (KEY.n) form of a sentence about `number` things."""
        singular = number < 2 if self.lang == "fr" else number == 1
        return self.t[f"{key}.{'1' if singular else 'n'}"].format(**values)

    def date(self, value: date | str | None) -> str:
        if value is None:
            return "-"
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return str(value)
        day = "1er" if self.lang == "fr" and value.day == 1 else str(value.day)
        return f"{day}{NBSP}{MONTHS[self.lang][value.month - 1]} {value.year}"

    def moment(self, value: str | None) -> str:
        if not value:
            return "-"
        try:
            local = datetime.fromisoformat(value).astimezone(self.zone)
        except ValueError:
            return value
        day = self.date(local.date())
        if self.lang == "nl":
            return f"{day} om {local.hour}.{local.minute:02d} uur"
        if self.lang == "fr":
            return f"{day} à {local.hour} h {local.minute:02d}"
        return f"{day} at {local.hour:02d}:{local.minute:02d}"

    def of(self, name: str) -> str:
        """French elides « de » before a vowel (« pour le compte d'Installateur X »); other languages: ""."""
        if self.lang != "fr":
            return ""
        return "d'" if unicodedata.normalize("NFD", name[:1]).lower()[:1] in "aeiouy" and name else "de "

    def quote(self, text: str) -> str:
        return f"«{NBSP}{text}{NBSP}»" if self.lang == "fr" else f"“{text}”"

    def period(self, value: str | None) -> str:
        match = re.fullmatch(r"(\d+)\s*([ymwd])", str(value or ""))
        if not match:
            return str(value or "-")
        n = int(match.group(1))
        return f"{n}{NBSP}{self.plural(n, 'unit.' + match.group(2))}"

    def strategy(self, value: str) -> str:
        if value.startswith("faker:"):
            return self.t["st.faker"]
        if value == "generalize:year":
            return self.t["st.generalize:year"]
        if re.fullmatch(r"generalize:\d+", value):
            return self.t["st.generalize:n"].format(n=value.split(":")[1])
        return self.t.get(f"st.{value}", value)

    def identifier(self, value: str) -> str:
        return self.t.get(f"id.{value}", value.replace("_", " "))

    def chain(self, text: str) -> str:
        if match := re.fullmatch(r"linked to certificate (\d+)", text):
            return self("chain.linked", n=match.group(1))
        if text == "first certificate of its chain":
            return self.t["chain.first"]
        if text.startswith("verified on its own"):
            return self.t["chain.partial"]
        return text


# -- the document as blocks ------------------------------------------------------------------------

@dataclass
class Block:
    """One piece of the document: kind is title, subtitle, heading, para, small, kv, counts or bullets."""

    kind: str
    content: Any


def _notes(statement: str, w: Words) -> list[str] | None:
    """The 'what remains' statement in the reader's language, or None if it is not the engine's wording."""
    match = STATEMENT.match(statement)
    if not match:
        return None
    notes, out = match.group("notes"), []
    for name, english in ENGINE_NOTES.items():
        if english in notes:
            out.append(w.t[f"note.{name}"])
            notes = notes.replace(english, "")
    if notes.strip():
        out.append(w("remaining.original", text=w.quote(notes.strip())))
    return out


def _review_reason(reason: str, w: Words) -> str:
    if match := SHARED.match(reason):
        n = int(match.group("n"))
        return w.pick("review.shared", n, n=w.count(n), table=match.group("table"), link=match.group("link"))
    if match := REFERENCED.match(reason):
        return w("review.referenced", why=match.group("why"))
    return w.quote(reason)


def describe(payload: dict[str, Any], lang: str, check: Verified | ManifestVerified | None = None,
             document: dict[str, str] | None = None) -> list[Block]:
    """The content of the PDF in one language, as blocks of text (no layout). Certificates of an erasure and
    of a retention release (rows destroyed once their retention period ended) each get their own sections."""
    w = Words(lang)
    document = document or {}
    meta, issuer = payload.get("certificate") or {}, payload.get("issuer") or {}
    ticket = payload.get("ticket") or {}
    release = meta.get("type") == "retention_release"
    org, controller = str(issuer.get("organisation", "")), str(payload.get("controller", ""))
    role = str(issuer.get("role", ""))
    role_words = w.t.get(f"role.{role}", role)
    behalf = (w("behalf", de=w.of(controller), controller=controller)
              if controller and controller != org else "")
    number = w("number", seq=meta.get("sequence", "?"))
    completed = w.moment(ticket.get("completed_at"))
    blocks = [Block("title", w.t["title"]), Block("subtitle", f"{number} · {meta.get('id', '')}")]
    if release:
        blocks.append(Block("para", w("intro.release", org=org, role=role_words, behalf=behalf,
                                      completed=completed, parent=meta.get("parent_id", ""))))
    else:
        blocks.append(Block("para", w("intro", org=org, role=role_words, behalf=behalf, completed=completed)))
    sections = iter(range(1, 20))

    def heading(key: str) -> Block:
        return Block("heading", f"{next(sections)}. {w.t[key]}")

    # 1. request and parties
    outcome = str(payload.get("outcome", ""))
    subject = payload.get("subject") or {}
    rows = [(w.t["issuer"], f"{org} ({role_words})")]
    if controller and controller != org:
        rows.append((w.t["controller"], controller))
    rows.append((w.t["reference"], str(ticket.get("reference", ""))))
    if release:
        parent = str(meta.get("parent_id", ""))
        if meta.get("parent_sha256"):
            parent += f" (SHA-256 {meta['parent_sha256']})"
        rows += [(w.t["completed"], completed), (w.t["parent"], parent)]
    else:
        kinds = [w.identifier(str(i)) for i in subject.get("identifier_types", ())]
        identifiers = ", ".join(kinds) or w.t["none"]
        rows += [(w.t["received"], w.moment(ticket.get("received_at"))),
                 (w.t["due"], w("due.value", date=w.date(ticket.get("due_at")))),
                 (w.t["completed"], completed),
                 (w.t["operator"], str(payload.get("operator", ""))),
                 (w.t["subject"], w("subject.ref", ref=subject.get("reference", ""))),
                 (w.t["identifiers"], identifiers)]
    rows += [(w.t["ground"], w.quote(str(payload.get("legal_ground", "")))),
             (w.t["outcome"], w.t.get(f"o.{outcome}", outcome))]
    blocks += [heading("s1"), Block("kv", rows)]
    if not release:
        blocks.append(Block("small", w.t["subject.note"]))

    # 2. what was erased (or, for a release, destroyed)
    if release:
        blocks += _released(payload, w, heading)
    else:
        blocks += _erased(payload, w, heading)

    # verification
    verification = payload.get("verification") or {}
    method, result = str(verification.get("method", "")), str(verification.get("result", ""))
    blocks.append(heading("s5"))
    if method.startswith(STANDARD_METHOD):
        integrity = w.t["integrity.links" if "declared links" in method else "integrity.fk"]
        blocks.append(Block("para", w("method.standard", integrity=integrity)))
    elif method.startswith(RELEASE_METHOD):
        blocks.append(Block("para", w.t["method.release"]))
    elif method.startswith("none: a legal hold"):
        blocks.append(Block("para", w.t["method.hold"]))
    elif method:
        blocks.append(Block("para", w.quote(method)))
    lines = [w("result", result=w.t.get(f"result.{result}", result))]
    if result != "NOT RUN" and not release:
        residual = int(verification.get("residual_matches", 0))
        lines.append(w.t["residual.none"] if residual == 0 else w("residual.some", n=w.count(residual)))
        others = (verification.get("residual_scan") or {}).get("rows_kept_for_others") or []
        if others:
            n_kept = len({(e["connector"], e["table"], repr(e["key"])) for e in others})
            where = ", ".join(sorted({f"{e['table']}.{e['column']}" for e in others}))
            lines.append(w("kept.others", n=w.count(n_kept), where=where))
        if "kept_rows_checked" in verification:
            n = int(verification["kept_rows_checked"])
            lines.append(w.pick("kept.checked", n, n=n))
    if verification.get("failure"):
        lines.append(w("failure", text=w.quote(str(verification["failure"]))))
    blocks.append(Block("para", " ".join(lines)))

    # remaining copies
    remaining = payload.get("remaining_copies") or {}
    blocks.append(heading("s6"))
    statement = str(remaining.get("statement", ""))
    notes = _notes(statement, w)
    match = STATEMENT.match(statement)
    if notes is None or match is None:
        blocks.append(Block("para", w("remaining.original", text=w.quote(statement))))
        if remaining.get("backups_expire_on"):
            blocks.append(Block("para", f"{w.date(remaining['backups_expire_on'])}."))
    else:
        period = (w("remaining.period", period=w.period(remaining["backups_retention"]))
                  if remaining.get("backups_retention") else "")
        blocks.append(Block("para", " ".join([w.t["remaining.logical"], *notes])))
        blocks.append(Block("para", w("remaining.backups", description=match.group("description"),
                                      date=w.date(remaining.get("backups_expire_on")), period=period)))

    # recipients (an erasure's certificate always lists them, if only as none)
    if "recipients_to_notify" in payload:
        recipients = payload.get("recipients_to_notify") or []
        blocks.append(heading("s7"))
        if recipients:
            blocks += [Block("para", w.t["recipients"]),
                       Block("bullets", [escape(str(r)) for r in recipients])]
        else:
            blocks.append(Block("para", w.t["recipients.none"]))

    # authenticity
    blocks += [heading("s8"), Block("para", w("authentic", name=document.get("name", "")))]
    rows = [(w.t["a.signature"], w("a.signature.value", kid=document.get("kid", "")))]
    if isinstance(check, ManifestVerified):
        key = check.key
        rows.append((w.t["a.checked"], w("a.checked.manifest", status=w.t[f"status.{key.status}"],
                                         version=check.manifest.version, start=w.date(key.valid_from.date()),
                                         end=w.date(key.valid_until.date()) if key.valid_until
                                         else w.t["open"])))
    elif isinstance(check, Verified):
        rows.append((w.t["a.checked"], w("a.checked.ok", seq=check.sequence, chain=w.chain(check.chain))))
    else:
        rows.append((w.t["a.checked"], w.t["a.checked.none"]))
    previous = meta.get("previous_sha256")
    rows += [(w.t["a.chain"], w("a.chain.previous", digest=previous) if previous else w.t["a.chain.first"]),
             (w.t["a.digest"], document.get("sha256", "")),
             (w.t["a.pdf"], w("a.pdf.value", cn=document.get("signer", ""),
                              fp=document.get("fingerprint", ""))),
             (w.t["a.made"], w("a.made.value", moment=w.moment(document.get("made_at")),
                               software=document.get("software", "")))]
    blocks += [Block("kv", rows),
               Block("small", w("closing", command=f"eraser certificate verify {document.get('name', '')}")),
               Block("small", w("times", zone=w.zone_name))]
    return blocks


def _erased(payload: dict[str, Any], w: Words, heading: Any) -> list[Block]:
    """Sections 2 to 4 of an erasure's certificate: what was erased, kept, and left for review."""
    blocks = [heading("s2")]
    hold = payload.get("hold")
    if hold:
        until = w("hold.until", date=w.date(hold["until"])) if hold.get("until") else ""
        blocks.append(Block("para", w("hold", reason=w.quote(str(hold.get("reason", ""))), until=until)))
    table_rows, strategies = [], []
    for db in payload.get("databases", []):
        for t in db.get("tables", []):
            c = t.get("counts", {})
            table_rows.append((str(t.get("table", "")), str(db.get("connector", "")),
                               str(t.get("category", "")),
                               [t.get("found", sum(c.values())), c.get("delete", 0), c.get("anonymize", 0),
                                c.get("retain", 0), c.get("hold", 0), c.get("review", 0)]))
            if t.get("strategies") and c.get("anonymize"):
                grouped: dict[str, list[str]] = {}
                for column, strategy in t["strategies"].items():
                    grouped.setdefault(w.strategy(str(strategy)), []).append(str(column))
                strategies.append((str(t.get("table", "")),
                                   f"{w.semicolon} ".join(f"{', '.join(cols)}{w.colon} {how}"
                                                          for how, cols in grouped.items())))
    totals = payload.get("totals") or {}
    actions = ("delete", "anonymize", "retain", "hold", "review")
    if table_rows:
        found = sum(int(r[3][0]) for r in table_rows)
        blocks += [Block("para", w.t["s2.intro"]),
                   Block("counts", {"columns": w.t["cols"].split("|"), "rows": table_rows,
                                    "total": (w.t["total"], [found] + [totals.get(a, 0) for a in actions])})]
    counts = {a: int(totals.get(a, 0)) for a in actions}
    summary = {a: f"{w.count(n)} {w.plural(n, 't.' + a)}" for a, n in counts.items()}
    blocks.append(Block("para", w("totals", **summary)))
    if strategies:
        blocks += [Block("para", w.t["strategies"]),
                   Block("bullets", [f"<b>{escape(name)}</b>{w.colon} {escape(text)}"
                                     for name, text in strategies])]

    blocks.append(heading("s3"))
    kept = payload.get("retained") or []
    if not kept:
        blocks.append(Block("para", w.t["kept.none"]))
    items = []
    for r in kept:
        first, last = r.get("release_first"), r.get("release_last")
        n = int(r.get("rows", 0))
        head = (w.pick("kept.until", n, n=w.count(n), date=w.date(first)) if first == last else
                w.pick("kept.between", n, n=w.count(n), first=w.date(first), last=w.date(last)))
        start = str(r.get("counted_from", ""))
        period = w.period(r.get("period"))
        term = (w.pick("kept.period.parent", n, period=period) if start == "parent" else
                w.pick("kept.period.child", n, period=period, table=str(r.get("kept_with", ""))) if start == "child" else
                w("kept.period.request", period=period) if start == "request" else
                w("kept.period.column", period=period, column=start))
        basis = w("kept.basis", basis=w.quote(str(r.get("basis", ""))))
        text = f"{escape(head)} {escape(term)} {escape(basis)}"
        if r.get("minimized_columns"):
            text += " " + escape(w("kept.minimized", columns=", ".join(r["minimized_columns"])))
        where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
        items.append(f"{where}{w.colon} {text}")
    if items:
        blocks += [Block("bullets", items), Block("small", w.t["kept.note"])]

    blocks.append(heading("s4"))
    review = payload.get("review") or []
    if not review:
        blocks.append(Block("para", w.t["review.none"]))
    else:
        lines = []
        for r in review:
            where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
            reason = _review_reason(str(r.get("reason", "")), w)
            lines.append(f"{where}{w.colon} {escape(w.count(int(r.get('rows', 0))))}. {escape(reason)}")
        blocks += [Block("bullets", lines), Block("para", w.t["review.note"])]
    return blocks


def _released(payload: dict[str, Any], w: Words, heading: Any) -> list[Block]:
    """Section 2 of a retention release's certificate: what was destroyed, and when its retention ended."""
    blocks = [heading("s2.release")]
    table_rows = []
    for db in payload.get("databases", []):
        for t in db.get("tables", []):
            done = t.get("done", {})
            table_rows.append((str(t.get("table", "")), str(db.get("connector", "")), "",
                               [done.get("delete", 0), done.get("anonymize", 0)]))
    if table_rows:
        blocks.append(Block("counts", {"columns": w.t["cols.release"].split("|"), "rows": table_rows,
                                       "total": (w.t["total"], [sum(int(r[3][i]) for r in table_rows)
                                                                for i in (0, 1)])}))
    items = []
    for r in payload.get("released") or []:
        dates = ", ".join(w.date(d) for d in r.get("release_dates", []))
        where = f"<b>{escape(str(r.get('table', '')))}</b> ({escape(str(r.get('connector', '')))})"
        items.append(f"{where}{w.colon} "
                     f"{escape(w('released.item', n=w.count(int(r.get('rows', 0))), dates=dates))}")
    if items:
        blocks.append(Block("bullets", items))
    return blocks


# -- layout ------------------------------------------------------------------------------------

_FONTS: dict[str, Any] = {}


def _fonts() -> dict[str, Any]:
    """Register Bitstream Vera (shipped with reportlab) once; return the regular face's character map."""
    if not _FONTS:
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        faces = {"Vera": "Vera.ttf", "Vera-Bold": "VeraBd.ttf", "Vera-Italic": "VeraIt.ttf",
                 "Vera-BoldItalic": "VeraBI.ttf"}
        for name, file in faces.items():
            font = TTFont(name, file)
            pdfmetrics.registerFont(font)
            _FONTS.setdefault("cmap", font.face.charToGlyph)
        addMapping("Vera", 0, 0, "Vera")
        addMapping("Vera", 1, 0, "Vera-Bold")
        addMapping("Vera", 0, 1, "Vera-Italic")
        addMapping("Vera", 1, 1, "Vera-BoldItalic")
    return _FONTS


def printable(text: str) -> str:
    """Text the embedded font can print: letters it lacks lose their accents, or become '?'."""
    cmap = _fonts()["cmap"]
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ord(ch) in cmap or ch in "\n\t":
            out.append(ch)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        out.append(base if base and all(ord(c) in cmap for c in base) else "?")
    return "".join(out)


def _layout(blocks: list[Block], lang: str, meta: dict[str, str]) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import cm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        ListFlowable,
        ListItem,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    base = ParagraphStyle("base", fontName="Vera", fontSize=9.5, leading=13, spaceAfter=4)
    styles = {
        "title": ParagraphStyle("title", base, fontName="Vera-Bold", fontSize=17, leading=21, spaceAfter=2),
        "subtitle": ParagraphStyle("subtitle", base, fontSize=9, textColor=colors.HexColor("#444444"),
                                   spaceAfter=10),
        "heading": ParagraphStyle("heading", base, fontName="Vera-Bold", fontSize=11.5, leading=15,
                                  spaceBefore=9, spaceAfter=4, keepWithNext=1),
        "para": base,
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5,
                                textColor=colors.HexColor("#333333")),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11, spaceAfter=0),
        "num": ParagraphStyle("num", base, fontSize=8.5, leading=11, spaceAfter=0, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", base, fontName="Vera-Bold", fontSize=7.5, leading=9.5, spaceAfter=0),
    }

    def p(text: str, style: str, markup: bool = False) -> Paragraph:
        return Paragraph(printable(text) if markup else escape(printable(text)), styles[style])

    grid = [("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#999999")), ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 2.5), ("BOTTOMPADDING", (0, 0), (-1, -1), 3)]
    story: list[Any] = []
    for block in blocks:
        if block.kind in ("title", "subtitle", "heading", "para", "small"):
            story.append(p(block.content, block.kind))
        elif block.kind == "kv":
            data = [[p(k, "cell"), p(v, "cell")] for k, v in block.content]
            table = Table(data, colWidths=[5.2 * cm, 11.8 * cm])
            table.setStyle(TableStyle(grid + [("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#F0F0F0"))]))
            story += [table, Spacer(1, 5)]
        elif block.kind == "counts":
            c = block.content
            data = [[p(h, "head") for h in c["columns"]]]
            for name, connector, category, numbers in c["rows"]:
                label = f"<b>{escape(printable(name))}</b> ({escape(printable(connector))})"
                if category:
                    label += f"<br/><font size=7.5>{escape(printable(category))}</font>"
                data.append([Paragraph(label, styles["cell"])] + [p(str(n), "num") for n in numbers])
            total_label, total_numbers = c["total"]
            data.append([p(total_label, "cell")] + [p(str(n), "num") for n in total_numbers])
            widths = [max(max(stringWidth(word, "Vera-Bold", 7.5) for word in h.split()) + 9, 1.3 * cm)
                      for h in c["columns"][1:]]
            table = Table(data, colWidths=[17 * cm - sum(widths)] + widths, repeatRows=1)
            table.setStyle(TableStyle(grid + [("LEFTPADDING", (1, 0), (-1, -1), 4),
                                              ("RIGHTPADDING", (1, 0), (-1, -1), 4),
                                              ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#F0F0F0")),
                                              ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#F0F0F0"))]))
            story += [table, Spacer(1, 6)]
        elif block.kind == "bullets":
            story.append(ListFlowable([ListItem(p(item, "para", markup=True), leftIndent=12)
                                       for item in block.content], bulletType="bullet", start="•",
                                      bulletFontName="Vera", leftIndent=12))
        else:
            raise ValueError(f"unknown block kind {block.kind}")

    footer = meta["footer"]

    class NumberedCanvas(Canvas):
        """Writes 'page N of M' once the number of pages is known."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # noqa: N802 (reportlab's name)
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont("Vera", 7.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawCentredString(A4[0] / 2, 1.2 * cm,
                                       printable(footer.format(page=self._pageNumber, pages=total)))
                super().showPage()
            super().save()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2 * cm,
                            bottomMargin=2 * cm, title=printable(meta["title"]),
                            author=printable(meta["author"]),
                            subject=printable(meta["subject"]), creator=printable(meta["creator"]),
                            lang={"nl": "nl-BE", "fr": "fr-BE", "en": "en"}[lang])
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()


# -- render and sign -------------------------------------------------------------------------------

def render_pdf(certificate: Path, lang: str, signing_key: Path, signing_cert: Path,
               check: Verified | ManifestVerified | None = None, now: datetime | None = None) -> bytes:
    """The signed PDF of a certificate file: words in `lang`, the JSON attached, PAdES signature."""
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    w = Words(lang)
    try:
        raw = certificate.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read certificate {certificate}: {exc.strerror}.") from None
    header, payload, _, _ = read_jws(certificate)
    x509_cert = _load_x509(signing_cert)
    if not signing_key.exists():
        raise CertificateError(f"no PDF signing key at {signing_key}; create one with "
                               "`eraser keys generate`.")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    from eraser.proof.certificates import software

    soft = software()
    document = {"name": certificate.name, "kid": str(header.get("kid", "")),
                "sha256": hashlib.sha256(raw).hexdigest(), "signer": _common_name(x509_cert),
                "fingerprint": x509_cert.fingerprint(hashes.SHA256()).hex(),
                "made_at": moment.isoformat(), "software": f"{soft['name']} {soft['version']}"}
    meta = payload.get("certificate") or {}
    seq = meta.get("sequence", "?")
    title = f"{w.t['title']} – {w('number', seq=seq)}"
    pdf = _layout(describe(payload, lang, check, document), lang,
                  {"title": title, "author": str((payload.get("issuer") or {}).get("organisation", "")),
                   "subject": str(meta.get("id", "")), "creator": document["software"],
                   "footer": w.t["footer"].replace("{seq}", str(seq))
                   .replace("{id}", str(meta.get("id", "")))})

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    attached = embed.EmbeddedFileObject.from_file_data(
        writer, raw, compress=False, mime_type="application/json",
        params=embed.EmbeddedFileParams(creation_date=moment, modification_date=moment))
    embed.embed_file(writer, embed.FileSpec(file_spec_string=certificate.name, file_name=certificate.name,
                                            embedded_data=attached, description=printable(w.t["attachment"]),
                                            af_relationship=generic.pdf_name("/Source")))
    try:
        signer = signers.SimpleSigner.load(str(signing_key), str(signing_cert))
    except Exception:  # pyHanko reports unreadable keys in several ways
        signer = None
    if signer is None:
        raise CertificateError(f"{signing_key} and {signing_cert} are not a usable PDF signing key and "
                               "certificate.")
    signature_meta = signers.PdfSignatureMetadata(
        field_name="Signature", subfilter=fields.SigSeedSubFilter.PADES, md_algorithm="sha256",
        reason=printable(title), certify=True, docmdp_permissions=fields.MDPPerm.NO_CHANGES)
    out = signers.sign_pdf(writer, signature_meta, signer=signer)
    return bytes(out.getvalue())


# -- verification ------------------------------------------------------------------------------

@dataclass(frozen=True)
class PdfSignature:
    signer: str
    fingerprint: str
    trusted: bool
    signed_at: datetime | None


@dataclass(frozen=True)
class PdfVerified:
    signature: PdfSignature
    attachment: str
    certificate: Verified
    manifest: ManifestVerified | None
    compared_with: Path | None


def _reader(data: bytes, name: str) -> Any:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return PdfFileReader(io.BytesIO(data), strict=False)
    except Exception as exc:  # any parse failure means the file is not the PDF that was signed
        raise CertificateError(f"{name}: not a readable PDF ({type(exc).__name__}); it is damaged or was "
                               "changed.") from None


def check_pdf_signature(data: bytes, trusted_cert: Path | None = None, name: str = "PDF") -> PdfSignature:
    """Validate the PAdES signature: intact, covering the whole file, no change allowed after it, and (with
    trusted_cert) made with that certificate. CertificateError with the reason otherwise."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = _reader(data, name)
    try:
        signatures = reader.embedded_signatures
    except Exception as exc:
        raise CertificateError(f"{name}: its signature cannot be read ({type(exc).__name__}); the PDF was "
                               "changed.") from None
    if not signatures:
        raise CertificateError(f"{name}: the PDF is not signed.")
    sig = signatures[-1]
    try:
        signer_cert = sig.signer_cert
        root = load_cert_from_pemder(str(trusted_cert)) if trusted_cert else signer_cert
        status = validate_pdf_signature(sig, ValidationContext(trust_roots=[root], allow_fetching=False))
    except CertificateError:
        raise
    except Exception as exc:
        raise CertificateError(f"{name}: the PDF signature cannot be validated ({type(exc).__name__}: "
                               f"{exc}); the PDF was changed.") from None
    if not status.intact:
        raise CertificateError(f"{name}: bad PDF signature: the signed bytes were changed after signing.")
    if not status.valid:
        raise CertificateError(f"{name}: bad PDF signature: it does not match the signer's key.")
    if status.coverage is None or status.coverage.name != "ENTIRE_FILE" or len(signatures) != 1:
        raise CertificateError(f"{name}: the PDF was changed after signing (an update was appended after the "
                               "signature).")
    if trusted_cert is not None and not status.trusted:
        raise CertificateError(f"{name}: the PDF was signed by “{signer_cert.subject.human_friendly}”, not "
                               f"with the certificate {trusted_cert}.")
    fingerprint = hashlib.sha256(signer_cert.dump()).hexdigest()
    signed_at = getattr(status, "signer_reported_dt", None)
    common = signer_cert.subject.native.get("common_name") or signer_cert.subject.human_friendly
    return PdfSignature(str(common), fingerprint, trusted_cert is not None, signed_at)


def embedded_certificate(data: bytes, name: str = "PDF") -> tuple[str, bytes]:
    """(file name, bytes) of the certificate JSON attached to the PDF."""
    reader = _reader(data, name)
    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
        for i in range(0, len(names), 2):
            file_name = str(names[i])
            if file_name.endswith(".cert.json"):
                return file_name, bytes(names[i + 1].get_object()["/EF"]["/F"].get_object().data)
    except (KeyError, IndexError, TypeError, AttributeError):
        pass
    raise CertificateError(f"{name}: no certificate JSON is attached to this PDF.")


def verify_pdf(pdf: Path, keys: KeySet | Manifest | Sequence[Path], trusted_cert: Path | None = None,
               partial: bool = False) -> PdfVerified:
    """Check a certificate PDF: its PAdES signature (its signer vouched for only by the `trusted_cert` named),
    then the attached JSON with the keys named. If the store copy of the JSON is beside the PDF, the two must
    be identical and the store's chain is checked whole; without it, only with `partial`."""
    try:
        data = pdf.read_bytes()
    except OSError as exc:
        raise CertificateError(f"cannot read {pdf}: {exc.strerror}.") from None
    signature = check_pdf_signature(data, trusted_cert, str(pdf))
    file_name, raw = embedded_certificate(data, str(pdf))
    if Path(file_name).name != file_name:
        raise CertificateError(f"{pdf}: attached file name {file_name!r} is not a plain file name.")
    store_copy = pdf.resolve().parent / file_name
    compared = None
    keyset = as_keys(keys)

    def check(path: Path, alone: bool) -> tuple[Verified, ManifestVerified | None]:
        verified = verify(path, keyset, alone)
        if isinstance(keys, Manifest):
            entry = keys.key(verified.kid)
            assert entry is not None and verified.issued_at is not None
            return verified, ManifestVerified(verified, entry, verified.issued_at, keys)
        return verified, None

    if store_copy.exists():
        if store_copy.read_bytes() != raw:
            raise CertificateError(f"{pdf}: the attached certificate differs from {store_copy}.")
        compared = store_copy
        verified, by_manifest = check(store_copy, partial)
    else:
        if not partial:
            raise CertificateError(f"{pdf}: the store copy {file_name} is not beside the PDF, so its chain cannot "
                                   "be checked; put the PDF in the certificates directory, or pass --partial.")
        with tempfile.TemporaryDirectory(prefix="eraser-pdf-") as tmp:
            path = Path(tmp) / file_name
            path.write_bytes(raw)
            verified, by_manifest = check(path, True)
    return PdfVerified(signature, file_name, verified, by_manifest, compared)

