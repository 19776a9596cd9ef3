"""What each Word document in build/docx/ was built from, so that a build rewrites
only the documents whose inputs changed.

`.circulars-build.json` beside the documents holds, per document, a digest of
everything its bytes depend on, and the size and SHA-256 of the .docx written
from them. Its Markdown (which the site shows) is kept in `.circulars-markdown/`,
named by its own SHA-256. A document is kept only when its digest is the one
recorded and its .docx is there with the recorded bytes (its Markdown too, to
skip rendering it); anything else (a digest that differs, a file missing or
changed, a record that cannot be read) means building it again.

A document depends on what the renderer and the writer read:
- the circular as loaded (every field of its model, each table read from a file
  as loaded), its YAML's bytes and the bytes of the files it names;
- the registry as loaded (organizations, people, kinds);
- every file of the project's templates/ and the built-in ones, except the Word
  reference documents, of which only its own layout's counts;
- the code: every file of the generator package, Python's and zlib's versions,
  and the versions of the libraries that shape the output.
Templates see only the circular and the registry (render/renderer.py's context),
so no other circular reaches a document.

Digests are taken from what is in memory before rendering, and the templates and
reference documents are read after: a file that changes in between leaves a
digest that matches nothing, so the next build builds again, never the reverse.
The code is digested when this module is imported, with the rest of the package,
so a long-running `circulars serve` records the code it runs, not later edits.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from ..i18n import _
from ..render.renderer import layout_of
from ..source.code_version import LOADED_CODE, bytes_digest, folder_digest
from ..source.files import FileProblem, read_regular
from ..source.model import Circular
from ..source.project import Project
from ..source.registry import Registry
from ..source.tables import tables_in
from ..source.templates import find_template_file, template_dirs

RECORD_FILE = ".circulars-build.json"
MARKDOWN_DIR = ".circulars-markdown"
FORMAT = 1
MAX_RECORD_BYTES = 256 * 1024 * 1024  # a record of 100,000 documents is 30 MB


def registry_digest(registry: Registry) -> str:
    digest = hashlib.sha256()
    for group in (registry.organizations, registry.people, registry.kinds):
        for key, value in group.items():  # in the order read: listings follow it
            digest.update(f"{key}\0{value.model_dump_json()}\0".encode())
        digest.update(b"\1")
    return digest.hexdigest()


# A key "file" of the model's JSON with its string value: text typed in the YAML is
# inside a JSON string, where its quotes are escaped, so it cannot match.
_FILE_KEY = re.compile(r'(?<!\\)"file":("(?:[^"\\]|\\.)*")')


def _named_files(dumped: str) -> list[str]:
    """Every `file:` a circular names, at any depth (tables, attachments), from its JSON."""
    return [json.loads(value) for value in _FILE_KEY.findall(dumped)]


class Inputs:
    """The digest of what each document of one project depends on."""

    def __init__(self, project: Project):
        self.project = project
        shared = hashlib.sha256(f"{FORMAT}\0{LOADED_CODE}\0".encode())
        for folder in template_dirs(project.root):
            shared.update(f"templates {folder}\0".encode())
            if folder.is_dir():
                folder_digest(shared, folder, skip_suffix=".docx")
        shared.update(registry_digest(project.registry).encode())
        self.shared = shared.hexdigest()
        self.references: dict[str, str] = {}

    def reference(self, layout: str) -> str:
        if layout not in self.references:
            try:
                path = find_template_file(self.project.root, f"{layout}.docx")
            except OSError:
                self.references[layout] = "missing"
            else:
                self.references[layout] = f"{path}\0{bytes_digest(path)}"
        return self.references[layout]

    def of(self, circular: Circular) -> str:
        layout = layout_of(circular)
        digest = hashlib.sha256(f"{self.shared}\0{layout}\0{self.reference(layout)}\0".encode())
        dumped = circular.model_dump_json()
        digest.update(dumped.encode())
        names = _named_files(dumped)
        for _path, table in tables_in(circular) if names else ():
            if table.file is not None:
                try:
                    digest.update(repr(table.grid).encode())
                except RuntimeError:  # not read: the build fails on it anyway
                    digest.update(b"unread")
        source = self.project.source(circular.id)
        if source is not None:
            folder = source.path.parent
            digest.update(f"\0{source.path}\0{bytes_digest(source.path)}".encode())
            for name in names:
                digest.update(f"\0{name}\0{bytes_digest(folder / name)}".encode())
        return digest.hexdigest()


@dataclass(frozen=True)
class Entry:
    """One document as recorded: the digest of its inputs, and what was written."""

    inputs: str
    size: int
    sha256: str
    markdown: str  # the SHA-256 of its Markdown
    missing_styles: tuple[str, ...] = ()


class RecordError(Exception):
    pass


def _entry(value) -> Entry:
    if not isinstance(value, dict):
        raise RecordError(_("an entry is not an object"))
    try:
        entry = Entry(**value)
    except TypeError as error:
        raise RecordError(str(error)) from None
    styles = entry.missing_styles
    texts = (entry.inputs, entry.sha256, entry.markdown, *(styles if isinstance(styles, list) else [0]))
    if not isinstance(entry.size, int) or not all(isinstance(t, str) for t in texts):
        raise RecordError(_("an entry has a value of the wrong type"))
    return Entry(entry.inputs, entry.size, entry.sha256, entry.markdown, tuple(entry.missing_styles))


class BuildRecord:
    """The record of one folder of Word documents."""

    def __init__(self, out_dir: Path, entries: dict[str, Entry] | None = None, problem: str | None = None):
        self.out_dir = out_dir
        self.entries = entries or {}
        self.problem = problem  # why the record on disk was not used, if it was not

    @property
    def path(self) -> Path:
        return self.out_dir / RECORD_FILE

    @classmethod
    def load(cls, out_dir: Path) -> BuildRecord:
        """The record, or an empty one (with `problem` saying why) if it cannot be used."""
        path = out_dir / RECORD_FILE
        if not path.exists() and not path.is_symlink():
            return cls(out_dir)
        try:
            data = json.loads(read_regular(path, MAX_RECORD_BYTES))
        except FileProblem as error:
            problem = _("{path} {error}: every Word document is built again").format(path=path, error=error)
            return cls(out_dir, problem=problem)
        except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, nested too deep
            problem = _("{path} cannot be read ({error}): every Word document is built again").format(
                path=path, error=error
            )
            return cls(out_dir, problem=problem)
        try:
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise RecordError(_("not a record of format {format}").format(format=FORMAT))
            documents = data.get("documents")
            if not isinstance(documents, dict):
                raise RecordError(_("no 'documents'"))
            entries = {str(key): _entry(value) for key, value in documents.items()}
        except RecordError as error:
            return cls(
                out_dir,
                problem=_("{path} is damaged ({error}): every Word document is built again").format(
                    path=path, error=error
                ),
            )
        return cls(out_dir, entries)

    def markdown_path(self, sha256: str) -> Path:
        return self.out_dir / MARKDOWN_DIR / f"{sha256}.md"

    def markdown(self, circular_id: str, inputs: str) -> str | None:
        """The document's Markdown as rendered from these inputs, if it is kept."""
        entry = self.entries.get(circular_id)
        if entry is None or entry.inputs != inputs:
            return None
        try:
            data = self.markdown_path(entry.markdown).read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != entry.markdown:
            return None
        return data.decode("utf-8")

    def document(self, circular_id: str, inputs: str) -> Entry | None:
        """The entry of a document built from these inputs and still there as written."""
        entry = self.entries.get(circular_id)
        if entry is None or entry.inputs != inputs:
            return None
        path = self.out_dir / f"{circular_id}.docx"
        try:
            if path.stat().st_size != entry.size:
                return None
        except OSError:
            return None
        return entry if bytes_digest(path) == entry.sha256 else None  # an unreadable file's never is

    def encoded(self, known_ids: set[str]) -> bytes:
        """The record to save: the documents of circulars that still exist."""
        documents = {
            key: {**asdict(entry), "missing_styles": list(entry.missing_styles)}
            for key, entry in sorted(self.entries.items())
            if key in known_ids
        }
        return json.dumps({"format": FORMAT, "documents": documents}, indent=1).encode("utf-8")

    def prune_markdown(self, known_ids: set[str]) -> None:
        """Remove cached Markdown no entry names any more."""
        wanted = {f"{e.markdown}.md" for key, e in self.entries.items() if key in known_ids}
        folder = self.out_dir / MARKDOWN_DIR
        if folder.is_dir():
            for path in folder.glob("*.md"):
                if path.name not in wanted:
                    path.unlink(missing_ok=True)
