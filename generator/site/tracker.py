"""The tracker: every requirement of the issued circulars, with each responsible organization's
latest return, as pages of rows (listing.py) and as tracker.json for tables.js.

Each row links to the requirement's own anchor on the circular's page
(#requirement-N, set by templates/_blocks.md.j2). Whether a row is overdue is
written as of the build date and carries its deadline (data-due), so that the
reader's browser decides it again against its own today.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from ..source.diagnostics import Diagnostics
from ..source.model import Circular
from ..source.returns import STATUS_LABELS, STATUSES, percent
from . import escaping
from .escaping import front_matter
from .listing import Column, Filter, Listing, Urls, cell, org_table, tree_options
from .pages import NOT_SEARCHED, SitePages, circular_page_path
from .tracked import Answer, Tracked, completion, tracked_requirements

TRACKER = "tracker/index.md"
TRACKER_DATA = "tracker/requirements.json"
# more answers than this in one cell fold under a summary (a requirement for 31 unions)
OPEN_ANSWERS = 3
NOT_REPORTED = "none"  # the status filter's value for an item nobody reported on


class Tracker:
    """The requirements of one build of the site, who owes what, and the tracker's pages."""

    def __init__(self, pages: SitePages, urls: Urls):
        self.pages = pages
        self.urls = urls
        self.registry = pages.registry
        self.labels = pages.labels
        self.today = pages.today
        self.status_labels = STATUS_LABELS["zh" if pages.language == "zh" else "en"]
        self.problems = Diagnostics()  # unreadable records, answers matching nothing: the plugin reports them
        self.tracked, self.unmapped = tracked_requirements(
            pages.project, pages.circulars, pages.language, self.problems
        )
        # what each organization is asked, and how far along each circular is
        self.asked: dict[str, list[tuple[Tracked, Answer]]] = defaultdict(list)
        by_circular: dict[str, list[Answer]] = defaultdict(list)
        for t in self.tracked:
            by_circular[t.original.id] += t.answers
            for answer in t.answers:
                self.asked[answer.org].append((t, answer))
        self.circular_rates = {cid: completion(answers) for cid, answers in by_circular.items()}

    # --- pieces ------------------------------------------------------------------

    def requirement_label(self, t: Tracked) -> str:
        key = t.requirement.key or self.pages.plain(t.requirement.text)[:40]
        return f"{t.number}. {self.pages.plain(key)}"

    def circular_label(self, t: Tracked) -> str:
        return self.circular_label_of(t.circular)

    def circular_label_of(self, circular: Circular) -> str:
        return self.pages.number(circular) or self.pages.plain(circular.title)

    def responsible_label(self, t: Tracked) -> str:
        """The responsible organizations as the circular names them, in the page's language."""
        entries = list(t.requirement.responsible) + [r for g in t.requirement.targets for r in g.responsible]
        names = dict.fromkeys(self.registry.recipient_label(r, self.pages.language) for r in entries)
        return ("、" if self.pages.language == "zh" else "; ").join(names)

    def target_of(self, t: Tracked, answer: Answer) -> tuple[str, str]:
        """(metric, value) of the target an answer is about, or ("", "")."""
        if answer.target is None or answer.target > len(t.requirement.targets):
            return "", ""
        target = t.requirement.targets[answer.target - 1]
        return self.pages.plain(target.metric), self.pages.plain(target.value)

    def state(self, done: bool, due: date | None, open_text: str) -> str:
        """The state badge: done, or overdue/open as of the build date, re-decided in the browser."""
        html = escaping.html
        if done:
            return f'<span class="state state-done">{html(self.labels["done"])}</span>'
        overdue = due is not None and due < self.today
        attributes = f' data-due="{due.isoformat()}" data-open="{html(open_text)}"' if due else ""
        kind, text = ("overdue", self.labels["overdue"]) if overdue else ("open", open_text)
        return f'<span class="state state-{kind}"{attributes}>{html(text)}</span>'

    def reported(self, answer: Answer) -> str:
        """The badge of an answer's latest status, or 'not reported'."""
        status = answer.latest.status if answer.latest else NOT_REPORTED
        text = self.status_labels[status] if answer.latest else self.labels["not_reported"]
        return f'<span class="return return-{status}">{escaping.html(text)}</span>'

    def reported_value(self, t: Tracked, answer: Answer) -> str:
        """The value an answer reports, as text. Excel keeps 92% as 0.92: against a target in
        percent, a number from 0 to 1 is shown as the percentage it is."""
        value = answer.latest.value if answer.latest else None
        if value is None:
            return ""
        if isinstance(value, float | int) and "%" in self.target_of(t, answer)[1] and 0 <= value <= 1:
            return f"{value * 100:.4g}%"
        return str(value)

    def value(self, t: Tracked, answer: Answer) -> str:
        """The value reported against the target: 'metric: 85% (target > 90%)'."""
        metric, goal = self.target_of(t, answer)
        value = self.reported_value(t, answer)
        if not metric and not value:
            return ""
        target = self.labels["target"].format(goal=goal) if goal else ""
        text = (f"{metric}: " if metric else "") + (value or "—") + target
        return f'<span class="value">{escaping.html(text)}</span>'

    def answer_item(self, t: Tracked, answer: Answer) -> str:
        html = escaping.html
        when = answer.latest.date.isoformat() if answer.latest and answer.latest.date else ""
        parts = [
            f'<span class="org">{html(self.pages.org_name(answer.org))}</span>',
            self.reported(answer),
            self.value(t, answer),
            f'<span class="date">{when}</span>' if when else "",
            self.state(answer.done, answer.due, "") if answer.due else "",
        ]
        return "<li>" + " ".join(p for p in parts if p) + "</li>"

    def answers_cell(self, t: Tracked) -> str:
        items = "".join(self.answer_item(t, a) for a in t.answers)
        if not items:
            return "—"
        listed = f'<ul class="returns">{items}</ul>'
        if len(t.answers) <= OPEN_ANSWERS:
            return listed
        done, total = completion(t.answers)
        summary = escaping.html(self.labels["done_of"].format(done=done, total=total))
        return f"<details><summary>{summary}</summary>{listed}</details>"

    def not_counted(self) -> str:
        """The answers that match no requirement now, listed where they would have been counted."""
        if not self.unmapped:
            return ""
        html, labels = escaping.html, self.labels
        items = []
        for u in self.unmapped:
            circular = self.pages.project.source(u.circular)
            name = self.circular_label_of(circular.circular) if circular else u.circular
            text = (
                f"{name} {self.pages.org_name(u.organization)}: "
                f"{labels['unmapped_item'].format(label=u.label)} {self.status_labels[u.entry.status]} "
                f"({u.entry.source}, {u.entry.recorded[:10]})"
            )
            items.append(f"<li>{html(text)}</li>")
        summary = html(labels["unmapped"].format(count=len(self.unmapped)))
        return (
            f'<details class="unmapped"><summary>{summary}</summary><ul>{"".join(items)}</ul></details>\n\n'
        )

    def rate(self, done_total: tuple[int, int]) -> str:
        value = percent(*done_total)
        return "" if value is None else escaping.html(self.labels["rate"].format(rate=value))

    # --- the rows ------------------------------------------------------------------

    def columns(self) -> list[Column]:
        labels = self.labels
        return [
            Column("deadline", labels["deadline"], "deadline"),
            Column("requirement", labels["requirement"]),
            Column("circular", labels["circular"], "circular"),
            Column("responsible", labels["responsible"]),
            Column("returns", labels["returns"], "done"),
            Column("state", labels["status"], "due"),
        ]

    def row(self, path: str, t: Tracked) -> str:
        html, labels = escaping.html, self.labels
        page = circular_page_path(t.circular.id)
        deadline = t.deadline.isoformat() if t.deadline else labels["no_deadline"]
        requirement = (
            f'<a href="{html(self.urls.href(path, page, f"requirement-{t.number}"))}">'
            f"{html(self.requirement_label(t))}</a>"
        )
        rate = self.rate(self.circular_rates[t.original.id])
        circular = f'<a href="{html(self.urls.href(path, page))}">{html(self.circular_label(t))}</a>' + (
            f' <span class="rate">{rate}</span>' if rate else ""
        )
        cells = [
            cell(labels["deadline"], html(deadline), "col-deadline"),
            cell(labels["requirement"], requirement, "col-requirement"),
            cell(labels["circular"], circular, "col-circular"),
            cell(labels["responsible"], html(self.responsible_label(t)) or "—", "col-responsible"),
            cell(labels["returns"], self.answers_cell(t), "col-returns"),
            cell(labels["status"], self.state(t.done, t.due, labels["open"]), "col-state"),
        ]
        return "<tr>" + "".join(cells) + "</tr>"

    def data(self) -> str:
        """tracker/requirements.json: every row, compact (see tables.js for the fields)."""
        orgs = org_table(self.pages)
        org_index = {org_id: i for i, (org_id, _, _) in enumerate(orgs)}
        circulars: dict[str, int] = {}
        circular_rows, rows = [], []
        for t in self.tracked:
            if t.original.id not in circulars:
                circulars[t.original.id] = len(circular_rows)
                issuers = [org_index[o] for o in t.original.issuer if o in org_index]
                rate = percent(*self.circular_rates[t.original.id])
                circular_rows.append(
                    [
                        self.urls.of(circular_page_path(t.circular.id)),
                        self.circular_label(t),
                        t.original.year,
                        issuers,
                        rate,
                    ]
                )
            answers = []
            for a in t.answers:
                metric, goal = self.target_of(t, a)
                latest = a.latest
                answers.append(
                    [
                        org_index.get(a.org, -1),
                        metric,
                        goal,
                        latest.status if latest else "",
                        self.reported_value(t, a),
                        latest.date.isoformat() if latest and latest.date else "",
                        a.due.isoformat() if a.due else "",
                    ]
                )
            rows.append(
                [
                    circulars[t.original.id],
                    t.number,
                    self.requirement_label(t),
                    t.deadline.isoformat() if t.deadline else "",
                    self.responsible_label(t),
                    t.due.isoformat() if t.due else "",
                    1 if t.done else 0,
                    answers,
                ]
            )
        return escaping.json_data({"orgs": orgs, "circulars": circular_rows, "rows": rows})

    def script_labels(self) -> dict[str, str]:
        """The words tables.js writes when it draws rows itself."""
        keys = (
            "no_deadline",
            "rate",
            "done",
            "done_of",
            "overdue",
            "open",
            "not_reported",
            "target",
            "shown",
            "none",
        )
        return {k: self.labels[k] for k in keys} | {f"status-{s}": self.status_labels[s] for s in STATUSES}

    def filters(self) -> list[Filter]:
        labels = self.labels
        issuers = {o for t in self.tracked for o in t.original.issuer}
        issuers |= {a.id for o in list(issuers) for a in self.registry.ancestors(o)}
        years = sorted({t.original.year for t in self.tracked}, reverse=True)
        statuses = [(NOT_REPORTED, labels["not_reported"], 0)] + [
            (s, self.status_labels[s], 0) for s in STATUSES
        ]
        return [
            Filter(
                "issuer",
                labels["issuer"],
                tree_options(self.pages, issuers),
            ),
            Filter("year", labels["year"], [(str(y), str(y), 0) for y in years]),
            Filter("status", labels["returns"], statuses),
            Filter(
                "responsible",
                labels["responsible"],
                tree_options(self.pages, self.asked),
            ),
        ]

    # --- the pages -------------------------------------------------------------------

    def tracker(self) -> dict[str, str]:
        labels = self.labels
        listing = Listing(
            kind="tracker",
            columns=self.columns(),
            items=self.tracked,
            row=self.row,
            source=TRACKER_DATA,
            filters=self.filters(),
            checkboxes=[("overdue", labels["overdue_only"])],
            labels=self.script_labels(),
            default_sort="deadline",
        )
        done = completion(a for t in self.tracked for a in t.answers)
        as_of = labels["overdue_as_of"].format(date=self.today.isoformat())

        def head(path: str, n: int, count: int) -> str:
            title = labels["tracker"] if n == 1 else f"{labels['tracker']} ({n}/{count})"
            rate = self.rate(done)
            return (
                # the table is wide: without Material's two sidebars it has the page's width
                # (at 1280 px it had 600 px between them)
                front_matter(title=title, hide=["navigation", "toc"], **NOT_SEARCHED)
                + f"# {escaping.markdown(title)}\n\n{escaping.markdown(labels['tracker_scope'])}"
                + "\n\n"
                + (f'<p class="completion">{rate}</p>\n\n' if rate else "")
                + f'<p class="overdue-as-of" data-today="{escaping.html(labels["overdue_today"])}">'
                + f"{escaping.html(as_of)}</p>\n\n"
                + self.not_counted()
            )

        return listing.pages(TRACKER, self.urls, labels, head)
