"""Free text that reaches a certificate (ticket reference, operator, reasons) never carries an identifier: what
looks like an email, a phone number or a national number is refused at intake, and replaced by its keyed
reference if it reaches a certificate anyway (a ticket recorded before the rule existed)."""

from __future__ import annotations

import re
from typing import Any

import phonenumbers
from stdnum.be import nn as be_nn
from stdnum.fr import nir as fr_nir
from stdnum.nl import bsn as nl_bsn

from eraser.errors import SubjectError
from eraser.proof.keys import keyed_reference

EMAIL_IN = re.compile(r"[A-Za-z0-9._%+\-']+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}")
NUMBER_IN = re.compile(r"(?<![\w.])\d[\d .\-/]{7,20}\d(?![\w])")
REGIONS = ("BE", "NL", "FR", "DE")  # national formats; LU has no trunk prefix, so dates would match
PURPOSE = "free-text"
FIELDS = (("ticket", "reference"), ("ticket", "extension_reason"), ("ticket", "requested_by"), ("operator",),
          ("hold", "reason"))


def identifier_kind(text: str) -> str | None:
    """'email', 'phone' or 'national number' if the text holds one, else None."""
    if EMAIL_IN.search(text):
        return "email"
    for region in REGIONS:
        if any(True for _ in phonenumbers.PhoneNumberMatcher(text, region, leniency=phonenumbers.Leniency.VALID)):
            return "phone"
    for match in NUMBER_IN.finditer(text):
        digits = re.sub(r"\D", "", match.group(0))
        if any(module.is_valid(digits) for module in (be_nn, nl_bsn, fr_nir)):
            return "national number"
    return None


def refuse_identifier(field: str, value: str | None) -> None:
    """SubjectError (one sentence naming the field, never the value) if the value looks like an identifier."""
    kind = identifier_kind(value) if value else None
    if kind:
        raise SubjectError(f"{field} looks like a{'n' if kind[0] in 'ae' else ''} {kind}: it would reach the "
                           "signed certificate; give a ticket number or a role instead.")


def scrubbed(payload: dict[str, Any], secret: bytes) -> dict[str, Any]:
    """The payload with every free-text field that looks like an identifier replaced by its keyed reference."""
    out = dict(payload)
    for path in FIELDS:
        holder: Any = out
        for key in path[:-1]:
            if not isinstance(holder.get(key), dict):
                holder = None
                break
            holder[key] = dict(holder[key])
            holder = holder[key]
        value = holder.get(path[-1]) if isinstance(holder, dict) else None
        if isinstance(value, str):
            holder[path[-1]] = keyed_if_identifier(value, secret)
    return out


def keyed_if_identifier(value: str, secret: bytes) -> str:
    """The text, or its keyed reference when it looks like an identifier."""
    return keyed_reference(secret, PURPOSE, value) if identifier_kind(value) else value
