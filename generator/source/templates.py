"""Where templates are found: the project's own templates/ first, then the built-in ones.

A secretariat overrides one file (say, the English notice or the Word reference
document) by putting its own copy in the project's templates/ folder.
"""

from __future__ import annotations

from pathlib import Path

TEMPLATES_DIR = "templates"


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
        f"template '{name}' not found in {', '.join(map(str, template_dirs(project_root)))}"
    )
