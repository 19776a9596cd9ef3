"""Checks that need more than one file: references, uniqueness, order of dates, lint.

Runs after every file has been validated on its own. Errors make `circulars check`
fail; warnings are lint (a requirement without a deadline) that fail only with
`--strict`.
"""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from .attachments import attachment_problems
from .body_checks import body_problems
from .diagnostics import Position
from .document_numbers import document_number
from .model import BUILTIN_KINDS, Circular, Selector
from .placeholders import placeholders_in
from .project import Project, Source
from .registry_checks import check_registry, suggestion
from .table_checks import check_tables


def _language_name(language: str) -> str:
    return _("English") if language == "en" else _("Chinese")


def check_project(project: Project) -> None:
    check_registry(project)
    known = project.known_ids()
    superseded = {other for c in project.circulars for other in c.supersedes}
    for source in project.sources:
        _CircularChecks(project, source, known, superseded).run()
    _check_uniqueness(project)
    _check_cycles(project)


def _where(path: Path, position: Position, root: Path) -> str:
    try:
        shown = path.relative_to(root).as_posix()
    except ValueError:
        shown = path.as_posix()
    return f"{shown}:{position.line}"


class _CircularChecks:
    def __init__(self, project: Project, source: Source, known: set[str], superseded: set[str]):
        self.project = project
        self.known = known  # every circular id, invalid files' included
        self.superseded = superseded  # ids some circular supersedes
        self.source = source
        self.circular: Circular = source.circular
        self.registry = project.registry
        self.language = self.circular.language

    def error(self, path: tuple, message: str) -> None:
        self.project.diagnostics.error(self.source.path, self.source.at(*path), message)

    def warning(self, path: tuple, message: str) -> None:
        self.project.diagnostics.warning(self.source.path, self.source.at(*path), message)

    def header_order(self) -> None:
        """`header_order` may leave out only the lines the circular does not have."""
        c = self.circular
        given = {"references": c.references, "number": c.number, "to": c.to, "salutation": c.salutation}
        for line, value in given.items() if c.header_order is not None else ():
            if value and line not in c.header_order:
                self.error(
                    ("header_order",),
                    _("header_order leaves out {line}, which this circular gives: list it").format(line=line),
                )

    def run(self) -> None:
        c = self.circular
        if self.source.path.stem != c.id:
            self.warning(
                ("id",),
                _("file name '{name}' does not match the id; name it '{id}.yaml'").format(
                    name=self.source.path.name, id=c.id
                ),
            )
        for i, org in enumerate(c.issuer):
            if self.org(("issuer", i), org, named=True) and i == 0:
                self.series(org)
        for role in ("signatory", "signer", "author"):
            if getattr(c, role) is not None:
                self.person((role,), getattr(c, role))
        if c.seal == "person" and (c.signatory is None or len(c.issuer) > 1):
            self.error(
                ("seal",),
                _(
                    "seal: person is the signatory's own seal: it needs a `signatory` and one issuer (joint "
                    "issuers sign with their seals: seal: true)"
                ),
            )
        for key in ("to", "cc"):
            for i, entry in enumerate(getattr(c, key) or []):
                if isinstance(entry, list):
                    for j, recipient in enumerate(entry):
                        self.recipient((key, i, j), recipient, named=True)
                else:
                    self.recipient((key, i), entry, named=True)
        # `to: false`, or a header_order without `to`, says it has no recipients on purpose
        unaddressed = c.to is False or (c.header_order is not None and "to" not in c.header_order)
        if c.kind != "article" and c.status == "issued" and not c.to and not unaddressed:
            self.warning(("status",), _("an issued circular has no main recipients ('to')"))
        self.header_order()
        self.placeholders()
        self.links()
        self.requirements()
        self.dates()
        if c.leading_group is not None:
            for group in ("leader", "deputies", "members"):
                for i, member in enumerate(getattr(c.leading_group, group)):
                    if member.person is not None:
                        self.person(("leading_group", group, i, "person"), member.person)
        for i, duty in enumerate(c.reporting):
            if duty.to is not None:
                self.org(("reporting", i, "to"), duty.to)
        if c.contact is not None and c.contact.person is not None:
            self.person(("contact", "person"), c.contact.person)
        if c.printing and c.printing.org is not None:
            self.org(("printing", "org"), c.printing.org, named=True)
        self.attachments()
        check_tables(self.project, self.source)

    def placeholders(self) -> None:
        """A draft may keep `circulars new`'s placeholders; a circular once issued may not."""
        if self.circular.status == "draft":
            return
        for path, placeholder in placeholders_in(self.circular):
            self.error(
                path,
                _(
                    "'{placeholder}' is the placeholder `circulars new` wrote: replace it with the text "
                    "(the circular is marked {status})"
                ).format(placeholder=placeholder, status=self.circular.status),
            )

    def org(self, path: tuple, org_id: str, named: bool = False) -> bool:
        org = self.registry.organizations.get(org_id)
        if org is None:
            if self.registry.organizations:  # no registry: already reported once
                self.error(
                    path,
                    _("unknown organization '{org_id}'{suggestion}").format(
                        org_id=org_id, suggestion=suggestion(org_id, self.registry.organizations)
                    ),
                )
            return False
        if named and org.name.get(self.language) is None:
            self.error(
                path,
                _(
                    "organization '{org_id}' has no {language_names} name (name.{language}) for this "
                    "{language} circular"
                ).format(org_id=org_id, language_names=_language_name(self.language), language=self.language),
            )
        return True

    def series(self, org_id: str) -> None:
        """The circular's number is in a series its lead issuer has, written in its language."""
        c = self.circular
        org = self.registry.organizations[org_id]
        if c.series is not None and self.registry.series(org_id, c.series) is None:
            known = [s.id for s in org.series]
            listed = (
                _(" (its series: {series})").format(series=", ".join(known))
                if known
                else _(" (it has none: add them under its 'series:')")
            )
            self.error(
                ("series",),
                _("organization '{org_id}' has no series '{series}'{listed}").format(
                    org_id=org_id, series=c.series, listed=listed
                ),
            )
            return
        if c.number is None:
            if c.series is not None:
                self.error(
                    ("series",),
                    _("a series is given but no number: add 'number' (in series '{series}')").format(
                        series=c.series
                    ),
                )
            return
        series = self.registry.series(org_id, c.series)
        language = _language_name(self.language)
        if series is None:
            self.error(
                ("issuer", 0),
                _(
                    "organization '{org_id}' has no {language} document-number prefix (prefix.{code}) for "
                    "this circular's number"
                ).format(org_id=org_id, language=language, code=self.language),
            )
        elif not document_number(c, self.registry):
            if c.series:
                message = _(
                    "series '{series}' has no {language} prefix (prefix.{code}) for this circular's number"
                )
            else:
                message = _(
                    "organization '{series}' has no {language} prefix (prefix.{code}) for this circular's "
                    "number"
                )
            self.error(
                ("series",) if c.series else ("issuer", 0),
                message.format(series=c.series or org_id, language=language, code=self.language),
            )

    def person(self, path: tuple, person_id: str) -> None:
        person = self.registry.people.get(person_id)
        if person is None:
            self.error(
                path,
                _("unknown person '{person_id}'{suggestion}").format(
                    person_id=person_id, suggestion=suggestion(person_id, self.registry.people)
                ),
            )
        elif person.name.get(self.language) is None:
            self.error(
                path,
                _(
                    "person '{person_id}' has no {language_names} name (name.{language}) for this "
                    "{language} circular"
                ).format(
                    person_id=person_id, language_names=_language_name(self.language), language=self.language
                ),
            )

    def recipient(self, path: tuple, recipient: str | Selector, named: bool = False) -> None:
        if isinstance(recipient, str):
            self.org(path, recipient, named=named)
            return
        kinds = {*BUILTIN_KINDS, *self.registry.kinds}
        unknown = [(k, kind) for k, kind in enumerate(recipient.kind) if kind not in kinds]
        for k, kind in unknown:
            self.error(
                (*path, "kind", k),
                _("unknown kind '{kind}'{suggestion}").format(kind=kind, suggestion=suggestion(kind, kinds)),
            )
        if unknown:
            return
        if not recipient.root:  # a group by label alone: printed, and nobody gets a copy
            if recipient.in_registry is None:
                self.warning(
                    path,
                    _(
                        "the group '{label}' has no member in the registry: nobody in it gets a copy "
                        "(select its members with children_of or all_under, or write in_registry: false to "
                        "give it by its label alone)"
                    ).format(label=recipient.label),
                )
            return
        root_key = "children_of" if recipient.children_of else "all_under"
        if self.org((*path, root_key), recipient.root, named=named) and not self.registry.select(recipient):
            self.warning(path, _("this selector matches no organization in the registry"))

    def links(self) -> None:
        c = self.circular
        known = self.known
        for key in ("supersedes", "amends"):
            for i, other_id in enumerate(getattr(c, key)):
                self.link(key, i, other_id, known)
        if c.translation_of is not None:
            original = self.project.source(c.translation_of)
            if c.translation_of == c.id:
                self.error(("translation_of",), _("a circular cannot translate itself"))
            elif c.translation_of not in known:
                self.error(
                    ("translation_of",),
                    _("unknown circular '{translation_of}'{suggestion}").format(
                        translation_of=c.translation_of, suggestion=suggestion(c.translation_of, known)
                    ),
                )
            elif original is not None and (
                original.circular.issuer != c.issuer or original.circular.number != c.number
            ):
                self.error(
                    ("translation_of",),
                    _("a translation has the issuer and number of its original '{translation_of}'").format(
                        translation_of=c.translation_of
                    ),
                )
        if c.status == "superseded" and c.id not in self.superseded:
            self.warning(("status",), _("marked superseded, but no circular supersedes it"))

    def link(self, key: str, i: int, other_id: str, known: set[str]) -> None:
        """One supersedes/amends link: it exists, is older, and statuses agree."""
        c = self.circular
        if other_id == c.id:
            self.error(
                (key, i),
                _("a circular cannot supersede itself")
                if key == "supersedes"
                else _("a circular cannot amend itself"),
            )
            return
        if other_id not in known:
            self.error(
                (key, i),
                _("unknown circular '{other_id}'{suggestion}").format(
                    other_id=other_id, suggestion=suggestion(other_id, known)
                ),
            )
            return
        other = self.project.source(other_id)
        if other is None:  # it exists but failed validation: reported there
            return
        if other.circular.date > c.date:
            self.error(
                (key, i),
                _("'{other_id}' was issued on {other_date}, after this circular ({date})").format(
                    other_id=other_id, other_date=other.circular.date, date=c.date
                ),
            )
        still_in_force = other.circular.status not in ("superseded", "repealed")
        if key == "supersedes" and c.status == "issued" and still_in_force:
            self.warning(
                (key, i),
                _("'{other_id}' is superseded by this issued circular; set its status to superseded").format(
                    other_id=other_id
                ),
            )

    def requirements(self) -> None:
        for i, requirement in enumerate(self.circular.requirements):
            for j, org in enumerate(requirement.responsible):
                self.recipient(("requirements", i, "responsible", j), org)
            for t, target in enumerate(requirement.targets):
                for j, org in enumerate(target.responsible):
                    self.recipient(("requirements", i, "targets", t, "responsible", j), org)
            if requirement.deadline is None and self.circular.kind != "article":
                self.warning(
                    ("requirements", i), _("requirement {number} has no deadline").format(number=i + 1)
                )

    def dates(self) -> None:
        c = self.circular
        checked: list[tuple[tuple, object]] = [
            (("requirements", i, "deadline"), r.deadline) for i, r in enumerate(c.requirements)
        ]
        checked += [
            (("requirements", i, "targets", t, "deadline"), target.deadline)
            for i, r in enumerate(c.requirements)
            for t, target in enumerate(r.targets)
        ]
        checked += [(("reporting", i, "due"), duty.due) for i, duty in enumerate(c.reporting)]
        if c.printing:
            checked.append((("printing", "date"), c.printing.date))
        for path, when in checked:
            if when is not None and when < c.date:
                self.error(
                    path, _("{when} is before the date of issue ({date})").format(when=when, date=c.date)
                )
        for i, phase in enumerate(c.schedule):
            if phase.end is not None and phase.end < phase.start:
                self.error(
                    ("schedule", i, "end"),
                    _("the phase ends ({end}) before it starts ({start})").format(
                        end=phase.end, start=phase.start
                    ),
                )

    def attachments(self) -> None:
        for path, problem in attachment_problems(self.project, self.source):
            self.error(path, problem)
        for path, problem in body_problems(self.circular):
            self.error(path, problem)


def _check_uniqueness(project: Project) -> None:
    first_by_id: dict[str, Source] = {}
    first_by_number: dict[tuple, Source] = {}
    for source in project.sources:
        c = source.circular
        earlier = first_by_id.get(c.id)
        if earlier is not None:
            project.diagnostics.error(
                source.path,
                source.at("id"),
                _("id '{id}' is already used by {where}").format(
                    id=c.id, where=_where(earlier.path, earlier.at("id"), project.root)
                ),
            )
        first_by_id.setdefault(c.id, source)
        if c.number is None or c.translation_of is not None:
            continue
        key = (c.lead_issuer, c.series, c.year, c.number)
        earlier = first_by_number.get(key)
        if earlier is not None and c.lead_issuer in project.registry.organizations:
            shown = document_number(c, project.registry)
            project.diagnostics.error(
                source.path,
                source.at("number"),
                _("document number {shown} is already used by {where}").format(
                    shown=shown, where=_where(earlier.path, earlier.at("number"), project.root)
                ),
            )
        first_by_number.setdefault(key, source)


def _verb(key: str) -> str:
    """How a cycle's message says a link, in the language of the messages."""
    if key == "supersedes":
        return _("supersedes")
    return _("amends") if key == "amends" else _("is a translation of")


def _links_between_circulars(project: Project) -> dict[str, list[tuple[str, tuple, str]]]:
    """For each valid circular: (other id, where the link is written, verb) of its links."""
    links: dict[str, list[tuple[str, tuple, str]]] = {}
    for source in project.sources:
        c = source.circular
        if project.source(c.id) is not source:  # a duplicate id: reported by _check_uniqueness
            continue
        written = [
            (other, (key, i), _verb(key))
            for key in ("supersedes", "amends")
            for i, other in enumerate(getattr(c, key))
        ]
        if c.translation_of is not None:
            written.append((c.translation_of, ("translation_of",), _verb("translation_of")))
        # a link to itself or to an unknown circular is reported by the per-file checks
        links[c.id] = [link for link in written if link[0] != c.id and project.source(link[0]) is not None]
    return links


def _check_cycles(project: Project) -> None:
    """No circular may (through supersedes, amends or translation_of) come after itself.

    Dates alone do not catch a cycle of circulars issued on the same day. A
    depth-first walk, with an explicit stack so that any chain length is fine,
    reports each cycle once, at the link that closes it.
    """
    links = _links_between_circulars(project)

    def shown(circular_id: str) -> str:
        path = project.source(circular_id).path
        return path.relative_to(project.root).as_posix() if path.is_relative_to(project.root) else str(path)

    done: set[str] = set()
    for start in sorted(links):
        if start in done:
            continue
        path, verbs = [start], []  # the walk's current chain, and the verb of each step
        on_path = {start}
        pending = [iter(links[start])]
        while pending:
            step = next(pending[-1], None)
            if step is None:
                done.add(path[-1])
                on_path.discard(path.pop())
                pending.pop()
                if verbs:
                    verbs.pop()
                continue
            other, where, verb = step
            if other in on_path:
                start_at = path.index(other)
                targets = [*path[start_at + 1 :], other]
                said = [
                    _("{verb} {id}").format(verb=v, id=shown(t))
                    for v, t in zip([*verbs[start_at:], verb], targets, strict=True)
                ]
                described = _("{id} {links}").format(id=shown(other), links=_(", which ").join(said))
                source = project.source(path[-1])
                project.diagnostics.error(
                    source.path,
                    source.at(*where),
                    _("these circulars link in a cycle: {described}").format(described=described),
                )
            elif other not in done:
                path.append(other)
                on_path.add(other)
                verbs.append(verb)
                pending.append(iter(links[other]))
