"""Distribution under attack and mishap: hostile addresses and names, servers that
drop the connection or cannot be reached, concurrent senders, broken registers,
templates and documents. Nothing may be sent twice, nothing lost, no traceback."""

from __future__ import annotations

import asyncio
import email
import io
import socket
import sqlite3
import subprocess
import sys
import threading
import zipfile
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from conftest import REPO, free_port, run, write

from generator.distribution.mailer import SmtpSettings
from generator.distribution.register import SCHEMA, Register
from generator.distribution.run import Distribution, DistributionError, Recipient
from generator.source.loading import load_project

CIRCULAR = "panzhihua-2024-07"
SOURCE = f"circulars/2024/{CIRCULAR}.yaml"
CLI = [sys.executable, "-c", "from generator.cli import main; main()"]  # as the `circulars` command

ORGANIZATIONS = """\
organizations:
  - id: sichuan-ftu
    name: {en: Sichuan Federation of Trade Unions, zh: 四川省总工会}
    kind: provincial-federation
    prefix: {zh: 川工发, en: Sichuan FTU}
    email: office@sichuan-ftu.example.org
  - id: panzhihua-ftu
    name: {en: Panzhihua Federation of Trade Unions, zh: 攀枝花市总工会}
    kind: municipal-federation
    parent: sichuan-ftu
    prefix: {zh: 攀工发, en: Panzhihua FTU}
    email: office@panzhihua-ftu.example.org
  - id: geliping-park
    name: {en: Geliping Park Trade Union Federation, zh: 格里坪特色产业园区工会联合会}
    kind: park-federation
    parent: panzhihua-ftu
    email: park@geliping.example.org
  - id: coking-union
    name: {en: Geliping Coking Co. Trade Union, zh: 格里坪焦化有限公司工会}
    kind: grassroots-union
    parent: geliping-park
    email: union@coking.example.org
  - id: steel-union
    name: {en: Geliping Steel Co. Trade Union, zh: 格里坪钢铁有限公司工会}
    kind: grassroots-union
    parent: geliping-park
    email: union@steel.example.org
  - id: power-union
    name: {en: Geliping Power Co. Trade Union, zh: 格里坪电力有限公司工会}
    kind: grassroots-union
    parent: geliping-park
    email: union@power.example.org
"""

# in copy-number order: the park federation, its three unions, then Sichuan (CC)
ADDRESSES = [
    "park@geliping.example.org",
    "union@coking.example.org",
    "union@steel.example.org",
    "union@power.example.org",
    "office@sichuan-ftu.example.org",
]


@pytest.fixture
def project(project: Path) -> Path:
    """The small test project, with five recipients that all have an address."""
    write(project, "circulars/organizations.yaml", ORGANIZATIONS)
    path = project / SOURCE
    text = path.read_text(encoding="utf-8")
    text = text.replace(
        "to:\n  - geliping-park\n",
        "to:\n  - geliping-park\n  - {children_of: geliping-park, kind: grassroots-union}\ncc:\n  - sichuan-ftu\n",
    )
    path.write_text(text, encoding="utf-8")
    return project


def statuses(project: Path) -> dict[str, str]:
    with sqlite3.connect(project / "register.sqlite3") as db:
        return dict(db.execute("SELECT recipient_id, status FROM copies ORDER BY copy_number"))


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


# --- SMTP servers on 127.0.0.1 that behave, or not ------------------------------------


class Server:
    """Accepts every message, recording it and its envelope. Subclasses misbehave."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []
        self.connections = 0

    def received(self, envelope) -> email.message.EmailMessage:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(message)
        self.envelopes.append(list(envelope.rcpt_tos))
        return message

    def to(self) -> list[str]:
        """The address of every message received, in order."""
        return [m["To"].addresses[0].addr_spec for m in self.messages]

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_DATA(self, server, session, envelope):
        self.received(envelope)
        return "250 OK"


class DropsAfterData(Server):
    """Takes the `nth` message (1-based) and drops the connection before replying."""

    def __init__(self, nth: int):
        super().__init__()
        self.nth = nth

    async def handle_DATA(self, server, session, envelope):
        self.received(envelope)
        if len(self.messages) == self.nth:
            server.transport.close()  # the 250 never reaches the client
        return "250 OK"


class DropsOnce(Server):
    """After the `after`-th message, drops the connection when the next one starts."""

    def __init__(self, after: int):
        super().__init__()
        self.after = after
        self.dropped = False

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if len(self.messages) == self.after and not self.dropped:
            self.dropped = True
            server.transport.close()
            return "421 4.4.2 closing"
        envelope.mail_from = address
        return "250 OK"


class DefersFirstData(Server):
    """Answers 451 to the first DATA of each address, then accepts; records every Message-ID."""

    def __init__(self):
        super().__init__()
        self.deferred: list[str] = []
        self.seen: set[str] = set()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        address = envelope.rcpt_tos[0]
        if address not in self.seen:
            self.seen.add(address)
            self.deferred.append(message["Message-ID"])
            return "451 4.3.0 try again later"
        self.received(envelope)
        return "250 OK"


class HoldsFirstData(Server):
    """Keeps the first message waiting (no reply) until `release` is set."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.holding.is_set():
            self.holding.set()
            await asyncio.to_thread(self.release.wait, 120)
        self.received(envelope)
        return "250 OK"


def _use_port(monkeypatch, port: int) -> None:
    monkeypatch.setenv("CIRCULARS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CIRCULARS_SMTP_PORT", str(port))
    monkeypatch.setenv("CIRCULARS_SMTP_SECURITY", "none")
    monkeypatch.setenv("CIRCULARS_SMTP_FROM", "secretariat@panzhihua-ftu.example.org")
    monkeypatch.setenv("CIRCULARS_SMTP_RETRIES", "2")
    monkeypatch.setenv("CIRCULARS_SMTP_RETRY_DELAY", "0.01")
    monkeypatch.setenv("CIRCULARS_SMTP_TIMEOUT", "30")


@pytest.fixture
def smtp(monkeypatch):
    """smtp(handler) starts a server with that handler and points the settings at it."""
    started = []

    def start(handler: Server) -> Server:
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port)
        controller.start()
        started.append(controller)
        _use_port(monkeypatch, port)
        return handler

    yield start
    for controller in started:
        controller.stop()


def send(project: Path, *more: str):
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--send", *more)
    no_traceback(result)
    return result


# --- 1. addresses and headers -------------------------------------------------------------


@pytest.mark.parametrize(
    "address, reason",
    [
        ("victim@example.org>,<admin", "it is not one plain address"),
        ("用户@例子.example", "it contains non-ASCII characters"),
        ("a@b.example.org, c@d.example.org", "it contains spaces"),
    ],
)
def test_a_bad_address_is_an_error_at_check_with_its_position_and_nothing_is_sent(
    project, smtp, address, reason
):
    server = smtp(Server())
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    organizations.write_text(
        text.replace("email: union@steel.example.org", f'email: "{address}"'), encoding="utf-8"
    )
    line = next(
        n for n, row in enumerate(organizations.read_text(encoding="utf-8").splitlines(), 1) if address in row
    )
    checked = run(project, "check")
    no_traceback(checked)
    assert checked.exit_code == 1
    expected = (
        f"circulars/organizations.yaml:{line}:12: error: '{address}' is not a valid email address: {reason}"
    )
    assert expected in checked.output
    result = send(project)
    assert result.exit_code == 1
    assert expected in result.output
    assert server.messages == [] and server.connections == 0
    assert not (project / "register.sqlite3").exists()


def test_names_and_titles_cannot_add_headers_or_recipients(project, smtp):
    server = smtp(Server())
    organizations = project / "circulars/organizations.yaml"
    text = organizations.read_text(encoding="utf-8")
    organizations.write_text(
        text.replace(
            "zh: 格里坪钢铁有限公司工会}",
            'zh: "格里坪钢铁\\r\\nBcc: spy@evil.example\\r\\n\\r\\n有限公司工会"}',
        ).replace(
            "zh: 格里坪电力有限公司工会}",
            'zh: "=?utf-8?q?x=0D=0ABcc:_spy@evil.example?= 电力, \\"工会\\" <spy@evil.example>"}',
        ),
        encoding="utf-8",
    )
    source = project / SOURCE
    source.write_text(
        source.read_text(encoding="utf-8").replace(
            "title: 关于驻点干部做到“四个要”的通知", 'title: "通知\\nBcc: spy@evil.example"'
        ),
        encoding="utf-8",
    )
    result = send(project)
    assert result.exit_code == 0, result.output
    assert "Sent 5 copies." in result.stdout
    assert server.to() == ADDRESSES
    assert server.envelopes == [[address] for address in ADDRESSES]  # one envelope recipient each
    for message in server.messages:
        assert message["Bcc"] is None and message["Cc"] is None
        assert "\n" not in message["Subject"] and "\n" not in str(message["To"])
    steel, power = server.messages[2], server.messages[3]
    # (Python's parser keeps the folding space between two encoded words of a name: ignore spaces)
    assert (
        steel["To"].addresses[0].display_name.replace(" ", "") == "格里坪钢铁Bcc:spy@evil.example有限公司工会"
    )
    assert power["To"].addresses[0].display_name.startswith("=\u2060?utf-8?q?x=0D=0ABcc:_spy@evil.example?= ")
    assert len(power["To"].addresses) == 1
    assert steel["Subject"].startswith("攀工发〔2024〕7号 通知")
    assert steel["Subject"].endswith("Bcc: spy@evil.example")


def test_a_recipient_whose_address_no_server_takes_is_reported_and_the_others_go(project, smtp):
    """The registry's check stops such an address; a caller that builds copies by
    other means still gets it reported and skipped, never an exception."""
    server = smtp(Server())
    loaded = load_project(project)
    register = Register(project / "register.sqlite3")
    try:
        distribution = Distribution(loaded, CIRCULAR, project / "dist" / CIRCULAR, register)
        summary = distribution.prepare(pdf=False)
        steel = summary.copies[2]
        org = steel.recipient.org.model_copy(update={"email": "用户@例子.example"})
        steel.recipient = Recipient(org, steel.recipient.role)
        report = distribution.send(summary, SmtpSettings.load(project))
    finally:
        register.close()
    assert [c.recipient.org.id for c, _ in report.failed] == ["steel-union"]
    assert report.failed[0][1].startswith("'用户@例子.example' is not a valid email address:")
    assert len(report.sent) == 4
    assert server.to() == [a for a in ADDRESSES if a != "union@steel.example.org"]
    assert statuses(project)["steel-union"] == "failed"


# --- 2. exactly once ----------------------------------------------------------------------


def test_a_copy_whose_reply_was_lost_is_not_sent_again_unless_asked(project, smtp):
    server = smtp(DropsAfterData(nth=2))
    result = send(project)
    assert result.exit_code == 1
    assert (
        f"warning: {CIRCULAR}: copy 000002 to 格里坪焦化有限公司工会 (coking-union) is unconfirmed: "
        "the connection was lost after the message was handed over"
    ) in result.stderr
    assert "Not sent again: check with the recipient, or use --resend-unconfirmed." in result.stderr
    assert "Sent 4 copies." in result.stdout
    assert server.to() == ADDRESSES  # the server got copy 2 once, and the rest after reconnecting
    assert statuses(project)["coking-union"] == "sending"
    first_id = server.messages[1]["Message-ID"]

    again = send(project)
    assert again.exit_code == 1
    assert "copy 000002 to coking-union was being sent when a run stopped" in again.stderr
    assert "Sent 0 copies; 4 already sent before." in again.stdout
    assert len(server.messages) == 5

    asked = send(project, "--resend-unconfirmed")
    assert asked.exit_code == 0, asked.output
    assert server.to()[5:] == ["union@coking.example.org"]
    # the same Message-ID: the recipient's mail system can tell it is one message
    assert server.messages[5]["Message-ID"] == first_id
    assert set(statuses(project).values()) == {"sent"}


def test_the_message_id_of_a_copy_is_the_same_in_every_run(project, smtp, monkeypatch):
    server = smtp(DefersFirstData())
    monkeypatch.setenv("CIRCULARS_SMTP_RETRIES", "1")
    first = send(project)
    monkeypatch.setenv("CIRCULARS_SMTP_RETRIES", "2")
    assert first.exit_code == 1
    assert "deferred by the server: 451 4.3.0 try again later (after 1 attempts)" in first.stderr
    assert server.messages == [] and set(statuses(project).values()) == {"failed"}
    second = send(project)
    assert second.exit_code == 0, second.output
    assert [m["Message-ID"] for m in server.messages] == server.deferred
    assert server.deferred[1].startswith(f"<{CIRCULAR}.") and server.deferred[1].endswith(
        ".000002@circulars.invalid>"
    )
    assert len(set(server.deferred)) == 5


def test_two_senders_at_once_exclude_each_other(project, smtp):
    server = smtp(HoldsFirstData())
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    first = subprocess.Popen(
        [*CLI, "-C", str(project), "distribute", CIRCULAR, "--no-pdf", "--send"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.holding.wait(120), "the first run never reached the server"
        second = send(project)
    finally:
        server.release.set()
        out, err = first.communicate(timeout=120)
    assert second.exit_code == 1
    assert (
        f"error: another run is sending copies of {CIRCULAR} right now (it holds "
        f"{project / 'register.sqlite3-locks' / (CIRCULAR + '.lock')}); nothing was sent by this one"
    ) in second.stderr
    assert first.returncode == 0, err
    assert "Sent 5 copies." in out
    assert server.to() == ADDRESSES  # each exactly once
    assert set(statuses(project).values()) == {"sent"}


# --- 3. dropped connections, unreachable servers ----------------------------------------


def test_the_mailer_reconnects_after_the_server_drops_the_connection(project, smtp):
    server = smtp(DropsOnce(after=2))
    result = send(project)
    assert result.exit_code == 0, result.output
    assert "Sent 5 copies." in result.stdout
    assert server.dropped
    assert server.to() == ADDRESSES  # every copy, each once
    assert server.connections == 2
    assert set(statuses(project).values()) == {"sent"}


def test_an_unreachable_server_stops_the_run_after_a_few_attempts(project, monkeypatch):
    closed_port = free_port()  # nothing listens there: connection refused
    _use_port(monkeypatch, closed_port)
    result = send(project)
    assert result.exit_code == 1
    stopped = result.stderr.splitlines()[-1]
    assert stopped.startswith(f"error: cannot connect to the SMTP server 127.0.0.1:{closed_port}: ")
    assert stopped.endswith(
        "Connection refused; the server is unreachable (3 attempts in a row failed), so sending stopped"
    )
    assert "Sent 0 copies." in result.stdout
    assert "sent" not in statuses(project).values()
    assert "sending" not in statuses(project).values()


def test_a_server_that_hangs_up_at_once_is_tried_three_times_in_all(project, monkeypatch):
    attempts = []
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()

    def hang_up():
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            attempts.append(1)
            connection.close()

    thread = threading.Thread(target=hang_up, daemon=True)
    thread.start()
    _use_port(monkeypatch, listener.getsockname()[1])
    try:
        result = send(project)
    finally:
        listener.close()
    assert result.exit_code == 1
    assert "the server is unreachable (3 attempts in a row failed), so sending stopped" in result.stderr
    assert len(attempts) == 3  # not 2 attempts for each of the 5 copies
    assert "sent" not in statuses(project).values()


# --- 4. an acknowledged copy is never sent again ----------------------------------------


def test_an_acknowledged_copy_is_never_emailed(project, smtp):
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    # handed over in person before any email went out
    assert run(project, "distribution", "ack", CIRCULAR, "steel-union").exit_code == 0
    server = smtp(Server())
    result = send(project)
    assert result.exit_code == 0, result.output
    assert "Sent 4 copies; 1 already sent before." in result.stdout
    assert "union@steel.example.org" not in server.to()
    assert len(server.messages) == 4
    assert statuses(project)["steel-union"] == "acknowledged"
    # acknowledged after being sent: later runs, even --resend-unconfirmed, leave it be
    assert run(project, "distribution", "ack", CIRCULAR, "coking-union").exit_code == 0
    assert send(project, "--resend-unconfirmed").exit_code == 0
    assert len(server.messages) == 4


# --- 5. messages instead of tracebacks --------------------------------------------------


def test_a_register_that_is_another_database_is_refused_by_name(project):
    other = project / "other.sqlite3"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    before = other.read_bytes()
    for args in (
        ["distribute", CIRCULAR, "--no-pdf"],
        ["distribution", "status", CIRCULAR],
        ["distribution", "ack", CIRCULAR, "coking-union"],
    ):
        result = run(project, *args, "--register", str(other))
        no_traceback(result)
        assert result.exit_code == 1
        assert (
            f"error: {other} is not a circulars register: it holds the tables invoices, "
            "not editions, copies, files, events; give another file with --register"
        ) in result.stderr
    assert other.read_bytes() == before  # nothing was added to it
    assert not (project / "dist").exists()


def test_a_register_with_other_columns_or_not_sqlite_is_refused_by_name(project):
    older = project / "older.sqlite3"
    with sqlite3.connect(older) as db:  # a register of another version: copies lacks columns
        db.executescript(SCHEMA)
        db.execute("DROP TABLE copies")
        db.execute("CREATE TABLE copies (circular_id TEXT, recipient_id TEXT, copy_number INTEGER)")
    result = run(project, "distribute", CIRCULAR, "--no-pdf", "--register", str(older))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"error: {older}: the register's table 'copies' has no column acknowledged_at, " in result.stderr
    assert "it was made by another program or version; give another file with --register" in result.stderr
    text = project / "notes.txt"
    text.write_text("not a database at all, " * 100, encoding="utf-8")
    result = run(project, "distribution", "status", CIRCULAR, "--register", str(text))
    no_traceback(result)
    assert result.exit_code == 1
    assert f"error: {text} is not a circulars register (file is not a database)" in result.stderr


def _copy_document(project: Path) -> Path:
    assert run(project, "distribute", CIRCULAR, "--no-pdf").exit_code == 0
    return project / "dist" / CIRCULAR / "000002-coking-union" / f"{CIRCULAR}-000002.docx"


def _rewrite(document: Path, target: Path, core: bytes | None = None, method: int | None = None) -> Path:
    """The document with another core.xml and/or core.xml's compression method changed."""
    out = io.BytesIO()
    with zipfile.ZipFile(document) as source, zipfile.ZipFile(out, "w") as package:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "docProps/core.xml" and core is not None:
                data = core
            package.writestr(info.filename, data, compress_type=zipfile.ZIP_DEFLATED)
    data = out.getvalue()
    if method is not None:  # the method field of core.xml's local and central headers
        name = b"docProps/core.xml"
        local = data.index(b"PK\x03\x04")
        while data[local + 30 : local + 30 + len(name)] != name:
            local = data.index(b"PK\x03\x04", local + 4)
        central = data.index(b"PK\x01\x02")
        while data[central + 46 : central + 46 + len(name)] != name:
            central = data.index(b"PK\x01\x02", central + 4)
        patched = bytearray(data)
        patched[local + 8 : local + 10] = method.to_bytes(2, "little")
        patched[central + 10 : central + 12] = method.to_bytes(2, "little")
        data = bytes(patched)
    target.write_bytes(data)
    return target


def test_verify_reports_bad_metadata_and_odd_zips_without_a_traceback(project):
    copy = _copy_document(project)
    core = zipfile.ZipFile(copy).read("docProps/core.xml")
    cases = {
        "utf8.docx": (
            dict(core=core.replace(b"<dc:identifier>circulars:", b"<dc:identifier>\xff\xfe:")),
            "its document properties are not valid UTF-8",
        ),
        "method.docx": (dict(method=97), "not a Word document as Word writes them"),
        "bomb.docx": (
            dict(core=core.replace(b"</dc:identifier>", b"</dc:identifier>" + b" " * (64 << 20))),
            "its document properties (docProps/core.xml) are too large to be a copy's",
        ),
    }
    for name, (change, message) in cases.items():
        target = _rewrite(copy, project / name, **change)
        result = run(project, "verify", str(target))
        no_traceback(result)
        assert result.exit_code == 1, name
        assert result.stderr.startswith(f"{target}: {message}"), result.stderr
    assert run(project, "verify", str(copy)).exit_code == 0  # the original is fine


@pytest.mark.parametrize(
    "template, line, message",
    [
        ("{{ recipient }}\n{{ 1/0 }}\n", 2, "template error: division by zero"),
        ("{{ recipient }}\n\n{{ no_such_name }}\n", 3, "template error: 'no_such_name' is undefined"),
        ("{{ recipient }\n", 1, "template error: unexpected '}'"),
    ],
)
def test_a_failing_cover_note_sends_nothing(project, smtp, template, line, message):
    server = smtp(Server())
    path = write(project, "templates/cover-note.txt.j2", template)
    result = send(project)
    assert result.exit_code == 1
    assert f"error: {path}:{line}: {message}; nothing was sent" in result.stderr.splitlines()
    assert server.messages == [] and server.connections == 0
    assert set(statuses(project).values()) == {"prepared"}


# --- 6. attachments with one name ---------------------------------------------------------


def _two_attachments_named_alike(project: Path) -> None:
    write(project, "circulars/2024/attachments/a/list.csv", "a,b\n1,2\n")
    write(project, "circulars/2024/attachments/b/list.csv", "x,y\n3,4\n")
    source = project / SOURCE
    source.write_text(
        source.read_text(encoding="utf-8")
        + "attachments:\n"
        + "  - title: 问题清单\n    file: attachments/a/list.csv\n"
        + "  - title: 任务清单\n    file: attachments/b/list.csv\n",
        encoding="utf-8",
    )


def test_two_attachments_with_one_file_name_stop_distribute_before_anything_is_written(project):
    _two_attachments_named_alike(project)
    result = run(project, "distribute", CIRCULAR, "--no-pdf")
    no_traceback(result)
    assert result.exit_code == 1
    assert "list.csv" in result.stderr and "IntegrityError" not in result.output
    assert not (project / "dist").exists()
    assert not (project / "register.sqlite3").exists()


def test_the_distribution_itself_refuses_attachments_with_one_file_name(project):
    """Even without `check` first (a caller of the library), nothing is written."""
    _two_attachments_named_alike(project)
    loaded = load_project(project)
    with pytest.raises(DistributionError) as raised:
        Distribution(loaded, CIRCULAR, project / "dist" / CIRCULAR, None)
    lines = (project / SOURCE).read_text(encoding="utf-8").splitlines()
    first = lines.index("    file: attachments/a/list.csv") + 1
    second = lines.index("    file: attachments/b/list.csv") + 1
    assert str(raised.value) == (
        f"{SOURCE}:{second}:11: attachment 'attachments/b/list.csv' has the same file name as "
        f"'attachments/a/list.csv' (line {first}); every copy keeps its attachments in one folder, "
        "so rename one of them. Nothing was written."
    )
    assert not (project / "dist").exists()
