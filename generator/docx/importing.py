"""`circulars import`: a Word document into a circular's YAML.

The blocks reader (reading/blocks.py) gives what Word shows; reading/circular.py
tells the document's parts apart; here the names it found are matched to the
registry (issuer, recipients, copies, the imprint's organ, the signatory), the
fields a document written by this tool carries in its properties are taken as
they are, and the YAML is written the way a person writes it
(source/yaml_writing.py), checked against the format before anything is
written, and written atomically, never over an existing circular.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..i18n import _
from ..source.diagnostics import Diagnostics
from ..source.model import Circular
from ..source.name_matching import NameIndex
from ..source.project import Project
from ..source.validation import validate
from ..source.yaml_source import read_yaml
from ..source.yaml_writing import dump_circular
from .build import write_atomically
from .custom_properties import read_metadata
from .gbt9704_rules import TITLE_STYLES, title_breaks
from .reading.blocks import DocxReadError, read_docx
from .reading.circular import Reading, read_circular
from .reading.patterns import parse_date
from .reference import ReferenceDocumentError, reference_for

SCHEMA_LINE = "# yaml-language-server: $schema=../../site/schema/circular.schema.json"
_DEFAULT_CLOSINGS = {("zh", "notice"): "特此通知。", ("zh", "letter"): "特此函告。"}


_JOINT = "\u3000" * 4  # between joint issuers on one signature line (gbt9704_signature.py)


class ImportRefused(Exception):
    """A file that is not imported; the message follows its name."""


@dataclass
class ImportResult:
    source: Path
    circular_id: str
    path: Path
    """Where the YAML goes: circulars/<year>/<id>.yaml."""
    yaml: str
    guesses: list[str] = field(default_factory=list)
    """What the reader guessed, a line each: "issuer 攀枝花市总工会 → panzhihua-ftu"."""
    kept: list[str] = field(default_factory=list)
    """Paragraphs kept as text that could not be placed."""
    problems: list[str] = field(default_factory=list)
    """What `circulars check` would say about the YAML on its own (empty: it passes)."""
    written: bool = False
    exists: str | None = None
    """Why a real import would refuse it (the circular exists already); set by a dry run only."""


def read_document(source: Path, project: Project) -> ImportResult:
    """The circular a Word document holds, as YAML, without writing anything.

    Raise ImportRefused (its message follows the file's name) for a file that is
    not a Word document or holds no circular."""
    try:
        document = read_docx(source)
    except DocxReadError as error:
        raise ImportRefused(str(error)) from None
    if not any(p.text.strip() for p in document.paragraphs()):
        raise ImportRefused(_("holds no text: there is no circular to import"))
    metadata = read_metadata(document.custom)
    english = metadata.get("language") == "en" if metadata.get("language") else None
    index = NameIndex(project.registry)
    reading = read_circular(document, english, index.kind)
    guesses: list[str] = []
    fields = _Fields(reading, metadata, project, guesses, index).build(document.core)
    _tidy(fields)
    if fields.get("language") == "zh" and fields.get("layout", "gbt9704") == "gbt9704":
        _unbreak_titles(fields, project.root)
    existing = project.known_ids()
    circular_id = fields["id"]
    if not metadata.get("id"):
        if original := _original(fields, project):  # a translation shares its original's number
            fields["translation_of"] = original
            circular_id = fields["id"] = f"{original}-{fields['language']}"
        same = _same_number(fields, project)
        base, n = circular_id, 2
        while same is None and circular_id in existing:
            circular_id, n = f"{base}-{n}", n + 1
        fields["id"] = circular_id = same or circular_id
    year = fields["date"].year if isinstance(fields.get("date"), date) else date.today().year
    target = project.data_dir / str(year) / f"{circular_id}.yaml"
    text = dump_circular(fields, SCHEMA_LINE)
    result = ImportResult(source, circular_id, target, text, guesses, reading.kept)
    result.problems = _problems(target, text)
    return result


def import_file(source: Path, project: Project, *, dry_run: bool = False) -> ImportResult:
    """Import one Word document: write circulars/<year>/<id>.yaml unless `dry_run`.

    Raise ImportRefused for a file that cannot be imported, and for a circular
    that exists already (its file or its id): that one is replaced only by --replace
    (a dry run reads it all the same, and says so in `exists`)."""
    result = read_document(source, project)
    if result.path.exists() or project.source(result.circular_id) is not None:
        refusal = _(
            "holds circular {id}, which exists already ({path}): to update it, use --replace {id}"
        ).format(id=result.circular_id, path=_shown(result.path, project.root))
        if not dry_run:
            raise ImportRefused(refusal)
        result.exists = refusal  # a dry run still shows what the document holds
    if not dry_run:
        try:
            write_atomically(result.path, result.yaml.encode("utf-8"))
        except OSError as error:  # a read-only folder, a full disk: nothing half-written
            raise ImportRefused(
                _("could not be written to {path} ({reason})").format(
                    path=_shown(result.path, project.root), reason=error.strerror or error
                )
            ) from None
        result.written = True
    return result


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def _problems(target: Path, text: str) -> list[str]:
    diagnostics = Diagnostics()
    loaded = read_yaml(target, diagnostics, text.encode("utf-8"))
    if loaded.data is not None:
        validate(Circular, loaded, diagnostics)
    return [f"{d.position.line}:{d.position.column}: {d.message}" for d in diagnostics.errors]


class _Fields:
    """The YAML fields: the document's metadata where it carries them, else what its text says."""

    def __init__(
        self, reading: Reading, metadata: dict, project: Project, guesses: list[str], index: NameIndex
    ):
        self.reading = reading
        self.metadata = metadata
        self.index = index
        self.registry = project.registry
        self.guesses = guesses

    def build(self, core: dict) -> dict:
        reading, meta = self.reading, self.metadata
        fields: dict = {}
        read = dict(reading.fields)
        fields["id"] = meta.get("id", "")
        fields["kind"] = meta.get("kind") or self.kind(read.get("title", ""))
        fields["language"] = meta.get("language") or ("en" if reading.english else "zh")
        fields["status"] = meta.get("status", "issued")
        fields["title"] = read.pop("title", "") or core.get("title", "")
        if "issuer" in meta:
            fields["issuer"] = _typed("issuer", meta["issuer"])
        else:
            fields.update(self.issuer_and_number())
        when = read.pop("date", None) or _imprint_date(reading) or _core_date(core)
        if when is None:
            self.guesses.append(_("no date of issue found: today's date written, correct it"))
            when = date.today()
        fields["date"] = when
        for key, value in meta.items():
            if key not in fields:
                fields[key] = _typed(key, value)
        if not meta:
            self.names(fields, read)
            if reading.organ_mark is None and not reading.english:
                fields["letterhead"] = "none"  # a notice posted without a 版头
            elif reading.organ_mark and not reading.organ_mark.endswith("文件") and not reading.english:
                fields["letterhead"] = "letter"  # the name alone: the 信函 form
        self.signature(fields)
        closing = read.pop("closing", None)
        default = _DEFAULT_CLOSINGS.get((fields["language"], fields["kind"]))
        if closing != default and (closing or default):
            fields["closing"] = closing if closing else False
        fields.update(read)
        if not fields["id"]:
            fields["id"] = self.new_id(fields)
        return fields

    def kind(self, title: str) -> str:
        title = title.replace("\n", "")
        if title.endswith("函"):
            return "letter"
        if title.endswith("意见"):
            return "opinions"
        if title.endswith("报告"):
            return "report"
        return "notice"

    def issuer_and_number(self) -> dict:
        reading, out = self.reading, {}
        number = reading.number
        series = self.index.series(number["prefix"]) if number and number.get("prefix") else None
        issuers = []
        for name in reading.issuer_names or reading.signature_lines[:1]:
            name = re.sub(r"[（(]代章[）)]$", "", name.strip())  # signed on another's behalf
            for part in re.split(r"[\u3000\s]{2,}|\n", name):
                found, close = self.index.organization(part)
                if found:
                    issuers.append(found)
                    self.guesses.append(_("issuer {name} → {id}").format(name=part, id=found))
                elif close:
                    self.guesses.append(
                        _("issuer {name} is not in the registry (did you mean {id}?)").format(
                            name=part, id=close
                        )
                    )
        if series and series[0] not in issuers:
            issuers.insert(0, series[0])
            self.guesses.append(
                _("issuer → {id}, by the number's prefix {prefix}").format(
                    id=series[0], prefix=number["prefix"]
                )
            )
        found = self.index.number(reading.number_line[1]) if reading.number_line else None
        if found and (not issuers or found[0] in issuers):  # a number in its series' own pattern
            org_id, series_id, value, label = found
            if not issuers:
                issuers.append(org_id)
                self.guesses.append(
                    _("issuer → {id}, by the number {number}").format(
                        id=org_id, number=reading.number_line[1]
                    )
                )
            out["series"], out["number"] = series_id, value
            if label != reading.number_line[0]:
                out["series_label"] = reading.number_line[0]
        if not issuers:
            names = "、".join(reading.issuer_names) or "?"
            self.guesses.append(
                _(
                    "issuer {name} not found in the registry: add it to organizations.yaml and fix 'issuer'"
                ).format(name=names)
            )
            issuers = ["unknown-issuer"]
        out["issuer"] = issuers if len(issuers) > 1 else issuers[0]
        if series and series[1]:
            out["series"] = series[1]
        if series and reading.number_line and reading.number_line[0] not in ("Ref.", "Ref", ""):
            label = self.registry.series(series[0], series[1])
            if label is None or label.label is None or label.label.get("en") != reading.number_line[0]:
                out["series_label"] = reading.number_line[0]
        if number:
            out["number"] = number["number"]
            if not series:
                self.guesses.append(
                    _(
                        "the number's prefix {prefix} is no series of the issuer: number kept, check it"
                    ).format(prefix=number.get("prefix") or "—")
                )
        return out

    def names(self, fields: dict, read: dict) -> None:
        reading = self.reading
        if reading.to_names:
            fields["to"] = [self.group(group, "to") for group in reading.to_names]
        elif not reading.english:
            fields["to"] = False
        if reading.cc_names:
            fields["cc"] = [self.group(group, "cc") for group in reading.cc_names]
        if reading.signer_names:
            found = [self.index.person(n) for n in reading.signer_names]
            if found and all(found):
                fields["signer"] = found[0]
            else:
                self.guesses.append(
                    _("签发人 {name} is not in people.yaml: add them and set 'signer'").format(
                        name="、".join(reading.signer_names)
                    )
                )
        if reading.signatory_name and (person := self.index.person(reading.signatory_name)):
            fields["signatory"] = person
        elif (
            reading.english
            and reading.signature_lines
            and (person := self.index.person(reading.signature_lines[0]))
        ):
            fields["signatory"] = person  # the template signs with the name and the title the registry gives
            self.guesses.append(
                _("signatory {name} → {id}").format(name=reading.signature_lines[0], id=person)
            )
            reading.signature_lines = []
        if reading.imprint is None and not reading.cc_names:
            fields["printing"] = False
        elif reading.imprint is not None:
            organ, when = reading.imprint
            found, _close = self.index.organization(organ)
            lead = fields["issuer"][0] if isinstance(fields["issuer"], list) else fields["issuer"]
            printing = {}
            if found and found != lead:
                printing["org"] = found
            elif not found and organ not in [self.registry.name(lead, fields["language"])]:
                self.guesses.append(
                    _("the 印发 organ {name} is not in the registry: the imprint names the issuer").format(
                        name=organ
                    )
                )
            printed = parse_date(when)
            if printed and printed[0] != fields.get("date"):
                printing["date"] = printed[0]
            if printing:
                fields["printing"] = printing

    def group(self, names: list[str], where: str):
        members = []
        for name in names:
            found, close = self.index.organization(name)
            if found:
                members.append(found)
                self.guesses.append(_("{where} {name} → {id}").format(where=where, name=name, id=found))
            else:
                members.append({"label": name, "in_registry": False})
                if close:
                    self.guesses.append(
                        _("{where} {name} kept as a label (did you mean {id}?)").format(
                            where=where, name=name, id=close
                        )
                    )
        return members[0] if len(members) == 1 else members

    def signature(self, fields: dict) -> None:
        lines = self.reading.signature_lines
        if not lines:
            return
        issuers = fields["issuer"] if isinstance(fields["issuer"], list) else [fields["issuer"]]
        names = [
            self.registry.name(i, fields["language"]) for i in issuers if i in self.registry.organizations
        ]
        laid_out = [name for line in lines for name in line.split(_JOINT)]
        if laid_out != names:  # the issuers' names as the template signs them, else as written
            fields["signature"] = lines
        elif lines != names and "seal" not in self.metadata:
            fields["seal"] = True  # joint issuers side by side on a line: the sealed layout

    def new_id(self, fields: dict) -> str:
        issuer = fields["issuer"][0] if isinstance(fields["issuer"], list) else fields["issuer"]
        year = fields["date"].year
        if "number" in fields:
            return f"{issuer}-{year}-{fields['number']:02d}"
        return f"{issuer}-{fields['date'].isoformat()}"


def _same_number(fields: dict, project: Project) -> str | None:
    """The circular this one is already (the same document imported again): the one
    with its number, or without a number its issuer, date and title. Its id, so that
    the import is refused rather than written twice."""
    issuer = fields["issuer"][0] if isinstance(fields["issuer"], list) else fields["issuer"]
    title = fields.get("title", "").replace("\n", "")
    for circular in project.circulars:
        if circular.lead_issuer != issuer or circular.language != fields["language"]:
            continue
        if "number" in fields:
            if (circular.series, circular.number, circular.date.year) == (
                fields.get("series"),
                fields["number"],
                fields["date"].year,
            ):
                return circular.id
        elif circular.date == fields["date"] and circular.title.replace("\n", "") == title:
            return circular.id
    return None


def _original(fields: dict, project: Project) -> str | None:
    """The Chinese circular with this English one's number: the one it translates."""
    if "number" not in fields or fields["language"] != "en":
        return None
    issuer = fields["issuer"][0] if isinstance(fields["issuer"], list) else fields["issuer"]
    for circular in project.circulars:
        if (
            circular.lead_issuer == issuer
            and circular.language != fields["language"]
            and circular.translation_of is None
            and (circular.series, circular.number, circular.date.year)
            == (fields.get("series"), fields["number"], fields["date"].year)
        ):
            return circular.id
    return None


def _typed(key: str, value):
    """A metadata value as a person writes it: a date as a date, one issuer without a list."""
    if key in ("date", "in_force") and isinstance(value, str):
        return date.fromisoformat(value)
    if key in ("issuer", "supersedes", "amends") and isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def _core_date(core: dict) -> date | None:
    created = core.get("created", "")
    try:
        return date.fromisoformat(created[:10]) if created else None
    except ValueError:
        return None


def _imprint_date(reading: Reading) -> date | None:
    found = parse_date(reading.imprint[1]) if reading.imprint else None
    return found[0] if found else None


def _tidy(value) -> None:
    """Tables placed after the last paragraph of their text need no `after`."""
    if isinstance(value, list):
        for item in value:
            _tidy(item)
    elif isinstance(value, dict):
        value.pop("_raw", None)
        paragraphs = value.get("text") or value.get("background") or []
        count = len(paragraphs) if isinstance(paragraphs, list) else 1
        for key in ("tables", "background_tables"):
            for table in value.get(key, []):
                if table.get("after") == count:
                    table.pop("after")
        for child in value.values():
            _tidy(child)


def _unbreak_titles(fields: dict, project_root: Path) -> None:
    """Titles on one line where the writer breaks them into the same lines by itself:
    only a title broken elsewhere (as its author wrote it) stays a `|` block."""
    try:
        reference = reference_for(project_root, "gbt9704")
    except ReferenceDocumentError:
        return
    styles = {"title": TITLE_STYLES["title"], "documents": TITLE_STYLES["document-title"]}

    def unbreak(part: dict, style: str) -> None:
        title = part.get("title")
        if isinstance(title, str) and "\n" in title:
            joined = title.replace("\n", "")
            per_line = int(reference.text_width / (reference.font_size(style) * 20))
            lines = title.split("\n")
            offsets = [sum(len(line) for line in lines[: n + 1]) for n in range(len(lines) - 1)]
            if title_breaks(joined, per_line) == offsets:
                part["title"] = joined
        for key in ("documents", "attachments"):
            for child in part.get(key, []):
                unbreak(child, styles.get(key, TITLE_STYLES["attachment-title"]))

    unbreak(fields, styles["title"])
