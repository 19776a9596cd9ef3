"""`circulars returns import`: check returned forms against the project, and record them.

Each file is read (a filled .xlsx form, or a hand-written .yaml return),
checked cell by cell, then against the project: the circular and the
organization exist, the form still asks what the circular asks of the
organization (the same items, texts, targets and deadlines: see
`questions_digest`), its token is the one the secretariat's key gives that
organization (tokens.py: nobody files for another union), and every answered
item is one it is responsible for. A file with any problem records nothing;
the others are recorded, each in one atomic write.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

from ...i18n import _
from ...source.files import MAX_YAML_BYTES, FileProblem, read_regular
from ...source.project import Project
from ...source.returns import Item, obligations, record_path
from .forms import questions_digest
from .hand_written import read_hand_written
from .reading import MAX_FORM_BYTES, Received, read_form
from .records import RecordError, append, locked
from .tokens import FormKey, FormKeyError, key_path, register_path

YAML_SUFFIXES = (".yaml", ".yml")


@dataclass
class Outcome:
    received: Received
    recorded: bool = False
    duplicate: bool = False
    record: Path | None = None

    @property
    def empty(self) -> bool:
        return not self.received.problems and not self.received.answers


class Importer:
    """Checks and records returns for one project; forms' tokens against `key`, by
    default the form key beside the project's register."""

    def __init__(self, project: Project, today: datetime.date, key: FormKey | None = None):
        self.project = project
        self.today = today
        self.key = key or FormKey(key_path(register_path(project.root)))
        self._owed: dict[str, dict[str, list[Item]]] = {}

    def read(self, path: Path, shown: str) -> Received:
        """What one file says. It is read as every other input is: only a regular file
        (never a device or a named pipe, which would never end) and only up to its limit."""
        hand_written = path.suffix.lower() in YAML_SUFFIXES
        try:
            if hand_written:
                data = read_regular(path, MAX_YAML_BYTES, _("a hand-written return"))
            else:
                data = read_regular(path, MAX_FORM_BYTES, _("a return form"))
        except FileProblem as problem:
            received = Received(shown, "")
            received.problem(_("the file {problem}").format(problem=problem))
            return received
        if hand_written:
            return read_hand_written(path, data, shown, self.today)
        return read_form(data, shown, self.today)

    def check(self, received: Received) -> None:
        """Add every problem the project finds with what the file says."""
        if received.problems and received.circular is None:
            return
        source = self.project.source(received.circular)
        if source is None:
            received.problem(_("no circular '{circular}' in this project").format(circular=received.circular))
            return
        circular = source.circular
        org_id = received.organization
        if org_id not in self.project.registry.organizations:
            received.problem(_("no organization '{org_id}' in the registry").format(org_id=org_id))
            return
        if circular.id not in self._owed:
            self._owed[circular.id] = obligations(self.project.registry, circular)
        owed = self._owed[circular.id].get(org_id)
        if owed is None:
            received.problem(
                _("'{org_id}' is responsible for none of the requirements of {id}").format(
                    org_id=org_id, id=circular.id
                )
            )
            return
        if received.questions is not None and received.questions != questions_digest(circular, org_id, owed):
            received.problem(
                _(
                    "a form for another edition of {id}: what it asks of '{org_id}' (requirements, targets "
                    "or deadlines) has changed since the form was made; send it the current form "
                    "(`circulars returns forms {id} --org {org_id}`)"
                ).format(id=circular.id, org_id=org_id)
            )
            return
        if received.edition is not None and not self._token_matches(received, circular.id, org_id):
            return
        keys = {item.key for item in owed}
        for answer in received.answers:
            label = Item(answer.requirement, answer.target, None).label
            if answer.requirement > len(circular.requirements):
                received.problem(
                    _("requirement {requirement} does not exist: {id} has {count}").format(
                        requirement=answer.requirement, id=circular.id, count=len(circular.requirements)
                    ),
                    answer.where,
                )
            elif answer.target is not None and answer.target > len(
                circular.requirements[answer.requirement - 1].targets
            ):
                received.problem(
                    _("requirement {requirement} has no target {target}").format(
                        requirement=answer.requirement, target=answer.target
                    ),
                    answer.where,
                )
            elif answer.key not in keys:
                owed_labels = ", ".join(i.label for i in owed)
                received.problem(
                    _("'{org_id}' does not answer for item {label} (it answers for {owed_labels})").format(
                        org_id=org_id, label=label, owed_labels=owed_labels
                    ),
                    answer.where,
                )
        seen: set[tuple[int, int | None]] = set()
        for answer in received.answers:
            if answer.key in seen:
                received.problem(_("this item is answered twice in one return"), answer.where)
            seen.add(answer.key)

    def _token_matches(self, received: Received, circular_id: str, org_id: str) -> bool:
        """Whether the form carries the token issued to its organization (a problem if not)."""
        again = f"send it the current form (`circulars returns forms {circular_id} --org {org_id}`)"
        if received.token is None:
            received.problem(
                _("the form carries no token (it was made by an older version): {again}").format(again=again)
            )
            return False
        if not self.key.exists():
            received.problem(
                _(
                    "the form's token cannot be checked: there is no form key {path} (it is made with the "
                    "first form, beside the register; give --register if the register is elsewhere)"
                ).format(path=self.key.path)
            )
            return False
        try:
            if self.key.matches(circular_id, org_id, received.questions or "", received.token):
                return True
        except FormKeyError as error:
            received.problem(str(error))
            return False
        received.problem(
            _(
                "the form's token is not the one issued to '{org_id}' for {circular_id}: the form was "
                "changed, or made for another organization; nothing from it is recorded; {again}"
            ).format(org_id=org_id, circular_id=circular_id, again=again)
        )
        return False

    def record(self, received: Received, now: datetime.datetime) -> Outcome:
        """Record one checked file (nothing when it has a problem or is recorded already)."""
        outcome = Outcome(received)
        if received.problems or not received.answers:
            return outcome
        root = self.project.root
        try:
            with locked(root, received.circular):
                circular = self.project.source(received.circular).circular
                outcome.recorded = append(root, received, now, circular)
        except RecordError as error:
            received.problem(str(error))
            return outcome
        outcome.duplicate = not outcome.recorded
        outcome.record = record_path(root, received.circular, received.organization)
        return outcome


def import_returns(
    project: Project,
    files: list[tuple[Path, str]],
    today: datetime.date,
    now: datetime.datetime | None = None,
    key: FormKey | None = None,
) -> list[Outcome]:
    """Check and record each (path, name as shown) in turn; one Outcome per file."""
    importer = Importer(project, today, key)
    now = now or datetime.datetime.now(datetime.UTC)
    outcomes = []
    for path, shown in files:
        received = importer.read(path, shown)
        importer.check(received)
        outcomes.append(importer.record(received, now))
    return outcomes
