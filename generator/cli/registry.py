"""`circulars registry`: the organizations and people a circular may name, to look ids up.

A clerk writing `to:` or `--issuer` needs the id of 攀枝花市总工会; these commands
list the registry, filtered and searched, as aligned columns or as JSON.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import click

from ..i18n import _, ngettext
from ..source.names import LANGUAGES, REGISTRY_FILES
from .common import EXIT_INVALID, Context, organization_id
from .terminal import table

if TYPE_CHECKING:
    from ..source.project import Project
    from ..source.registry import Registry
    from ..source.registry_format import Organization, Person

LANG_OPTION = click.option(
    "--lang",
    type=click.Choice(LANGUAGES),
    default="zh",
    show_default=True,
    help=_("Which language's names to show (the other when a name has only one)."),
)
JSON_OPTION = click.option(
    "--json", "as_json", is_flag=True, help=_("Print JSON for scripts instead of a table.")
)


@click.group()
def registry() -> None:
    """List the organizations and people of the registry, to find their ids.

    Ids are what circulars write in `issuer`, `to`, `cc`, `responsible` and
    `signatory`. SEARCH matches part of an id or of a name (full or short,
    Chinese or English), ignoring case.

    \b
    Examples:
      circulars registry organizations 攀枝花
      circulars registry organizations --kind grassroots-union --parent geliping-park-federation
      circulars registry people --org acftu
    """


def _matches(search: str | None, texts: list[str | None]) -> bool:
    if not search:
        return True
    wanted = search.casefold()
    return any(wanted in t.casefold() for t in texts if t)


def _localized(value) -> dict[str, str]:
    return {} if value is None else {k: v for k, v in (("zh", value.zh), ("en", value.en)) if v}


def _org_texts(org: Organization) -> list[str | None]:
    texts = [org.id, org.name.zh, org.name.en]
    return texts + ([org.short.zh, org.short.en] if org.short else [])


@registry.command("organizations")
@click.argument("search", required=False)
@click.option("--kind", metavar="KIND", help=_("Only organizations of this kind (grassroots-union, …)."))
@click.option("--parent", metavar="ID", help=_("Only organizations directly under this one."))
@LANG_OPTION
@JSON_OPTION
@click.pass_obj
def organizations(
    obj: Context, search: str | None, kind: str | None, parent: str | None, lang: str, as_json: bool
) -> None:
    """List organizations: id, name, short name, kind, parent and email.

    In the registry's order (circulars/organizations.yaml).

    \b
    Examples:
      circulars registry organizations
      circulars registry organizations 总工会 --kind municipal-federation
      circulars registry organizations --parent panzhihua-ftu --json
    """
    reg = _registry(obj.load())
    parent = parent and organization_id(reg, parent, "--parent")
    chosen = [
        org
        for org in reg.organizations.values()
        if (kind is None or org.kind == kind)
        and (parent is None or org.parent == parent)
        and _matches(search, _org_texts(org))
    ]
    if as_json:
        records = [
            {
                "id": org.id,
                "name": _localized(org.name),
                "short": _localized(org.short),
                "kind": org.kind,
                "parent": org.parent,
                "email": org.email,
            }
            for org in chosen
        ]
        click.echo(json.dumps(records, ensure_ascii=False, indent=2))
        return
    rows = [
        [
            org.id,
            org.name.best(lang),
            org.short.best(lang) if org.short else "",
            org.kind,
            org.parent or "",
            org.email or "",
        ]
        for org in chosen
    ]
    headers = [_("ID"), _("NAME"), _("SHORT NAME"), _("KIND"), _("PARENT"), _("EMAIL")]
    click.echo(table(headers, rows, max_width=None))  # nothing cut: a name is what is looked for


@registry.command("people")
@click.argument("search", required=False)
@click.option("--org", metavar="ID", help=_("Only people holding a position in this organization."))
@LANG_OPTION
@JSON_OPTION
@click.pass_obj
def people(obj: Context, search: str | None, org: str | None, lang: str, as_json: bool) -> None:
    """List people: id, name, and each position with its organization and that organization's email.

    One line per position (a person without one has a line of their own).

    \b
    Examples:
      circulars registry people
      circulars registry people 王
      circulars registry people --org acftu --json
    """
    reg = _registry(obj.load())
    org = org and organization_id(reg, org, "--org")
    chosen = [
        p
        for p in reg.people.values()
        if (org is None or any(r.org == org for r in p.roles)) and _matches(search, _person_texts(p))
    ]
    if as_json:
        click.echo(json.dumps([_person_record(reg, p, org) for p in chosen], ensure_ascii=False, indent=2))
        return
    rows = []
    for person in chosen:
        roles = [r for r in person.roles if org is None or r.org == org]
        for role in roles or [None]:
            holder = reg.organizations.get(role.org) if role else None
            rows.append(
                [
                    person.id,
                    person.name.best(lang),
                    role.title.best(lang) if role else "",
                    role.org if role else "",
                    holder.name.best(lang) if holder else "",
                    (holder.email or "") if holder else "",
                ]
            )
    headers = [_("ID"), _("NAME"), _("POSITION"), _("ORGANIZATION"), _("ORGANIZATION NAME"), _("EMAIL")]
    click.echo(table(headers, rows, max_width=None))  # nothing cut: a name is what is looked for


def _person_texts(person: Person) -> list[str | None]:
    return [person.id, person.name.zh, person.name.en]


def _person_record(reg: Registry, person: Person, org: str | None) -> dict:
    return {
        "id": person.id,
        "name": _localized(person.name),
        "positions": [
            {
                "title": _localized(role.title),
                "org": role.org,
                "email": reg.organizations[role.org].email if role.org in reg.organizations else None,
            }
            for role in person.roles
            if org is None or role.org == org
        ],
    }


def _registry(project: Project) -> Registry:
    """The registry, or exit 1 showing what is wrong with its files. Errors in circulars do
    not count: the registry is what a clerk looks ids up in to correct them."""
    errors = [
        d
        for d in project.diagnostics.errors
        if d.path.parent == project.data_dir and d.path.name in REGISTRY_FILES
    ]
    for d in errors:
        click.echo(d.format(project.root), err=True)
    if errors:
        message = ngettext(
            "{count} error in the registry; nothing listed",
            "{count} errors in the registry; nothing listed",
            len(errors),
        )
        click.echo(message.format(count=len(errors)), err=True)
        sys.exit(EXIT_INVALID)
    return project.registry
