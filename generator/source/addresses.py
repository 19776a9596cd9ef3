"""Email addresses: one strict check, used when the registry is read and again when mail is sent.

An address is parsed as an RFC 5322 addr-spec (email.headerregistry) and must
be exactly that: one plain address, nothing before or after it, no display
name, no comment, no second address (`victim@example.org>,<admin` is two). It
must also be something every mail server takes without extensions: ASCII
only (a domain such as 例子.example is written in its xn-- form), a dot-atom
local part, and a domain of letters, digits and hyphens with at least one dot.
"""

from __future__ import annotations

import re
from email.errors import HeaderParseError
from email.headerregistry import Address

from ..i18n import _

_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_LOCAL = re.compile(rf"{_ATOM}(?:\.{_ATOM})*")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


def address_problem(value: str) -> str | None:
    """Why `value` is not a usable email address, or None when it is one."""
    if not value:
        return _("it is empty")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):
        return _("it contains a line break or another control character")
    if not value.isascii():
        return _(
            "it contains non-ASCII characters, which many mail servers refuse "
            "(write an international domain in its ASCII xn-- form)"
        )
    if value != value.strip() or " " in value:
        return _("it contains spaces")
    try:
        parsed = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError, TypeError) as error:
        return _("it is not one plain address ({reason})").format(reason=_first_line(error))
    if parsed.addr_spec != value or value.count("@") != 1:
        return _("it is not one plain address")
    local, domain = parsed.username, parsed.domain
    if not _LOCAL.fullmatch(local) or len(local) > 64:
        return _("'{local}' before the @ is not a plain mailbox name").format(local=local)
    labels = domain.split(".")
    if len(labels) < 2 or len(domain) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        return _("'{domain}' after the @ is not a domain name").format(domain=domain)
    return None


def check_address(value):
    """A pydantic validator: the value unchanged, or ValueError with the reason."""
    if isinstance(value, str):
        problem = address_problem(value)
        if problem is not None:
            raise ValueError(
                _("{value} is not a valid email address: {problem}").format(
                    value=_shown(value), problem=problem
                )
            )
    return value


def _shown(value: str) -> str:
    """The value quoted, with control characters made visible."""
    return "'" + "".join(c if c.isprintable() else repr(c)[1:-1] for c in value) + "'"


def _first_line(error: Exception) -> str:
    return str(error).splitlines()[0] if str(error) else type(error).__name__
