"""`circulars remind`: who owes what soon, and a reminder by email, at most once a day.

An organization is reminded of the items it answers for that are not done and
whose deadline has passed or falls within the next N days. Each reminder
carries the organization's own form again. What was sent is recorded in the
register (a `reminders` table beside the copies): one reminder per circular,
organization and day, so running the command twice on one day sends nothing
the second time. A reminder whose sending was cut off is not sent again that
day (it may have arrived); one the server refused may be sent again.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass, field

from ...i18n import _
from ...render.environment import environment
from ...render.numbering import format_date
from ...render.renderer import RenderError, render_template
from ...source.document_numbers import document_number
from ...source.inline_markup import to_plain
from ...source.model import Circular
from ...source.project import Project
from ...source.registry_format import Organization
from ...source.returns import STATUS_LABELS, ProgressRow, progress
from ..mailer import DeliveryFailed, DeliveryUnconfirmed, Mailer, SmtpSettings, build_message
from ..register import Register, now
from .forms import FormWriter
from .layout import form_name
from .tokens import FormKey

TEMPLATE = "reminder.txt.j2"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SENDING, SENT, FAILED = "sending", "sent", "failed"

SCHEMA = """
CREATE TABLE IF NOT EXISTS reminders (
    circular_id TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    day TEXT NOT NULL,               -- the day it was sent for (YYYY-MM-DD)
    status TEXT NOT NULL,            -- sending, sent, failed
    address TEXT NOT NULL,
    items TEXT NOT NULL,             -- the items reminded of: 2.1 2.2 4
    form_sha256 TEXT NOT NULL,       -- the form attached
    error TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (circular_id, organization_id, day)
);
"""


class ReminderLog:
    """The reminders table of the register: one row per circular, organization and day."""

    def __init__(self, register: Register):
        self.register = register
        register.db.executescript(SCHEMA)

    def status(self, circular_id: str, org_id: str, day: datetime.date) -> str | None:
        row = self.register.db.execute(
            "SELECT status FROM reminders WHERE circular_id = ? AND organization_id = ? AND day = ?",
            (circular_id, org_id, day.isoformat()),
        ).fetchone()
        return row[0] if row else None

    def claim(
        self, circular_id: str, org_id: str, day: datetime.date, address: str, items: str, sha256: str
    ) -> bool:
        """Mark the day's reminder as being sent, unless it was sent (or is being) already."""
        with self.register.transaction() as db:
            row = db.execute(
                "SELECT status FROM reminders WHERE circular_id = ? AND organization_id = ? AND day = ?",
                (circular_id, org_id, day.isoformat()),
            ).fetchone()
            if row is not None and row[0] != FAILED:
                return False
            db.execute(
                "INSERT OR REPLACE INTO reminders (circular_id, organization_id, day, status, address, items,"
                " form_sha256, error, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                (circular_id, org_id, day.isoformat(), SENDING, address, items, sha256, now()),
            )
        return True

    def finish(
        self, circular_id: str, org_id: str, day: datetime.date, status: str, error: str | None = None
    ) -> None:
        with self.register.transaction() as db:
            db.execute(
                "UPDATE reminders SET status = ?, error = ?, updated_at = ?"
                " WHERE circular_id = ? AND organization_id = ? AND day = ?",
                (status, error, now(), circular_id, org_id, day.isoformat()),
            )

    def release(self, circular_id: str, org_id: str, day: datetime.date) -> None:
        """Forget a claim whose message was never handed over."""
        with self.register.transaction() as db:
            db.execute(
                "DELETE FROM reminders WHERE circular_id = ? AND organization_id = ? AND day = ?"
                " AND status = ?",
                (circular_id, org_id, day.isoformat(), SENDING),
            )

    def history(self, circular_id: str) -> list[tuple[str, str, str, str, str]]:
        """(day, organization, status, address, items) of every reminder, oldest first."""
        return self.register.db.execute(
            "SELECT day, organization_id, status, address, items FROM reminders WHERE circular_id = ?"
            " ORDER BY day, organization_id",
            (circular_id,),
        ).fetchall()


class RemindError(Exception):
    """Reminders cannot be sent (an organization has no address, the template fails, the
    horizon lies past the last date there is); nothing was sent."""


def horizon(today: datetime.date, days: int) -> datetime.date:
    """The last deadline a reminder on `today` covers: `days` after it."""
    try:
        return today + datetime.timedelta(days=days)
    except OverflowError:  # past 9999-12-31, or more days than a timedelta holds
        raise RemindError(
            _(
                "{days} days after {today} is past the last date there is ({max}): is today "
                "(CIRCULARS_TODAY) right?"
            ).format(days=days, today=today.isoformat(), max=datetime.date.max.isoformat())
        ) from None


@dataclass
class Reminder:
    organization: Organization
    rows: list[ProgressRow]
    already: str | None = None  # today's reminder: sent, sending, failed, or None

    @property
    def items(self) -> str:
        return " ".join(r.item.label for r in self.rows)


@dataclass
class RemindReport:
    sent: list[Reminder] = field(default_factory=list)
    failed: list[tuple[Reminder, str]] = field(default_factory=list)
    unconfirmed: list[Reminder] = field(default_factory=list)
    already: list[Reminder] = field(default_factory=list)


class Reminders:
    """The reminders of one circular on one day."""

    def __init__(
        self,
        project: Project,
        circular: Circular,
        days: int,
        today: datetime.date,
        form_key: FormKey | None = None,  # the forms' key (tokens.py); default: the project register's
    ):
        self.project = project
        self.form_key = form_key
        self.circular = circular
        self.today = today
        self.days = days
        last = horizon(today, days)
        self.progress = progress(project, circular, today)
        due: dict[str, list[ProgressRow]] = {}
        for row in self.progress.rows:
            if not row.done and row.item.deadline is not None and row.item.deadline <= last:
                due.setdefault(row.organization, []).append(row)
        organizations = project.registry.organizations
        self.reminders = [Reminder(organizations[org], rows) for org, rows in due.items()]
        self._forms: FormWriter | None = None

    def name_of(self, reminder: Reminder) -> str:
        return reminder.organization.name.best(self.circular.language)

    def look_up(self, log: ReminderLog | None) -> None:
        """Note which reminders went out today already."""
        for reminder in self.reminders:
            reminder.already = (
                log.status(self.circular.id, reminder.organization.id, self.today) if log else None
            )

    def form(self, org_id: str) -> bytes:
        if self._forms is None:
            self._forms = FormWriter(self.project, self.circular, key=self.form_key)
        return self._forms.write(org_id)

    def send(self, settings: SmtpSettings, log: ReminderLog, mailer: Mailer | None = None) -> RemindReport:
        report = RemindReport()
        self.look_up(log)
        pending = []
        for reminder in self.reminders:
            if reminder.already in (SENT, SENDING):
                report.already.append(reminder)
            else:
                pending.append(reminder)
        without = [r for r in pending if not r.organization.email]
        if without:
            names = "; ".join(f"{self.name_of(r)} ({r.organization.id})" for r in without)
            raise RemindError(
                _(
                    "{id}: no contact address in the registry for: {names}. Add an email to each in "
                    "circulars/organizations.yaml; nothing was sent."
                ).format(id=self.circular.id, names=names)
            )
        # every body and form is made before the first reminder goes: a template that
        # fails for one organization sends nothing
        made = {r.organization.id: (self.body(r), self.form(r.organization.id)) for r in pending}
        with mailer or Mailer(settings) as session:
            for reminder in pending:
                body, form = made[reminder.organization.id]
                self._send_one(reminder, body, form, settings, log, session, report)
        return report

    def _send_one(
        self, reminder: Reminder, body: str, form: bytes, settings, log: ReminderLog, session: Mailer, report
    ) -> None:
        org = reminder.organization
        digest = hashlib.sha256(form).hexdigest()
        if not log.claim(self.circular.id, org.id, self.today, org.email, reminder.items, digest):
            report.already.append(reminder)
            return
        try:
            message = self.message(reminder, settings, form, body)
            session.send(message)
        except DeliveryUnconfirmed as error:  # handed over, but no reply came: it may have arrived
            log.finish(self.circular.id, org.id, self.today, SENDING, str(error))
            report.unconfirmed.append(reminder)
        except DeliveryFailed as error:
            log.finish(self.circular.id, org.id, self.today, FAILED, str(error))
            report.failed.append((reminder, str(error)))
        except BaseException:
            # interrupted: a message the server may have taken stays "sending" (not
            # sent again today); one never handed over is forgotten
            if not getattr(session, "in_doubt", True):
                log.release(self.circular.id, org.id, self.today)
            raise
        else:
            log.finish(self.circular.id, org.id, self.today, SENT)
            reminder.already = SENT
            report.sent.append(reminder)

    def subject(self) -> str:
        number = document_number(self.circular, self.project.registry)
        prefix = "催报：" if self.circular.language == "zh" else "Reminder: "
        return f"{prefix}{number} {to_plain(self.circular.title)}".replace("  ", " ").strip()

    def body(self, reminder: Reminder) -> str:
        """The reminder's text, from templates/reminder.txt.j2; RemindError if the template fails."""
        circular, lang = self.circular, self.circular.language
        labels = STATUS_LABELS[lang]
        items = []
        for row in reminder.rows:
            requirement = circular.requirements[row.item.requirement - 1]
            target = requirement.targets[row.item.target - 1] if row.item.target else None
            items.append(
                {
                    "label": row.item.label,
                    "what": to_plain(requirement.key or requirement.text)[:60],
                    "target": f"{to_plain(target.metric)} {to_plain(target.value)}" if target else "",
                    "deadline": format_date(row.item.deadline, lang),
                    "overdue": row.overdue,
                    "status": labels[row.latest.status] if row.latest else "",
                }
            )
        context = dict(
            lang=lang,
            recipient=self.name_of(reminder),
            issuer="、".join(self.project.registry.name(o, lang) for o in circular.issuer),
            number=document_number(circular, self.project.registry),
            title=to_plain(circular.title),
            today=format_date(self.today, lang),
            items=items,
            form=form_name(reminder.organization.id),
        )
        try:
            return render_template(environment(self.project.root), TEMPLATE, context, self.project.root)
        except RenderError as error:
            raise RemindError(_("{error}; nothing was sent").format(error=error)) from None

    def message(self, reminder: Reminder, settings: SmtpSettings, form: bytes, body: str):
        org = reminder.organization
        return build_message(
            settings,
            self.name_of(reminder),
            org.email,
            self.subject(),
            body,
            [(form_name(org.id), form, XLSX)],
            f"remind.{self.circular.id}.{org.id}.{self.today.isoformat()}",
        )
