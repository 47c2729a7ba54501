"""A ticket's subject: identifiers parsed, normalized, expanded into the forms stored in databases, and hashed."""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import phonenumbers

from eraser.config import Config, IdentifierType
from eraser.errors import SubjectError
from eraser.matching import folded_email, ip_text_forms, ip_value, subject_phone, trimmed


@dataclass(frozen=True)
class Subject:
    """Identifiers by type, each normalized; `forms` holds every spelling to look for in a column."""

    identifiers: dict[str, tuple[str, ...]]
    forms: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # full names given with a stronger identifier: searched in free text only, never to locate rows, never hashed
    # into a reference (so never matched against holds or the suppression list: namesakes are other people)
    names: tuple[str, ...] = ()

    def terms(self) -> list[str]:
        """Every string that must never appear in a log, certificate or state store."""
        seen = {v for values in self.forms.values() for v in values}
        seen |= {v for values in self.identifiers.values() for v in values}
        seen |= {f for name in self.names for f in name_forms(name)}
        return sorted((s for s in seen if len(s) >= 3), key=len, reverse=True)

    @property
    def types(self) -> list[str]:
        return sorted(self.identifiers)


def normalize(kind: IdentifierType, value: str, name: str) -> str:
    """Emails trimmed (Unicode whitespace) and lower-cased, phones in E.164; exact identifiers exactly as given."""
    if not trimmed(value):
        raise SubjectError(f"identifier '{name}' is empty.")
    if kind.kind == "email":
        return folded_email(value)
    if kind.kind == "phone":
        return subject_phone(value, kind, name)
    if kind.kind == "ip":
        address = ip_value(value)
        if address is None:
            raise SubjectError(f"identifier '{name}' is not an IP address; give it as 192.0.2.10 or 2001:db8::10.")
        return str(address)
    if kind.pattern is not None and re.fullmatch(kind.pattern, value) is None:
        raise SubjectError(f"identifier '{name}' does not have the form its config pattern gives, so it would not "
                           "name one person; check the value.")
    return value


def stored_forms(kind: IdentifierType, normalized: str) -> tuple[str, ...]:
    """The spellings a database may hold for one identifier (compared after lower/trim for emails)."""
    if kind.kind == "ip":
        return tuple(ip_text_forms(normalized))
    if kind.kind != "phone":
        return (normalized,)
    number = phonenumbers.parse(normalized, None)
    fmt = phonenumbers.PhoneNumberFormat
    national = phonenumbers.format_number(number, fmt.NATIONAL)
    e164 = phonenumbers.format_number(number, fmt.E164)
    forms = {
        e164,
        phonenumbers.format_number(number, fmt.INTERNATIONAL),
        national,
        "".join(ch for ch in national if ch.isdigit()),
        "00" + e164[1:],
        e164[1:],
    }
    return tuple(sorted(forms))


def parse_subject(pairs: list[str] | Mapping[str, str | list[str]], config: Config) -> Subject:
    """From `email=jan@example.be` pairs (CLI) or a mapping (API) to a Subject, checked against the config."""
    items: list[tuple[str, str]] = []
    if isinstance(pairs, Mapping):
        for name, values in pairs.items():
            for value in [values] if isinstance(values, str) else values:
                items.append((name, value))
    else:
        for pair in pairs:
            name, sep, value = pair.partition("=")  # the value as given: an exact key may end in a space
            if not sep:
                raise SubjectError("a subject is given as TYPE=VALUE, e.g. --subject email=jan@example.be.")
            items.append((name.strip(), value))
    if not items:
        raise SubjectError("no subject identifier given; use --subject TYPE=VALUE.")
    identifiers: dict[str, list[str]] = {}
    names: list[str] = []
    for name, value in items:
        if name not in config.identifiers:
            known = ", ".join(sorted(config.identifiers))
            raise SubjectError(f"identifier type '{name}' is not defined in {config.path} (defined: {known}).")
        if config.identifiers[name].kind == "name":
            names.append(full_name(value, name))
            continue
        identifiers.setdefault(name, []).append(normalize(config.identifiers[name], value, name))
    if names and not identifiers:
        raise SubjectError("a name only narrows the search of free text, it never finds a person on its own; give an "
                           "email, phone number or customer number with it.")
    forms = {name: tuple(sorted({f for v in values for f in stored_forms(config.identifiers[name], v)}))
             for name, values in identifiers.items()}
    return Subject({k: tuple(sorted(set(v))) for k, v in identifiers.items()}, forms, tuple(sorted(set(names))))


# Titles before a surname in Dutch, French and English notes ("Mme Mertens", "Dhr. Peeters", "Mr Wouters").
TITLES = ("Mevrouw", "Mevr.", "Mevr", "Mw.", "Meneer", "Mijnheer", "Dhr.", "Dhr", "Madame", "Mme", "Mme.",
          "Mademoiselle", "Mlle", "Monsieur", "M.", "Mrs", "Mrs.", "Ms", "Ms.", "Mr", "Mr.", "Miss", "Dr.", "Dr")


def full_name(value: str, name: str) -> str:
    """A first name and a surname (any particles: "Anne van den Berg"), whitespace folded."""
    words = value.split()
    if len(words) < 2:
        raise SubjectError(f"identifier '{name}' is a full name: a first name and a surname.")
    return " ".join(words)


def name_forms(full: str) -> tuple[str, ...]:
    """How notes write a person: in full, surname first, with an initial, or a title and the surname."""
    first, surname = full.split(" ", 1)
    initial = first[0].upper()
    forms = {full, f"{surname} {first}", f"{initial}. {surname}", f"{initial} {surname}", f"{initial}.{surname}",
             f"{surname} {initial}."}
    forms |= {f"{title} {surname}" for title in TITLES}
    return tuple(sorted(forms))


def keyed_hash(secret: bytes, text: str) -> str:
    return hmac.new(secret, text.encode("utf-8"), hashlib.sha256).hexdigest()


def subject_reference(subject: Subject, secret: bytes) -> str:
    """HMAC-SHA256 of the normalized identifiers: stable per subject, meaningless without the secret."""
    canonical = "\n".join(f"{t}:{v}" for t in subject.types for v in subject.identifiers[t])
    return "hmac-sha256:" + keyed_hash(secret, canonical)


def identifier_references(subject: Subject, secret: bytes) -> list[str]:
    """One keyed hash per identifier, so a hold on one identifier matches tickets that carry more."""
    return ["hmac-sha256:" + keyed_hash(secret, f"{t}:{v}") for t in subject.types for v in subject.identifiers[t]]
