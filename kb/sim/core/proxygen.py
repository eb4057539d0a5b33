"""The SMTP proxy generator (Inproxy.dll, shipped with the IMS): site addressing templates.

The site's SMTP address template makes each new mailbox's SMTP proxy: ``%g`` given name, ``%s``
surname, ``%i`` initials, ``%m`` alias (mailbox name), ``%d`` display name; ``%<n><x>`` takes the
first n characters (``%1i``) (Q230331, Q258704, Q258705 quote these templates). Exchange builds
the local part from the template and drops a leading period (inference: Q258705 reports
"<alias>.<alias>" for "%g.%s.%m" with no given name, not ".<alias>.<alias>").

Build switches (the generator ships as "Component: SMTP", Inproxy.dll; it is counted with the
IMS component here):
- Q230331: "The logic in the address generator does not look to see if a consecutive multiple
  period sequence is included": "%g.%1i.%s" for John Doe without a middle initial gives
  "John..Doe". Fixed in Inproxy.dll 5.5.2596.0 (in SP3).
- Q258704: the generator "was not checking for a trailing period": "last.first" with a blank
  first name leaves "Doe.". First corrected in SP4 (fix lists Q274832).
- Q258705: "when a user has no last name, the alias is copied to the last name field ... before
  the recipient information is passed to the proxy generator", so "%g.%s.%m" without names gives
  "<alias>.<alias>". First corrected in SP4 (Q274832). Neither SP4 article names a file build;
  the switch is the SP4 build series (inference).
"""

from __future__ import annotations

import re

from kb.exceptions import SimError
from kb.sim.core.builds import Build, build

PROXYGEN_COLLAPSES_PERIODS = build("5.5.2596.0")
PROXYGEN_DROPS_TRAILING_PERIOD = build("5.5.2653.0")
PROXYGEN_LEAVES_EMPTY_SURNAME = build("5.5.2653.0")
_FIELD = re.compile(r"%(\d*)([gsimd%])")


def generate_smtp(template: str, *, alias: str, given: str = "", initials: str = "", surname: str = "",
                  display_name: str = "", generator: Build) -> str:
    """Return the SMTP proxy ``template`` makes for a mailbox, as the generator of ``generator`` does."""
    if "@" not in template:
        raise SimError(f"site addressing: {template!r} is not an SMTP template (expected e.g. '%g.%s@contoso.com')")
    if not surname and generator < PROXYGEN_LEAVES_EMPTY_SURNAME:
        surname = alias  # the recipient structure carries the alias as the last name (Q258705)
    values = {"g": given, "s": surname, "i": initials, "m": alias, "d": display_name, "%": "%"}

    def field(match: re.Match[str]) -> str:
        count, key = match.group(1), match.group(2)
        value = values[key]
        return value[: int(count)] if count else value

    local, _, domain = template.rpartition("@")
    local = _FIELD.sub(field, local).replace(" ", "").lstrip(".")
    if generator >= PROXYGEN_COLLAPSES_PERIODS:
        local = re.sub(r"\.{2,}", ".", local)
    if generator >= PROXYGEN_DROPS_TRAILING_PERIOD:
        local = local.rstrip(".")
    return f"{local}@{domain}"
