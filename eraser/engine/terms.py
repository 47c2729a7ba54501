"""What the residual scan and free-text redaction look for in text: the subject's identifiers, and where in a text
each occurs.

The database prefilters with LIKE: emails ignoring case, exact identifiers as they are, phone numbers by the
digits of their national significant number inside the digits of the text (which every spelling holds, whatever
its separators: 0470/12.34.56, +32 (0)470 12 34 56). Python then confirms: emails and exact identifiers with word
boundaries (jan@example.be is not inside xjan@example.be), phone numbers with phonenumbers.PhoneNumberMatcher in
the config's regions.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import phonenumbers

from connectors.base import Key
from eraser.config import Config, IdentifierType
from eraser.engine.anonymize import REDACTED
from eraser.errors import SubjectError
from eraser.matching import phone_spans, subject_phone
from eraser.subjects import Subject, name_forms

MIN_TERM = 5  # shorter identifiers would match everywhere in free text
NAME_PROVIDERS = {"first_name", "last_name", "name", "first_name_male", "first_name_female", "last_name_male",
                  "last_name_female", "user_name"}

Mode = Literal["fold", "exact", "digits"]
WITHHELD = "withheld: the key holds the identifier"


@dataclass(frozen=True)
class Terms:
    """The strings given to LIKE (with how: ignoring case, as they are, or among the text's digits), each contained
    in one or more of the identifiers' spellings; the pattern that confirms an email or exact identifier; the phone
    numbers (E.164) PhoneNumberMatcher confirms, read in `regions`."""

    search: tuple[tuple[str, Mode], ...]
    pattern: re.Pattern[str] | None
    skipped: int = 0  # identifiers too short to look for in free text
    phones: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.search)

    def spans(self, text: str | None) -> list[tuple[int, int]]:
        """Where the identifiers occur, as sorted, non-overlapping (start, end)."""
        if not text:
            return []
        found = [m.span() for m in self.pattern.finditer(text)] if self.pattern is not None else []
        if self.phones:
            found += phone_spans(text, self.phones, self.regions)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(found):
            if merged and start < merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return merged

    def found(self, text: str | None) -> bool:
        return bool(self.spans(text))


def _boundaries(kind: str, text: str) -> str:
    core = re.escape(text)
    if kind == "email":  # not part of a longer address, but a sentence may end with a full stop
        return rf"(?<![A-Za-z0-9._%+\-]){core}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])"
    if kind == "ip":  # not part of a longer address or number: 10.0.0.1 is not inside 10.0.0.12 or 110.0.0.1
        return rf"(?<![0-9A-Za-z.:]){core}(?![0-9A-Za-z:]|\.[0-9])"
    if kind == "exact":  # a key is compared as stored, case included
        return rf"(?<!\w)(?-i:{core})(?!\w)"
    return rf"(?<!\w){core}(?!\w)"  # a name or other own value, in any case


def phone_regions(config: Config) -> tuple[str, ...]:
    """Every region a phone identifier of the config reads national numbers in."""
    return tuple(dict.fromkeys(r for t in config.identifiers.values() if t.kind == "phone" for r in t.regions))


@dataclass
class _Found:
    texts: dict[str, str]  # email or exact identifier -> kind
    phones: set[str]
    skipped: int = 0


def _forms(subject: Subject, config: Config) -> _Found:
    """The subject's identifiers: emails and exact identifiers as text with their kind, phone numbers in E.164."""
    out = _Found({}, set())
    for id_type, values in subject.identifiers.items():
        kind = config.identifiers[id_type].kind if id_type in config.identifiers else "exact"
        for value in values:
            if kind == "phone":
                out.phones.add(value)
                continue
            if kind == "ip":  # as text in free text (an integer form there is just a number)
                address = ipaddress.ip_address(value)
                for text in {str(address), address.exploded}:
                    out.texts.setdefault(text, "ip")
                continue
            text = value.strip().lower() if kind == "email" else value.strip()
            if len(text) < MIN_TERM:
                out.skipped += 1
                continue
            out.texts.setdefault(text, kind)
    for full in subject.names:  # in any case, as a whole word
        for text in name_forms(full):
            out.texts.setdefault(text, "value")
    return out


def subject_terms(subject: Subject, config: Config) -> Terms:
    """The subject's identifiers; the LIKE strings leave out those that contain another (a LIKE on the shorter one
    finds them too)."""
    return _terms(_forms(subject, config), phone_regions(config))


def _contains(outer: tuple[str, Mode], inner: tuple[str, Mode]) -> bool:
    """Whether LIKE on `inner` finds every text that holds `outer`."""
    if inner[1] == "fold" and outer[1] != "digits":
        return inner[0].lower() in outer[0].lower()
    return inner[1] == outer[1] and inner[0] in outer[0]


def _terms(found: _Found, regions: tuple[str, ...]) -> Terms:
    candidates: set[tuple[str, Mode]] = {(text.lower(), "fold") if kind in ("email", "value", "ip") else (text, "exact")
                                         for text, kind in found.texts.items()}
    skipped = found.skipped
    for e164 in found.phones:
        nsn = phonenumbers.national_significant_number(phonenumbers.parse(e164, None))
        if len(nsn) < MIN_TERM:
            skipped += 1
        else:
            candidates.add((nsn, "digits"))
    if not candidates:
        return Terms((), None, skipped)
    ordered = sorted(candidates, key=lambda s: (len(s[0]), s))
    search = tuple(s for i, s in enumerate(ordered) if not any(_contains(s, t) for t in ordered[:i]))
    alternatives = [_boundaries(kind, text) for text, kind in sorted(found.texts.items(), key=lambda kv: -len(kv[0]))]
    pattern = re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None
    return Terms(search, pattern, skipped, tuple(sorted(found.phones)), regions)


def own_terms(subject: Subject, config: Config, values: Iterable[tuple[str, str]]) -> Terms:
    """The subject's identifiers plus (provider, original value) pairs of their own rows: names also word by
    word, contact details whole."""
    found = _forms(subject, config)
    regions = phone_regions(config) or ("BE",)
    reader = IdentifierType(kind="phone", region=list(regions))
    for provider, value in values:
        value = value.strip()
        kind = "email" if "email" in provider else "phone" if provider == "phone_number" else "value"
        if kind == "phone":
            try:
                found.phones.add(subject_phone(value, reader, provider))
                continue
            except SubjectError:
                kind = "value"
        if len(value) >= 3:
            found.texts.setdefault(value.lower() if kind == "email" else value, kind)
        if provider in NAME_PROVIDERS:
            for word in value.split():
                if len(word) >= 3:
                    found.texts.setdefault(word, "value")
    return _terms(found, regions)


def redact_text(text: str, terms: Terms, length: int | None = None) -> str:
    """The text with every occurrence replaced by the marker (by asterisks if the marker would not fit)."""
    spans = terms.spans(text)

    def replaced(marker: str | None) -> str:
        out, last = [], 0
        for start, end in spans:
            out += [text[last:start], marker if marker is not None else "*" * (end - start)]
            last = end
        return "".join(out) + text[last:]
    new = replaced(REDACTED)
    return replaced(None) if length is not None and len(new) > length else new


def shown_key(key: Key, terms: Terms) -> list[str] | str:
    """A row's key as the certificate shows it; never a key that is itself one of the identifiers."""
    texts = [str(v) for v in key]
    return WITHHELD if any(terms.found(t) for t in texts) else texts
