"""A signed, printable PDF of a destruction certificate, in Dutch, French or English.

The PDF says in words what the signed JSON says. The JSON file itself is attached to the PDF (associated file,
relationship Source) and stays the authoritative version. The PDF is signed with PAdES (pyHanko) as a
certification signature that allows no later change, with an ECDSA P-256 key and a self-signed X.509
certificate (`generate_pdf_signing_key`). Text is set in Bitstream Vera, which reportlab ships and embeds, so
é, è, ë, ç and the other Latin-1 letters print the same everywhere. Checking a PDF is eraser.proof.pdf_verify.
"""

from __future__ import annotations

import hashlib
import io
import os
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from eraser.errors import CertificateError
from eraser.extras import need
from eraser.proof.chain import ManifestVerified, Verified
from eraser.proof.describe import Block, describe
from eraser.proof.jws import read_bytes, read_jws
from eraser.proof.payload import software
from eraser.proof.pdf_verify import check_pdf_signature as check_pdf_signature  # re-exported
from eraser.proof.pdf_verify import embedded_certificate as embedded_certificate
from eraser.proof.pdf_verify import verify_pdf as verify_pdf
from eraser.proof.words import Words

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
    need("pdf", "rendering a certificate as PDF")
    from pyhanko.pdf_utils import embed, generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    w = Words(lang)
    raw = read_bytes(certificate, "certificate")
    header, payload, _, _ = read_jws(certificate)
    x509_cert = _load_x509(signing_cert)
    if not signing_key.exists():
        raise CertificateError(f"no PDF signing key at {signing_key}; create one with "
                               "`eraser keys generate`.")
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
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
