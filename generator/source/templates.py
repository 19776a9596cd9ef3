"""Where templates are found: the project's own templates/ first, then the built-in ones.

A secretariat overrides one file (say, the English notice or the Word reference
document) by putting its own copy in the project's templates/ folder.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..i18n import _

TEMPLATES_DIR = "templates"

# Files of the templates folder that Jinja never loads: the Word reference documents
# (*.docx) and LibreOffice's font substitutions.
_NOT_JINJA = ("fonts.conf",)


def builtin_templates() -> Path:
    """The templates shipped with the package (the repository's templates/ in a checkout)."""
    package = Path(__file__).parent.parent
    packaged = package / "templates"
    if packaged.is_dir():
        return packaged
    return package.parent / TEMPLATES_DIR


def template_dirs(project_root: Path) -> list[Path]:
    """The project's templates/ (even if not created yet), then the built-in ones."""
    project, builtin = project_root / TEMPLATES_DIR, builtin_templates()
    return [project] if project.resolve() == builtin.resolve() else [project, builtin]


def find_template_file(project_root: Path, name: str) -> Path:
    """A non-Jinja template file (a Word reference document), project first."""
    for d in template_dirs(project_root):
        if (d / name).is_file():
            return d / name
    raise FileNotFoundError(
        _("template '{name}' not found in {map}").format(
            name=name, map=", ".join(map(str, template_dirs(project_root)))
        )
    )


def has_own_templates(project_root: Path) -> bool:
    """Whether the project's templates/ holds anything Jinja could load: any file but
    the Word reference documents and fonts.conf, or a link to a folder. Such a project
    renders in the sandbox; the built-in templates alone are trusted code."""
    project = project_root / TEMPLATES_DIR
    if not project.is_dir() or project.resolve() == builtin_templates().resolve():
        return False
    for folder, dirs, files in os.walk(project):
        if any(os.path.islink(os.path.join(folder, d)) for d in dirs):
            return True
        if any(not name.endswith(".docx") and name not in _NOT_JINJA for name in files):
            return True
    return False
