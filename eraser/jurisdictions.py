"""Retention presets per jurisdiction: how long invoices, accounting records, patient files and guest registers are
kept, on which legal basis, and how long a legal-claims hold runs before it must be reviewed.

A table refers to a preset with `retain: {preset: invoices, from: invoice_date}`; the fields it gives itself
override the preset's, and `retention_presets:` at the top of a config overrides or adds presets for all tables.
Legal claims are never a retention period: they are holds on a named subject with a review date.
"""

from __future__ import annotations

from typing import Any

JURISDICTIONS = ("BE", "NL", "FR", "DE", "LU")

_BE_INVOICES = (
    "Belgian VAT Code art. 60 and Income Tax Code 1992 art. 315, as amended by the Law of 20 November 2022: "
    "invoices dated from 1 January 2023 are kept 10 years from 1 January after the invoice date; invoices dated "
    "before 2023 keep the former 7-year period (Code of Economic Law art. III.86)")

# The patient file (consultations, prescriptions, results) a care provider keeps, counted from the record's date.
_MEDICAL = {
    "BE": ("Belgian Law of 22 April 2019 on the quality of healthcare practice, art. 35: the patient file is kept at "
           "least 30 and at most 50 years after the last contact with the patient", "30y"),
    "NL": ("Dutch Civil Code Book 7 art. 454(3) (WGBO): the medical file is kept 20 years from the last change",
           "20y"),
    "FR": ("French Public Health Code art. R1112-7: the medical file is kept 20 years from the last stay or "
           "consultation", "20y"),
    "DE": ("German Civil Code (BGB) par. 630f(3): the patient record is kept 10 years after the treatment ends",
           "10y"),
    "LU": ("Luxembourg Law of 24 July 2014 on patients' rights and obligations, art. 15: the patient file is kept at "
           "least 10 years from the last treatment", "10y"),
}

PRESETS: dict[str, dict[str, dict[str, Any]]] = {
    "BE": {
        "invoices": {"basis": _BE_INVOICES, "period": "10y", "count_from": "next_year",
                     "before": {"date": "2023-01-01", "period": "7y"}},
        "accounting": {"basis": "Belgian Code of Economic Law art. III.86: accounting records and their supporting "
                                "documents are kept 7 years from 1 January after the financial year",
                       "period": "7y", "count_from": "next_year"},
    },
    "NL": {
        "invoices": {"basis": "Dutch General Tax Act (Algemene wet inzake rijksbelastingen) art. 52 and Civil Code "
                              "Book 2 art. 10: the administration, invoices included, is kept 7 years",
                     "period": "7y", "count_from": "next_year"},
        "accounting": {"basis": "Dutch Civil Code Book 2 art. 10 and General Tax Act art. 52: books and records are "
                                "kept 7 years", "period": "7y", "count_from": "next_year"},
    },
    "FR": {
        "invoices": {"basis": "French Commercial Code art. L123-22: accounting documents and supporting documents, "
                              "invoices included, are kept 10 years", "period": "10y", "count_from": "next_year"},
        "accounting": {"basis": "French Commercial Code art. L123-22: accounting books and records are kept 10 years",
                       "period": "10y", "count_from": "next_year"},
    },
    "DE": {
        "invoices": {"basis": "German Fiscal Code (AO) par. 147 and VAT Act (UStG) par. 14b, as amended from "
                              "1 January 2025: invoices and booking vouchers are kept 8 years from the end of the "
                              "calendar year", "period": "8y", "count_from": "next_year"},
        "accounting": {"basis": "German Fiscal Code (AO) par. 147(3) and Commercial Code (HGB) par. 257: books, "
                                "inventories and annual accounts are kept 10 years from the end of the calendar year",
                       "period": "10y", "count_from": "next_year"},
    },
    "LU": {
        "invoices": {"basis": "Luxembourg Commercial Code art. 16 and VAT Law art. 65: invoices and accounting "
                              "documents are kept 10 years from the end of the financial year",
                     "period": "10y", "count_from": "next_year"},
        "accounting": {"basis": "Luxembourg Commercial Code art. 16: books and supporting documents are kept "
                                "10 years from the end of the financial year", "period": "10y",
                       "count_from": "next_year"},
    },
}

for _code, (_basis, _period) in _MEDICAL.items():
    PRESETS[_code]["medical_records"] = {"basis": _basis, "period": _period, "count_from": "date"}

# The guest register of a hotel or other tourist accommodation, counted from the guest's arrival. Only where the
# law gives a period: Belgium requires the register (Law of 1 March 2007 on miscellaneous provisions (III),
# art. 141-147; Royal Decree of 27 April 2007) but no period is given here, so discovery proposes `review` there.
PRESETS["FR"]["guest_register"] = {
    "basis": "French Code of Entry and Residence of Foreigners (CESEDA) art. R. 611-42 and the Order of 1 October "
             "2015: the individual police form (fiche individuelle de police) of a foreign guest is kept 6 months "
             "(CNIL deliberation 2016-176 of 9 June 2016)",
    "period": "6m", "count_from": "date"}

# Legal claims: the period after which a hold on a subject must be reviewed (limitation of actions).
LEGAL_CLAIMS: dict[str, dict[str, str]] = {
    "BE": {"basis": "Belgian Civil Code art. 2262bis par. 1: personal legal actions are time-barred after 10 years",
           "period": "10y"},
    "NL": {"basis": "Dutch Civil Code Book 3 art. 307: claims for performance of a contract are time-barred after "
                    "5 years", "period": "5y"},
    "FR": {"basis": "French Civil Code art. 2224: personal actions are time-barred after 5 years", "period": "5y"},
    "DE": {"basis": "German Civil Code (BGB) par. 195 and 199: the regular limitation period is 3 years from the "
                    "end of the year", "period": "3y"},
    "LU": {"basis": "Luxembourg Commercial Code art. 189: commercial obligations are time-barred after 10 years",
           "period": "10y"},
}

LEGAL_CLAIMS_NAME = "legal_claims"


# The time zone whose calendar dates a jurisdiction's documents: an invoice issued at 00:30 on 1 January in
# Brussels is dated 1 January, though the database may hand it over as 23:30 UTC on 31 December.
TIME_ZONES = {"BE": "Europe/Brussels", "NL": "Europe/Amsterdam", "FR": "Europe/Paris", "DE": "Europe/Berlin",
              "LU": "Europe/Luxembourg"}


def preset(name: str, jurisdiction: str | None, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """The retain fields of a named preset (a copy), with the jurisdiction's time zone; ValueError with the reason
    if there is none."""
    if name == LEGAL_CLAIMS_NAME:
        raise ValueError("legal claims are not a retention period: name the subject under holds: with "
                         "'preset: legal_claims' and a review date (e.g. Belgian Civil Code art. 2262bis)")
    given = (overrides or {}).get(name)
    own = dict(given) if isinstance(given, dict) else {}
    if jurisdiction is None:
        if own:
            return own
        raise ValueError(f"retain preset '{name}' needs 'jurisdiction:' at the top of the config "
                         f"({', '.join(JURISDICTIONS)}) or a 'retention_presets:' entry of that name")
    if jurisdiction not in PRESETS:
        raise ValueError(f"unknown jurisdiction '{jurisdiction}' (known: {', '.join(JURISDICTIONS)})")
    known = PRESETS[jurisdiction]
    if name not in known and not own:
        names = sorted({*known, *(overrides or {})})
        raise ValueError(f"jurisdiction {jurisdiction} has no retain preset '{name}' (presets: {', '.join(names)})")
    return {"time_zone": TIME_ZONES[jurisdiction], **known.get(name, {}), **own}


def legal_claims(jurisdiction: str | None) -> dict[str, str]:
    """Basis and review period of a legal-claims hold."""
    if jurisdiction is None:
        raise ValueError("a hold with 'preset: legal_claims' needs 'jurisdiction:' at the top of the config "
                         f"({', '.join(JURISDICTIONS)})")
    if jurisdiction not in LEGAL_CLAIMS:
        raise ValueError(f"unknown jurisdiction '{jurisdiction}' (known: {', '.join(JURISDICTIONS)})")
    return LEGAL_CLAIMS[jurisdiction]
