"""`circulars verify`: which circular, edition, recipient and copy a file is, and whether its
bytes are the ones the register recorded.

The register and the copies' reader are imported inside the command, for start-up time
only (see distribution.py).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..distribution.returns.layout import form_name, parse_form_identifier
from ..i18n import _
from .common import EXIT_INVALID, Context
from .distribution import REGISTER_OPTION, _open_register, _status

if TYPE_CHECKING:
    from ..distribution.register import Copy


@click.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@REGISTER_OPTION
@click.pass_obj
def verify(obj: Context, file: Path, register_path: Path | None) -> None:
    """Tell which circular, edition, recipient and copy a .docx (or a return form
    from a copy's folder) is, and check its bytes.

    Reads the file's identifier from its document properties, finds the copy
    in the register and compares the file's SHA-256 with the recorded one.
    Exits 0 when the file is an intact distributed copy or form, 1 otherwise.

    \b
    Examples:
      circulars verify dist/panzhihua-2024-07/000012-coking-union/panzhihua-2024-07-000012.docx
      circulars verify dist/panzhihua-2024-07/000012-coking-union/coking-union.xlsx
    """
    import hashlib  # lazily: see the module's docstring

    from ..distribution.copies import NotACopy, copy_number_text, read_identifier

    project = obj.load()
    try:
        found = read_identifier(file)
        with file.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except NotACopy as error:
        click.echo(str(error), err=True)
        sys.exit(EXIT_INVALID)
    except OSError as error:
        click.echo(
            _("{file}: cannot read it: {reason}").format(file=file, reason=error.strerror or error), err=True
        )
        sys.exit(EXIT_INVALID)
    claim = _what_it_says(found) if found else None
    if claim is None:
        click.echo(
            _("{file}: not a distributed copy (no copy identifier in its properties)").format(file=file),
            err=True,
        )
        sys.exit(EXIT_INVALID)
    register = _open_register(project, register_path, must_exist=True)
    try:
        record = next((c for c in register.copies(claim.circular_id) if claim.is_of(c)), None)
        files = register.files(claim.circular_id, record.copy_number) if record else []
        editions = dict(register.editions(claim.circular_id))
    finally:
        register.close()
    org = claim.recipient_id
    name = project.registry.name(org, "zh") if org in project.registry.organizations else org
    if claim.form and record:
        line = _("{file}: return form of circular {id} for {name} ({org}), in copy {copy}")
    elif claim.form:
        line = _("{file}: return form of circular {id} for {name} ({org})")
    else:
        line = _("{file}: circular {id}, copy {copy} for {name} ({org})")
    number = record.copy_number if claim.form and record else claim.copy_number
    copy = copy_number_text(number) if number is not None else ""
    click.echo(line.format(file=file, id=claim.circular_id, name=name, org=org, copy=copy))
    if record is None:
        if claim.form:
            missing = _(
                "  not in the register: this form was not distributed here, or the register is another one"
            )
        else:
            missing = _(
                "  not in the register: this copy was not distributed here, or the register is another one"
            )
        click.echo(missing, err=True)
        sys.exit(EXIT_INVALID)
    click.echo(
        _("  edition {number} ({edition}), status {status}").format(
            number=editions.get(record.edition), edition=record.edition[:12], status=_status(record.status)
        )
    )
    recorded = next((f for f in files if claim.is_file(f.path)), None)
    if recorded is None or recorded.sha256 != digest:
        click.echo(
            _("  its bytes do NOT match the register (SHA-256 {digest})").format(digest=digest), err=True
        )
        sys.exit(EXIT_INVALID)
    click.echo(_("  its bytes match the register (SHA-256 {digest})").format(digest=digest))


@dataclass(frozen=True)
class _Claim:
    """What a file says it is: a copy (its number known) or a return form (found by
    recipient and edition: the copy it was bundled with)."""

    circular_id: str
    edition: str  # the first 16 hex digits
    recipient_id: str
    copy_number: int | None  # None: a return form

    @property
    def form(self) -> bool:
        return self.copy_number is None

    def is_of(self, copy: Copy) -> bool:
        return (
            copy.recipient_id == self.recipient_id
            and copy.edition.startswith(self.edition)
            and (self.form or copy.copy_number == self.copy_number)
        )

    def is_file(self, path: str) -> bool:
        return path == form_name(self.recipient_id) if self.form else path.endswith(".docx")


def _what_it_says(identifier: str) -> _Claim | None:
    from ..distribution.copies import parse_identifier  # lazily: see the module's docstring

    copy = parse_identifier(identifier)
    if copy is not None:
        circular_id, edition, number, recipient_id = copy
        return _Claim(circular_id, edition, recipient_id, number)
    form = parse_form_identifier(identifier)
    if form is not None:
        circular_id, edition, recipient_id = form
        return _Claim(circular_id, edition, recipient_id, None)
    return None
