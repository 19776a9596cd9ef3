"""The directory: the union tree, with links to each body's circulars and requirements, and
the leadership of each organization."""

from __future__ import annotations

from collections import defaultdict

from .escaping import front_matter, markdown
from .indexes import IndexPages
from .pages import MAX_LIST_DEPTH, link
from .tracker import Tracker


def directory(indexes: IndexPages, tracker: Tracker) -> dict[str, str]:
    pages = indexes.pages
    registry, language, labels = pages.registry, pages.language, pages.labels
    issuers = indexes.issuer_ids()
    path = "directory/index.md"
    lines = [
        front_matter(title=labels["directory"]),
        f"# {labels['directory']}",
        "",
        f"## {labels['tree']}",
        "",
    ]

    for org, depth in registry.tree():  # a loop, not recursion: any depth is fine
        parts = [f"**{markdown(org.name.best(language))}**"]
        if org.id in issuers:
            parts.append(f"[{labels['circulars']}]({link(path, f'issuers/{org.id}.md')})")
        if org.id in tracker.asked:
            parts.append(f"[{labels['requirements']}]({link(path, f'tracker/{org.id}.md')})")
        lines.append(f"{'    ' * min(depth, MAX_LIST_DEPTH)}- " + " · ".join(parts))
    lines += ["", f"## {labels['leadership']}", ""]
    by_org: dict[str, list[tuple[int, str, list[str]]]] = defaultdict(list)
    for person in registry.people.values():
        for org_id in dict.fromkeys(r.org for r in person.roles):
            roles = [r for r in person.roles if r.org == org_id]
            rank = min((r.rank for r in roles if r.rank), default=999)
            titles = [r.title.best(language) for r in person.roles]
            by_org[org_id].append((rank, person.name.best(language), titles))
    for org_id, members in by_org.items():
        if org_id not in registry.organizations or all(rank == 999 for rank, _, _ in members):
            continue
        lines += [f"### {markdown(pages.org_name(org_id))}", ""]
        for _rank, name, titles in sorted(members):
            lines.append(f"- **{markdown(name)}**: {markdown('; '.join(titles))}")
        lines.append("")
    return {path: "\n".join(lines) + "\n"}
