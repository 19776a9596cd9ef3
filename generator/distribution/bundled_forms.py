"""Return forms in the bundles: each responsible recipient's form beside its copy.

A recipient that answers for some requirement or target of the circular gets
its return form (returns/forms.py) in its copy's folder, under the name
`returns` and `remind` use too (<org-id>.xlsx). It is listed in the manifest,
attached to the recipient's email, and the cover note says how to send it
back, to whom and by when. A recipient with nothing to report gets no form.

The form is made for the distribution's edition, so importing it is importing
a form of the copy it came with, and it is the same bytes in every run (the
form writer fixes its timestamps), so running `distribute` again rewrites the
same file and the register sees no change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..i18n import ngettext
from ..render.numbering import format_date
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.project import Project
from .edition import DistributionError
from .returns.layout import form_name
from .returns.tokens import FormKey, key_path


@dataclass(frozen=True)
class ReturnAddress:
    """Where filled forms go: to whom, and at which address (None: in reply to the copy's email)."""

    to: str
    address: str | None


class BundledForms:
    """The return forms of one distribution: which recipient has one, its bytes and its deadline."""

    def __init__(self, project: Project, circular: Circular, edition: str, register: Path | None = None):
        """The forms' tokens are made with the form key beside `register` (by default
        the project's register)."""
        self.project = project
        self.circular = circular
        # Imported here, not above, for start-up time only (there is no import cycle):
        # openpyxl and the numpy it pulls in take 0.16 s, which every command paid.
        from .returns.forms import FormWriter

        key = FormKey(key_path(register)) if register is not None else None
        self.writer = FormWriter(project, circular, edition, key)

    def name(self, org_id: str) -> str | None:
        """The file name of the recipient's form in its folder; None when it owes no return."""
        return form_name(org_id) if org_id in self.writer.owed else None

    def form(self, folder: Path, org_id: str) -> list[tuple[str, bytes]]:
        """The recipient's form for its copy's folder: its name and bytes, or nothing.

        A form left there by an earlier run for a recipient that no longer
        answers for anything is removed, so the folder holds what the manifest lists."""
        name = form_name(org_id)
        if org_id not in self.writer.owed:
            stale = folder / name
            if stale.is_file() and not stale.is_symlink():
                stale.unlink()
            return []
        from .returns.forms import ReturnsError  # see __init__

        try:
            return [(name, self.writer.write(org_id))]
        except ReturnsError as error:  # the form key cannot be read or made
            raise DistributionError(str(error)) from None

    def unsent(self, recipients: set[str]) -> list[str]:
        """A note naming the organizations that answer for something but receive no copy
        (the issuer itself, say): no form goes out to them with this distribution."""
        outside = [org for org in self.writer.owed if org not in recipients]
        if not outside:
            return []
        circular = self.circular.id
        note = ngettext(
            "{id}: {orgs} answers for requirements but is not among the recipients, so no return form "
            "went out to it; `circulars returns forms {id} --org ORG` makes one",
            "{id}: {orgs} answer for requirements but are not among the recipients, so no return form "
            "went out to them; `circulars returns forms {id} --org ORG` makes one",
            len(outside),
        )
        return [note.format(id=circular, orgs=", ".join(outside))]

    def due(self, org_id: str) -> date | None:
        """The earliest deadline among what the recipient answers for (None: no deadline)."""
        deadlines = [item.deadline for item in self.writer.owed.get(org_id, []) if item.deadline]
        return min(deadlines) if deadlines else None

    def return_address(self) -> ReturnAddress:
        """The circular's contact (name and email) if it gives an email, else the first
        issuer with an email in the registry; else the issuer, in reply to the email."""
        circular, lang = self.circular, self.circular.language
        registry = self.project.registry
        issuers = "、".join(registry.name(o, lang) for o in circular.issuer)
        contact = circular.contact
        if contact is not None and contact.email:
            if contact.person and contact.person in registry.people:
                whom = registry.person_name(contact.person, lang)
            else:
                whom = to_plain(contact.name) if contact.name else issuers
            return ReturnAddress(whom, contact.email)
        for org_id in circular.issuer:
            org = registry.organizations.get(org_id)
            if org is not None and org.email:
                return ReturnAddress(registry.name(org_id, lang), org.email)
        return ReturnAddress(issuers, None)

    def cover_note(self, org_id: str) -> dict:
        """What the cover note says about returning the form (`form` is None: nothing)."""
        name = self.name(org_id)
        if name is None:
            return {"form": None, "return_by": None, "return_to": None, "return_address": None}
        due = self.due(org_id)
        where = self.return_address()
        return {
            "form": name,
            "return_by": format_date(due, self.circular.language) if due else None,
            "return_to": where.to,
            "return_address": where.address,
        }
