"""Which files a circular may attach: the rule that keeps secrets out of what is published.

An attachment is published on the site, copied beside every Word document and
sent to every recipient, so a path like `../../circulars.toml` (the SMTP
password) must never get that far. The rule, checked by `circulars check` and so
before any build: an attachment file is a readable regular file in a folder
named `attachments` somewhere under circulars/ (circulars/2024/attachments/...),
after following every symbolic link; never a hidden file, nor a configuration
or key file even there; and no two attachments of one circular share a file
name, since every output puts them side by side in one attachments/ folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from ..i18n import _
from .body_model import every_attachment
from .files import FileProblem, check_readable
from .project import Project, Source

ATTACHMENTS_FOLDER = "attachments"

# Suffixes of configuration and key files, refused even inside an attachments folder.
SECRET_SUFFIXES = (".toml", ".ini", ".cfg", ".conf", ".env", ".pem", ".key", ".p12", ".pfx")


def _shown(path: Path, root: Path) -> str:
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)


def attachment_problem(project: Project, yaml_path: Path, file: str) -> str | None:
    """Why `file` (as written in the circular at yaml_path) may not be attached, or None."""
    root = project.root.resolve()
    data_dir = project.data_dir.resolve()
    written = yaml_path.parent / file
    target = written.resolve()
    leads = (
        ""
        if target == Path(*_normalized(written))
        else _(" (it leads to {target})").format(target=_shown(target, root))
    )
    if not target.is_relative_to(root):
        return _("attachment '{file}' is outside the project{leads}").format(file=file, leads=leads)
    inside = target.relative_to(data_dir).parts if target.is_relative_to(data_dir) else ()
    if ATTACHMENTS_FOLDER not in inside[:-1]:
        return _(
            "attachment '{file}' is not in an {attachments_folder}/ folder under circulars/{leads}; only "
            "files there are published"
        ).format(file=file, attachments_folder=ATTACHMENTS_FOLDER, leads=leads)
    if any(part.startswith(".") for part in inside):
        return _("attachment '{file}' is a hidden file{leads}, which is never published").format(
            file=file, leads=leads
        )
    if target.suffix.lower() in SECRET_SUFFIXES:
        return _(
            "attachment '{file}' is a configuration or key file{leads}, which is never published"
        ).format(file=file, leads=leads)
    try:
        check_readable(target)
    except FileProblem as problem:
        return _("attachment file '{file}' {problem}").format(file=file, problem=problem)
    return None


def _normalized(path: Path) -> tuple[str, ...]:
    """The absolute path with `.` and `..` removed lexically, without following links."""
    parts: list[str] = []
    for part in path.absolute().parts:
        if part == "..":
            if len(parts) > 1:
                parts.pop()
        elif part != ".":
            parts.append(part)
    return tuple(parts)


def attachment_problems(project: Project, source: Source) -> Iterator[tuple[tuple, str]]:
    """(path of its `file`, message) for every attachment file of the circular (its
    own, its documents' and theirs) that may not be published."""
    first_by_name: dict[str, tuple[int, str]] = {}
    for number, (path, attachment) in enumerate(every_attachment(source.circular), 1):
        if attachment.file is None:
            continue
        problem = attachment_problem(project, source.path, attachment.file)
        if problem is not None:
            yield (*path, "file"), problem
            continue
        name = (source.path.parent / attachment.file).resolve().name  # the name every output uses
        earlier, other = first_by_name.setdefault(name.casefold(), (number, attachment.file))
        if earlier != number:
            yield (
                (*path, "file"),
                _(
                    "attachment '{file}' has the same file name as attachment {earlier} ('{other}'), and "
                    "the two would overwrite each other: rename one"
                ).format(file=attachment.file, earlier=earlier, other=other),
            )
