"""A circular's page: the document as its readers get an official publication.

Above the document: its status, number, issuer and date, the buttons to
download the Word document and the PDF, a link to its other language, and,
if it no longer applies, the notice that says so (once). Below it, the
document information (number, issuer, dates, status, in force from, what it
supersedes and amends and what superseded or amended it, translations, last
change), the files with their format, size and SHA-256, a citation line, the
change history and the feeds to follow. A line that only print shows carries
the status, number, URL and print date. In <head>: Open Graph and Dublin Core
metadata.

The page's words are in the circular's language, whatever the site's. The
sizes and SHA-256 of the Word document and PDF are known only once they are
written, after the page's Markdown is converted: the plugin fills them in
last (`fill`). Every text from YAML goes out through escaping.py.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..render.numbering import format_date
from ..source.inline_markup import to_plain
from ..source.model import Circular
from . import escaping
from .editions import in_force_from, last_changed, not_in_force_since
from .escaping import front_matter, markdown
from .feed import issuer_feed, tag_feed
from .labels import LABELS
from .pages import SitePages, circular_page_path, link

DOWNLOAD_BUTTONS = "<!-- circulars:download-buttons -->"
FILE_TABLE = "<!-- circulars:file-table -->"
LANGUAGE_TAGS = {"zh": "zh-CN", "en": "en"}
# What readers call each kind of file, by extension
FORMATS = {
    ".docx": "Word (DOCX)",
    ".pdf": "PDF",
    ".xlsx": "Excel (XLSX)",
    ".xls": "Excel (XLS)",
    ".csv": "CSV",
    ".doc": "Word (DOC)",
    ".txt": "Text",
    ".zip": "ZIP",
}


@dataclass(frozen=True)
class Download:
    """A file offered on a circular's page, beside it (`name` is relative to the page)."""

    name: str
    title: str
    size: int
    sha256: str
    kind: str = "attachment"
    """"docx", "pdf" or "attachment"."""


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    return f"{size / 1024:.1f} KB" if size >= 1024 else f"{size} B"


def file_format(name: str) -> str:
    extension = name[name.rfind(".") :].lower() if "." in name else ""
    return FORMATS.get(extension, extension.lstrip(".").upper() or "—")


class CircularPage:
    """The Markdown, the files' HTML and the <head> metadata of circulars' pages."""

    def __init__(
        self, pages: SitePages, site_name: str, site_url: str | None, page_url: Callable[[str], str]
    ):
        self.pages = pages
        self.registry = pages.registry
        self.site_name = site_name
        self.base = site_url.rstrip("/") + "/" if site_url else ""
        self.page_url = page_url

    def url(self, circular: Circular) -> str:
        """Its absolute URL, or "" without a site_url."""
        return self.base + self.page_url(circular.id) if self.base else ""

    def successors(self, circular: Circular) -> list[Circular]:
        """The published circulars that supersede (or repeal) it."""
        return [self.pages.by_id[i] for i in self.pages.superseded_by.get(circular.id, [])]

    def depends_on(self, circular: Circular) -> str:
        """What its page takes from the circulars (itself, and those it supersedes or
        amends, that supersede or amend it, or translate it or it them, if published),
        for `circulars serve` to keep the page of a circular none of them changed."""
        pages = self.pages
        related = {*circular.supersedes, *circular.amends, *pages.translations.get(circular.id, [])}
        related |= {*pages.superseded_by.get(circular.id, []), *pages.amended_by.get(circular.id, [])}
        parts = [circular.model_dump_json()]
        for other in sorted(related):
            published = pages.by_id.get(other)
            parts.append(f"{other}\0{published.model_dump_json() if published else ''}")
        return "\0".join(parts)

    def issuers(self, circular: Circular) -> str:
        return "、".join(self.registry.name(o, circular.language) for o in circular.issuer)

    # --- the Markdown -----------------------------------------------------------

    def markdown(self, circular: Circular, body_markdown: str) -> str:
        path = circular_page_path(circular.id)
        number = self.pages.number(circular)
        facts = [markdown(self.issuers(circular)), markdown(format_date(circular.date, circular.language))]
        if number:
            facts.insert(0, f"**{markdown(number)}**")
        other_languages = [
            f"[{LABELS[language]['language_name']}]({link(path, circular_page_path(t))})"
            f"{{ hreflang={LANGUAGE_TAGS[language]} lang={LANGUAGE_TAGS[language]} .other-language }}"
            for t in self.pages.translations.get(circular.id, [])
            for language in [self.pages.by_id[t].language]
        ]
        header = [
            '<div class="circular-meta" markdown="1">',
            "",
            f"{self.status_badge(circular)} " + " · ".join(facts + other_languages),
            "",
            f'<span class="download-buttons">{DOWNLOAD_BUTTONS}</span>',
            "",
            "</div>",
            "",
        ]
        body = [
            f'<div class="circular" lang="{LANGUAGE_TAGS[circular.language]}" markdown="1">',
            "",
            body_markdown.strip(),
            "",
            "</div>",
            "",
        ]
        summary = " · ".join(
            x for x in (number, self.issuers(circular), format_date(circular.date, circular.language)) if x
        )
        return (
            front_matter(
                title=to_plain(circular.title), tags=[to_plain(t) for t in circular.tags], description=summary
            )
            + "\n".join(header)
            + self._print_line(circular)
            + self._status_notice(path, circular)
            + "\n".join(body)
            + self._information(path, circular)
        )

    def status_badge(self, circular: Circular) -> str:
        status = circular.status
        label = LABELS[circular.language][status]
        return f'<span class="status status-{escaping.html(status)}">{escaping.html(label)}</span>'

    def _status_notice(self, path: str, circular: Circular) -> str:
        labels = LABELS[circular.language]
        links = "; ".join(self.pages.circular_link(path, s.id) for s in self.successors(circular))
        if circular.status == "superseded":
            kind, text = (
                "warning",
                f"{labels['notice_superseded']} {links}" if links else labels["superseded"],
            )
        elif circular.status == "repealed":
            kind = "danger"
            text = f"{labels['notice_repealed_by']} {links}" if links else labels["notice_repealed"]
        else:
            return ""
        return f'!!! {kind} status-notice "{labels[circular.status]}"\n    {text}\n\n'

    def _print_line(self, circular: Circular) -> str:
        """Shown only in print: the status, number, URL and (filled by a script) print date."""
        labels = LABELS[circular.language]
        parts = [labels[circular.status], self.pages.number(circular)]
        url = self.url(circular)
        return (
            '<p class="print-info">'
            + " · ".join(escaping.html(p) for p in parts if p)
            + f' · <span class="print-url">{escaping.html(url)}</span>'
            + f' · {escaping.html(labels["printed"])} <span class="print-date"></span></p>\n\n'
        )

    def _information(self, path: str, circular: Circular) -> str:
        labels = LABELS[circular.language]
        lang = circular.language
        number = self.pages.number(circular)
        rows = []
        if number:
            rows.append((labels["number"], markdown(number)))
        rows += [
            (labels["issuer"], markdown(self.issuers(circular))),
            (labels["issued_on"], markdown(format_date(circular.date, lang))),
            (labels["status"], self.status_badge(circular)),
            (labels["in_force"], markdown(format_date(in_force_from(circular), lang))),
        ]
        ended = not_in_force_since(circular, self.successors(circular))
        if ended:
            rows.append((labels["not_in_force"], markdown(format_date(ended, lang))))
        for label, ids in (
            (labels["supersedes"], circular.supersedes),
            (labels["superseded_by"], self.pages.superseded_by.get(circular.id, [])),
            (labels["amends"], circular.amends),
            (labels["amended_by"], self.pages.amended_by.get(circular.id, [])),
            (labels["translations"], self.pages.translations.get(circular.id, [])),
        ):
            shown = [self.pages.circular_link(path, i) for i in ids if i in self.pages.by_id]
            if shown:
                rows.append((label, "; ".join(shown)))
        if circular.changes:
            rows.append((labels["last_changed"], markdown(format_date(last_changed(circular), lang))))
        lines = [
            '<div class="document-info" markdown="1">',
            "",
            f"## {markdown(labels['document_info'])} {{ #document-information }}",
            "",
            *[f"- **{markdown(label)}**: {value}" for label, value in rows],
            "",
            f"### {markdown(labels['files'])} {{ #files }}",
            "",
            f'<div class="file-table">{FILE_TABLE}</div>',
            "",
            f"### {markdown(labels['citation'])} {{ #citation }}",
            "",
            f"{markdown(self.citation(circular))}\n{{ .citation }}",
            "",
            f"### {markdown(labels['change_history'])} {{ #change-history }}",
            "",
            f"- {markdown(circular.date.isoformat())}: {markdown(labels['first_edition'])}",
            *[
                f"- {change.date.isoformat()}: {markdown(to_plain(change.note))}"
                for change in circular.changes
            ],
            "",
            f"### {markdown(labels['subscribe'])} {{ #subscribe }}",
            "",
            *[
                f"- [{markdown(title)}]({link(path, feed)}){{ .feed-link }}"
                for title, feed in self.feeds(circular)
            ],
            "",
            "</div>",
            "",
        ]
        return "\n".join(lines)

    def citation(self, circular: Circular) -> str:
        """How to cite it: issuer, title, number, date and URL, as each language writes it."""
        title = to_plain(circular.title)
        number = self.pages.number(circular)
        when = format_date(circular.date, circular.language)
        url = self.url(circular)
        if circular.language == "zh":
            text = (
                f"{self.issuers(circular)}：《{title}》" + (f"（{number}）" if number else "") + f"，{when}。"
            )
            return text + url
        text = f'{self.issuers(circular)}, "{title}"' + (f", {number}" if number else "") + f", {when}."
        return f"{text} {url}" if url else text

    def feeds(self, circular: Circular) -> list[tuple[str, str]]:
        """(title, path) of the feeds its page offers: its issuers' and its tags'."""
        labels = LABELS[circular.language]
        feeds = [
            (labels["feed_issuer"].format(name=self.registry.name(o, circular.language)), issuer_feed(o))
            for o in circular.issuer
            if o in self.registry.organizations
        ]
        feeds += [(labels["feed_tag"].format(tag=to_plain(t)), tag_feed(t)) for t in circular.tags]
        return feeds

    # --- filled in once the files are written ------------------------------------

    def fill(self, html_page: str, circular: Circular, downloads: list[Download]) -> str:
        labels = LABELS[circular.language]
        buttons = []
        for d in downloads:
            if d.kind in ("docx", "pdf"):
                label = labels["download"] if d.kind == "docx" else labels["download_pdf"]
                primary = " md-button--primary" if d.kind == "docx" else ""
                buttons.append(
                    f'<a class="md-button{primary} download download-{d.kind}" '
                    f'href="{escaping.html(escaping.url_path(d.name))}" download>{escaping.html(label)}</a> '
                    f'<span class="download-facts">{d.kind.upper()} · {human_size(d.size)}</span>'
                )
        rows = "".join(
            "<tr>"
            f'<td><a href="{escaping.html(escaping.url_path(d.name))}">{escaping.html(d.title)}</a></td>'
            f"<td>{escaping.html(file_format(d.name))}</td>"
            f"<td>{human_size(d.size)}</td>"
            f'<td><code class="sha256">{escaping.html(d.sha256)}</code></td>'
            "</tr>"
            for d in downloads
        )
        table = (
            "<table><thead><tr>"
            + "".join(f"<th>{escaping.html(labels[k])}</th>" for k in ("file", "format", "size", "sha"))
            + f"</tr></thead><tbody>{rows}</tbody></table>"
        )
        return html_page.replace(DOWNLOAD_BUTTONS, " ".join(buttons), 1).replace(FILE_TABLE, table, 1)

    # --- <head> ------------------------------------------------------------------

    def head(self, circular: Circular) -> str:
        """Open Graph and Dublin Core metadata."""
        number = self.pages.number(circular)
        url = self.url(circular)
        language = LANGUAGE_TAGS[circular.language]
        issued = circular.date.isoformat()
        changed = last_changed(circular).isoformat()
        description = " · ".join(x for x in (number, self.issuers(circular), issued) if x)
        meta = [
            ("property", "og:type", "article"),
            ("property", "og:title", to_plain(circular.title)),
            ("property", "og:description", description),
            ("property", "og:site_name", self.site_name),
            ("property", "og:locale", language.replace("-", "_")),
            ("property", "article:published_time", issued),
            ("property", "article:modified_time", changed),
            *[("property", "article:tag", to_plain(t)) for t in circular.tags],
            ("name", "DC.title", to_plain(circular.title)),
            *[("name", "DC.creator", self.registry.name(o, circular.language)) for o in circular.issuer],
            ("name", "DC.date", issued),
            ("name", "DCTERMS.issued", issued),
            ("name", "DCTERMS.modified", changed),
            ("name", "DC.language", language),
            ("name", "DC.type", "Text"),
            ("name", "DC.format", "text/html"),
            *[("name", "DC.subject", to_plain(t)) for t in circular.tags],
        ]
        if number:
            meta.append(("name", "DC.identifier", number))
        if url:
            meta += [("property", "og:url", url), ("name", "DC.identifier", url)]
        for successor in self.successors(circular):
            meta.append(("name", "DCTERMS.isReplacedBy", self.url(successor) or successor.id))
        for replaced in circular.supersedes:
            if replaced in self.pages.by_id:
                meta.append(("name", "DCTERMS.replaces", self.url(self.pages.by_id[replaced]) or replaced))
        return (
            '<link rel="schema.DC" href="http://purl.org/dc/elements/1.1/">\n'
            '<link rel="schema.DCTERMS" href="http://purl.org/dc/terms/">\n'
            + "".join(
                f'<meta {attribute}="{escaping.html(key)}" content="{escaping.html(value)}">\n'
                for attribute, key, value in meta
            )
        )
