"""Texts, numbers and dates of a certificate's renderings in one language (Dutch, French, English).

The texts are gettext catalogs under locales/ (one `certificate.po` per language), read through Babel; month
names come from Babel's locale data (CLDR). French typography (no line break before « : ; » or after «) is
applied as the catalog is read.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eraser.errors import CertificateError

LANGS = ("nl", "fr", "en")
NBSP = "\u00a0"
LOCALES = Path(__file__).parent / "locales"


@cache
def catalog(lang: str) -> dict[str, str]:
    """Message id -> text of one language's catalog."""
    from babel.messages.pofile import read_po

    with (LOCALES / lang / "LC_MESSAGES" / "certificate.po").open("rb") as f:
        return {str(m.id): str(m.string) for m in read_po(f, locale=lang) if m.id}


def month_name(lang: str, month: int) -> str:
    from babel.dates import get_month_names

    return str(get_month_names("wide", locale=lang)[month])


class Words:
    """Texts, numbers and dates in one language."""

    def __init__(self, lang: str):
        if lang not in LANGS:
            raise CertificateError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}.")
        self.lang = lang
        self.t = catalog(lang)
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
        return f"{day}{NBSP}{month_name(self.lang, value.month)} {value.year}"

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
