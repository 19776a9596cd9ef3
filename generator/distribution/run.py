"""`circulars distribute`: a numbered, addressed copy of a circular for each recipient.

The circular's main and CC recipients are resolved through the union tree
(selectors expand to the organizations they stand for). Each recipient gets a
folder with its own .docx (copy number and addressee printed on it), the
circular's attachments, its return form if it answers for any requirement
(bundled_forms.py) and, where LibreOffice is installed, a PDF. A manifest
(CSV and JSON) and SHA256SUMS describe every file; the register records every
copy, and `--send` emails each recipient its copy.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from ..docx.build import write_atomically
from ..docx.preview import PreviewError, soffice, to_pdf
from ..i18n import _
from ..render.environment import environment
from ..render.numbering import format_date
from ..render.renderer import RenderError, render_template
from ..source.document_numbers import document_number
from ..source.inline_markup import to_plain
from ..source.model import Circular
from ..source.project import Project
from . import DIST_DIR
from .bundled_forms import BundledForms
from .closing import settled_maker
from .copies import copy_number_text
from .copy_files import CopyTask, write_copies
from .edition import DistributionError, Edition, correction, edition_redline, move_superseded, replaced_copies
from .mailer import DeliveryFailed, DeliveryUnconfirmed, Mailer, MailError, SmtpSettings, build_message
from .recipients import Recipient, resolve_recipients
from .register import ACKNOWLEDGED, FAILED, PREPARED, SENDING, SENT, FileRecord, Register

COVER_NOTE = "cover-note.txt.j2"
MIME = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


# What a spreadsheet takes for the start of a formula (or of a command, `=cmd|...`)
# when it opens a CSV file.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(value):
    """A manifest field as a spreadsheet must show it: text that would start a formula
    gets a leading apostrophe (the usual guard against CSV injection), which keeps
    it readable; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


@dataclass
class PreparedCopy:
    copy_number: int
    recipient: Recipient
    folder: str
    files: list[FileRecord]
    status: str


@dataclass
class Summary:
    circular: Circular
    edition: str
    edition_number: int
    new_edition: bool
    out_dir: Path
    copies: list[PreparedCopy]
    new_copies: int
    pdfs: bool
    notes: list[str] = field(default_factory=list)
    forms: int = 0  # copies with a return form in their folder
    superseded: list[tuple[int, str]] = field(default_factory=list)  # (edition number, folder) moved aside


@dataclass
class SendReport:
    sent: list[PreparedCopy] = field(default_factory=list)
    failed: list[tuple[PreparedCopy, str]] = field(default_factory=list)
    # left unconfirmed by an earlier run (not sent again without --resend-unconfirmed)
    unconfirmed: list[PreparedCopy] = field(default_factory=list)
    # handed over in this run, but the server's reply never came: it may have arrived
    uncertain: list[tuple[PreparedCopy, str]] = field(default_factory=list)
    already: int = 0
    stopped: str | None = None  # why sending stopped before the end (server unreachable, login refused)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Distribution:
    """Copies of one issued circular, in out_dir, recorded in the register."""

    with_redline = False  # `distribute --with-redline`: a corrected edition's redline beside each copy
    jobs: int | None = None  # `distribute -j`: processes that write the copies (None: one per core)

    def __init__(self, project: Project, circular_id: str, out_dir: Path, register: Register | None):
        edition = Edition.load(project, circular_id)
        self.project = project
        self.source = edition.source
        self.circular = edition.source.circular
        self.out_dir = out_dir
        self.register = register
        self.recipients = resolve_recipients(project, self.circular)
        self.attachments = edition.attachments
        self.maker = edition.maker
        self.forms = BundledForms(
            project, self.circular, self.maker.edition, register.path if register is not None else None
        )

    def name_of(self, recipient: Recipient) -> str:
        return recipient.org.name.best(self.circular.language)

    def folder_of(self, copy_number: int, recipient: Recipient) -> str:
        return f"{copy_number_text(copy_number)}-{recipient.org.id}"

    def document_name(self, copy_number: int, suffix: str) -> str:
        return f"{self.circular.id}-{copy_number_text(copy_number)}{suffix}"

    # --- without writing anything -----------------------------------------------

    def dry_run(self) -> list[tuple[Recipient, int | None]]:
        """Who would receive what: the copy number each has (None: a new one)."""
        numbers = {}
        if self.register is not None:
            numbers = {
                c.recipient_id: c.copy_number
                for c in self.register.copies(self.circular.id, self.maker.edition)
            }
        return [(r, numbers.get(r.org.id)) for r in self.recipients]

    @cached_property
    def attachment_records(self) -> list[tuple[str, bytes, str]]:
        """Each attachment's name, bytes and SHA-256: the same in every copy, hashed once."""
        return [(name, content, _sha256(content)) for name, content in self.attachments]

    @cached_property
    def replaced(self) -> dict[str, tuple[int, str]]:
        """Earlier editions' copies that were sent, by recipient: read once (they do not change)."""
        return replaced_copies(self.register, self.circular.id, self.maker.edition)

    def planned_files(self, recipient: Recipient, copy_number: int, pdf: bool) -> list[str]:
        names = [self.document_name(copy_number, ".docx")]
        if pdf:
            names.append(self.document_name(copy_number, ".pdf"))
        form = self.forms.name(recipient.org.id)
        return names + ([form] if form else []) + [f"attachments/{name}" for name, _ in self.attachments]

    # --- making the copies -----------------------------------------------------

    def prepare(self, pdf: bool | None = None, progress: Callable[[int], None] | None = None) -> Summary:
        """Allocate copy numbers, write every copy's files, record them, write the manifest."""
        register = self.register
        edition_number, new_edition = register.allocate(
            self.circular.id, self.maker.edition, [(r.org.id, r.role) for r in self.recipients]
        )
        redline, notes = edition_redline(self.project, self.source, edition_number, self.with_redline)
        copies = {c.recipient_id: c for c in register.copies(self.circular.id, self.maker.edition)}
        before = {c.recipient_id for c in copies.values() if c.status != "allocated"}
        want_pdf = bool(soffice()) if pdf is None else pdf
        if want_pdf:  # LibreOffice lays the copies out: their 版记 page is settled first
            notes += self._settle_closing_page(copies)
        tasks = [
            CopyTask(number, recipient, self.out_dir / self.folder_of(number, recipient))
            for recipient in self.recipients
            for number in [copies[recipient.org.id].copy_number]
        ]
        written = write_copies(self, redline, tasks, self.jobs, progress)
        prepared = [
            PreparedCopy(
                task.copy_number,
                task.recipient,
                task.folder.name,
                files,
                copies[task.recipient.org.id].status,
            )
            for task, files in zip(tasks, written, strict=True)
        ]
        superseded = move_superseded(register, self.circular.id, self.maker.edition, self.out_dir)
        notes += self.forms.unsent({r.org.id for r in self.recipients})
        if want_pdf:
            notes += self._pdfs(prepared)
        register.prepared_many(self.circular.id, [(copy.copy_number, copy.files) for copy in prepared])
        statuses = {c.copy_number: c.status for c in register.copies(self.circular.id, self.maker.edition)}
        for copy in prepared:
            copy.status = statuses[copy.copy_number]
        self._manifest(prepared, edition_number, superseded)
        new_copies = sum(1 for r in self.recipients if r.org.id not in before)
        return Summary(
            self.circular,
            self.maker.edition,
            edition_number,
            new_edition,
            self.out_dir,
            prepared,
            new_copies,
            want_pdf,
            notes,
            sum(1 for r in self.recipients if self.forms.name(r.org.id)),
            superseded,
        )

    def _settle_closing_page(self, copies: dict) -> list[str]:
        """Stamp the copies from a template whose 版记 page is settled (closing.py)."""
        if not self.recipients:
            return []
        longest = max(self.recipients, key=lambda r: len(self.name_of(r)))
        sample = (copies[longest.org.id].copy_number, longest.org.id, self.name_of(longest))
        try:
            self.maker, _how = settled_maker(self.maker, sample, self.project.root)
        except PreviewError as error:
            return [_("the 版记 page of the copies is not settled: {error}").format(error=error)]
        return []

    def _pdfs(self, prepared: list[PreparedCopy]) -> list[str]:
        """A PDF beside each copy; one already made from the same Word document is kept
        (LibreOffice stamps the time into PDFs, so a new one would differ)."""
        todo = []
        for copy in prepared:
            pdf_name = self.document_name(copy.copy_number, ".pdf")
            path = self.out_dir / copy.folder / pdf_name
            known = {f.path: f for f in self.register.files(self.circular.id, copy.copy_number)}
            document = copy.files[0]  # not the same when its 版记 page is settled now and was not then
            same = known.get(document.path) == document and pdf_name in known and path.exists()
            if same and _sha256(path.read_bytes()) == known[pdf_name].sha256:
                copy.files.insert(1, known[pdf_name])
            else:
                todo.append(copy)
        if not todo:
            return []
        with tempfile.TemporaryDirectory(prefix="circulars-pdf-") as scratch:
            sources = [self.out_dir / c.folder / self.document_name(c.copy_number, ".docx") for c in todo]
            try:
                pdfs = to_pdf(sources, Path(scratch), self.project.root)
            except PreviewError as error:
                return [f"no PDFs: {error}"]
            for copy, pdf in zip(todo, pdfs, strict=True):
                data = pdf.read_bytes()
                write_atomically(self.out_dir / copy.folder / pdf.name, data)
                copy.files.insert(1, FileRecord(pdf.name, len(data), _sha256(data)))
        return []

    def _manifest(
        self, prepared: list[PreparedCopy], edition_number: int, superseded: list[tuple[int, str]]
    ) -> None:
        circular = self.circular
        number = document_number(circular, self.project.registry)
        rows = []
        for copy in prepared:
            for f in copy.files:
                rows.append(
                    {
                        "copy_number": copy_number_text(copy.copy_number),
                        "edition": edition_number,
                        "recipient_id": copy.recipient.org.id,
                        "recipient_name": self.name_of(copy.recipient),
                        "role": copy.recipient.role,
                        "email": copy.recipient.org.email or "",
                        "file": f"{copy.folder}/{f.path}",
                        "size": f.size,
                        "sha256": f.sha256,
                    }
                )
        text = io.StringIO()
        writer = csv.DictWriter(
            text, fieldnames=list(rows[0]) if rows else ["copy_number"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows([{k: _csv_text(v) for k, v in row.items()} for row in rows])
        # with a BOM: Excel reads a CSV without one in the system's code page (GBK on a Chinese Windows)
        write_atomically(self.out_dir / "manifest.csv", text.getvalue().encode("utf-8-sig"))
        manifest = {
            "circular": circular.id,
            "number": number or None,
            "title": to_plain(circular.title),
            "date": circular.date.isoformat(),
            "edition": self.maker.edition,
            "edition_number": edition_number,
            "copies": [
                {
                    "copy_number": copy_number_text(copy.copy_number),
                    "recipient_id": copy.recipient.org.id,
                    "recipient_name": self.name_of(copy.recipient),
                    "role": copy.recipient.role,
                    "email": copy.recipient.org.email,
                    "folder": copy.folder,
                    "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in copy.files],
                    "return_form": self.forms.name(copy.recipient.org.id),
                    "return_by": self._return_by(copy.recipient),
                }
                for copy in prepared
            ],
            # earlier editions' folders, moved aside: which edition each holds
            "superseded": [{"edition_number": n, "folder": folder} for n, folder in superseded],
        }
        write_atomically(
            self.out_dir / "manifest.json",
            (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        )
        sums = "".join(f"{row['sha256']}  {row['file']}\n" for row in rows)
        write_atomically(self.out_dir / "SHA256SUMS", sums.encode("utf-8"))

    # --- sending -------------------------------------------------------------------

    def send(
        self,
        summary: Summary,
        settings: SmtpSettings,
        resend_unconfirmed: bool = False,
        progress: Callable[[PreparedCopy, int, int], None] | None = None,
        mailer: Mailer | None = None,
    ) -> SendReport:
        """Email each recipient its copy, except those already sent, at most once each.

        Only one run at a time sends copies of a circular (RegisterBusy for the
        others); each copy is claimed in the register before it goes. Every
        cover note is rendered before the first copy goes, so a broken template
        sends nothing. A copy whose outcome is unknown stays `sending` and is
        reported; it is sent again only with `resend_unconfirmed`. `progress` is
        told of each copy tried (its status says how it went), its place and the total."""
        report = SendReport()
        circular_id = self.circular.id
        with self.register.sending_lock(circular_id):
            # what the register says now, not when the copies were prepared
            current = {c.copy_number: c.status for c in self.register.copies(circular_id, self.maker.edition)}
            allowed = (PREPARED, FAILED) + ((SENDING,) if resend_unconfirmed else ())
            pending = []
            for copy in summary.copies:
                copy.status = current.get(copy.copy_number, copy.status)
                if copy.status in (SENT, ACKNOWLEDGED):
                    report.already += 1
                elif copy.status == SENDING and not resend_unconfirmed:
                    report.unconfirmed.append(copy)
                elif copy.status in allowed:
                    pending.append(copy)
            without = [c for c in pending if not c.recipient.org.email]
            if without:
                names = "; ".join(f"{self.name_of(c.recipient)} ({c.recipient.org.id})" for c in without)
                raise DistributionError(
                    _(
                        "{circular_id}: no contact address in the registry for: {names}. Add an email to "
                        "each in circulars/organizations.yaml; nothing was sent."
                    ).format(circular_id=circular_id, names=names)
                )
            notes = {copy.copy_number: self._cover_note(copy) for copy in pending}
            mailer = mailer or Mailer(settings)
            with mailer:
                for place, copy in enumerate(pending, 1):
                    self._send_one(copy, notes[copy.copy_number], settings, mailer, allowed, report)
                    if progress and not report.stopped:
                        progress(copy, place, len(pending))
                    if report.stopped:
                        break
        return report

    def _send_one(
        self,
        copy: PreparedCopy,
        note: str,
        settings: SmtpSettings,
        mailer: Mailer,
        allowed: tuple[str, ...],
        report: SendReport,
    ) -> None:
        circular_id, number = self.circular.id, copy.copy_number
        try:
            message = self._message(copy, settings, note)
        except DeliveryFailed as error:  # an address no mail server takes: this one is skipped
            self.register.set_status(circular_id, number, FAILED, error=str(error))
            copy.status = FAILED
            report.failed.append((copy, str(error)))
            return
        previous = self.register.claim(
            circular_id, number, allowed, channel=f"email:{copy.recipient.org.email}"
        )
        if previous is None:  # its status changed since it was read: not ours to send
            report.already += 1
            return
        try:
            mailer.send(message)
        except DeliveryUnconfirmed as error:
            # stays "sending": never sent again without --resend-unconfirmed
            self.register.set_status(circular_id, number, SENDING, error=str(error))
            copy.status = SENDING
            report.uncertain.append((copy, str(error)))
        except DeliveryFailed as error:
            self.register.set_status(circular_id, number, FAILED, error=str(error))
            copy.status = FAILED
            report.failed.append((copy, str(error)))
        except MailError as error:
            # before the message was handed over (no connection, login refused)
            self.register.set_status(circular_id, number, previous)
            report.stopped = str(error)
        except BaseException:
            if getattr(mailer, "in_doubt", True):
                self.register.set_status(
                    circular_id, number, SENDING, error="interrupted after the message was handed over"
                )
            else:  # nothing was handed over for this copy: it goes back to where it was
                self.register.set_status(circular_id, number, previous)
            raise
        else:
            self.register.set_status(circular_id, number, SENT)
            copy.status = SENT
            report.sent.append(copy)

    def _cover_note(self, copy: PreparedCopy) -> str:
        """The body of a copy's email, from templates/cover-note.txt.j2."""
        circular = self.circular
        lang = circular.language
        try:
            return render_template(
                environment(self.project.root),
                COVER_NOTE,
                dict(
                    lang=lang,
                    recipient=self.name_of(copy.recipient),
                    issuer="、".join(self.project.registry.name(o, lang) for o in circular.issuer),
                    number=document_number(circular, self.project.registry),
                    title=to_plain(circular.title),
                    date=format_date(circular.date, lang),
                    copy_number=copy_number_text(copy.copy_number),
                    role=copy.recipient.role,
                    files=copy.files,
                    **correction(
                        self.replaced.get(copy.recipient.org.id),
                        circular,
                        self.register.edition_number(circular.id, self.maker.edition),
                    ),
                    **self.forms.cover_note(copy.recipient.org.id),
                ),
                self.project.root,
            )
        except RenderError as error:
            raise DistributionError(_("{error}; nothing was sent").format(error=error)) from None

    def _return_by(self, recipient: Recipient) -> str | None:
        due = self.forms.due(recipient.org.id)
        return due.isoformat() if due else None

    def _message(self, copy: PreparedCopy, settings: SmtpSettings, note: str | None = None):
        circular = self.circular
        number = document_number(circular, self.project.registry)
        subject = f"{number} {to_plain(circular.title)}".strip()
        if copy.recipient.org.id in self.replaced:  # recognisable in the inbox before it is opened
            subject = ("更正：" if circular.language == "zh" else "Correction: ") + subject
        body = self._cover_note(copy) if note is None else note
        folder = self.out_dir / copy.folder
        attachments = [
            (
                Path(f.path).name,
                (folder / f.path).read_bytes(),
                MIME.get(Path(f.path).suffix, "application/octet-stream"),
            )
            for f in copy.files
        ]
        # the same copy always has the same Message-ID, in every run
        key = f"{circular.id}.{self.maker.edition[:12]}.{copy_number_text(copy.copy_number)}"
        contact = circular.contact.email if circular.contact else None
        return build_message(
            settings,
            self.name_of(copy.recipient),
            copy.recipient.org.email,
            subject,
            body,
            attachments,
            key,
            reply_to=contact,
        )


def default_out_dir(project: Project, circular_id: str) -> Path:
    return project.root / DIST_DIR / circular_id
