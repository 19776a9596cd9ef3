"""`circulars new`: a ready-to-fill circular with the next free document number."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ..i18n import _
from ..source.placeholders import PLACEHOLDERS
from ..source.project import DATA_DIR, Project
from .environment import environment

SCHEMA_DIR = Path("site") / "schema"


@dataclass
class NewCircular:
    path: Path
    id: str
    number: int | None


def default_language(project: Project, issuer: str, series: str | None = None) -> str:
    numbers = project.registry.series(issuer, series)
    return "zh" if numbers is None or numbers.prefix.zh is not None else "en"


def create(
    project: Project,
    issuer: str,
    language: str,
    title: str,
    kind: str,
    when: date,
    circular_id: str | None = None,
    series: str | None = None,
    numbered: bool = True,
) -> NewCircular:
    """Write the new file; raises FileExistsError rather than overwrite anything.

    The number is the next free one in the issuer's series (`series`, default
    its prefix) and year; `numbered=False` writes a circular without one."""
    number = project.next_number(issuer, when.year, series) if numbered else None
    if circular_id is None:
        tail = f"{when.year}-{number:02d}" if number is not None else when.isoformat()
        circular_id = f"{issuer}-{series}-{tail}" if series else f"{issuer}-{tail}"
    path = project.root / DATA_DIR / str(when.year) / f"{circular_id}.yaml"
    if circular_id in project.known_ids():
        raise FileExistsError(
            _("a circular with id '{circular_id}' already exists").format(circular_id=circular_id)
        )
    schema = Path(os.path.relpath(project.root / SCHEMA_DIR / "circular.schema.json", path.parent))
    text = (
        environment(project.root)
        .get_template("new-circular.yaml.j2")
        .render(
            id=circular_id,
            kind=kind,
            language=language,
            title=title,
            issuer=issuer,
            number=number,
            series=series,
            date=when.isoformat(),
            deadline=(when + timedelta(days=30)).isoformat(),
            schema_path=schema.as_posix(),
            placeholders=PLACEHOLDERS[language],
        )
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8") as out:  # "x": never overwrite
        out.write(text)
    return NewCircular(path, circular_id, number)
