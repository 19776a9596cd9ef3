"""Sending copies by email over SMTP: each message at most once, as far as SMTP allows.

Settings come from the environment (CIRCULARS_SMTP_HOST, _PORT, _SECURITY,
_USER, _PASSWORD, _FROM) or the [smtp] table of circulars.toml in the project,
never from a circular's YAML.

The SMTP transaction is driven step by step so that every failure is known to
have happened before or after the message was handed over:

- before (connecting, MAIL FROM, RCPT TO, the DATA command) nothing can have
  arrived: a transient failure (a dropped connection, a 4xx reply) is retried
  with exponential back-off on a new connection if needed, a 5xx reply is
  reported for that message;
- after the body was sent, an explicit reply decides (250 sent, 4xx retried,
  5xx refused), but a connection lost before the reply leaves the outcome
  unknown: that is `DeliveryUnconfirmed`, never retried here.

A refused login, and a server that cannot be reached a few times in a row,
stop everything (`MailError`). Every text that goes into a header passes
`header_text`, and every address `address_problem` (the registry's own check).
"""

from __future__ import annotations

import contextlib
import os
import re
import smtplib
import ssl
import time
import tomllib
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from pathlib import Path

from ..i18n import _
from ..source.addresses import address_problem

CONFIG_FILE = "circulars.toml"
SECURITY = ("starttls", "ssl", "none")
MESSAGE_ID_DOMAIN = "circulars.invalid"


class MailError(Exception):
    """Sending cannot go on (no settings, login refused, server unreachable): nothing more is sent."""


class ServerUnreachable(MailError):
    """Several connection attempts in a row failed: the run stops instead of trying every copy."""


class DeliveryFailed(Exception):
    """One message was not accepted; `permanent` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


class DeliveryUnconfirmed(DeliveryFailed):
    """The message was handed over but the server's reply never came: it may have
    arrived. Sending it again could deliver it twice, so it is never retried here."""

    def __init__(self, message: str):
        super().__init__(message, permanent=True)


class _Deferred(Exception):
    """A failure before the message was handed over: retrying cannot send it twice."""

    def __init__(self, message: str, connection_lost: bool = False):
        super().__init__(message)
        self.connection_lost = connection_lost


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str
    user: str | None
    password: str | None
    sender: str
    retries: int = 3
    retry_delay: float = 2.0  # seconds; doubles after each attempt
    timeout: float = 30.0
    max_connect_failures: int = 3  # connection attempts failing in a row before the run stops

    @classmethod
    def load(cls, project_root: Path) -> SmtpSettings:
        table: dict = {}
        config = project_root / CONFIG_FILE
        if config.exists():
            try:
                table = tomllib.loads(config.read_text(encoding="utf-8")).get("smtp", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as error:
                raise MailError(f"{config}: {error}") from None

        def setting(name: str, default=None):
            return os.environ.get(f"CIRCULARS_SMTP_{name.upper()}", table.get(name, default))

        host = setting("host")
        if not host:
            raise MailError(
                _(
                    "no SMTP server: set CIRCULARS_SMTP_HOST (or [smtp] host in {config_file}); see "
                    "`circulars distribute --help`"
                ).format(config_file=CONFIG_FILE)
            )
        security = str(setting("security", "starttls")).lower()
        if security not in SECURITY:
            raise MailError(
                _("SMTP security must be one of {security}, not '{given}'").format(
                    security=", ".join(SECURITY), given=security
                )
            )
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        user = setting("user")
        try:
            settings = cls(
                host=str(host),
                port=int(setting("port", default_port)),
                security=security,
                user=str(user) if user else None,
                password=setting("password"),
                sender=str(setting("from", "")),
                retries=max(1, int(setting("retries", 3))),
                retry_delay=float(setting("retry_delay", 2.0)),
                timeout=float(setting("timeout", 30.0)),
                max_connect_failures=max(1, int(setting("max_connect_failures", 3))),
            )
        except ValueError as error:
            raise MailError(_("SMTP settings: {error}").format(error=error)) from None
        if not settings.sender:
            # never a made-up address: replies and bounces would go nowhere
            raise MailError(
                _(
                    "no sender: set CIRCULARS_SMTP_FROM (or [smtp] from in {config_file}) to the "
                    "secretariat's address, e.g. '攀枝花市总工会 <secretariat@example.org>'"
                ).format(config_file=CONFIG_FILE)
            )
        address = parseaddr(settings.sender)[1]
        problem = address_problem(address) if address else _("it is empty")
        if problem or "\n" in settings.sender or "\r" in settings.sender:
            raise MailError(
                _(
                    "the sender '{header_text}' (CIRCULARS_SMTP_FROM) is not a valid email address: {value}"
                ).format(
                    header_text=header_text(settings.sender), value=problem or _("it contains a line break")
                )
            )
        return settings

    @property
    def envelope_sender(self) -> str:
        return parseaddr(self.sender)[1]


def header_text(value: str) -> str:
    """Any text bound for a mail header, made safe: one line (line breaks and other
    control characters become spaces), no lone surrogates, and no `=?` that a
    mail reader (or Python's own parser) would decode as an encoded word. The
    email package then encodes non-ASCII text (RFC 2047) when it writes the header."""
    kept = []
    for char in str(value):
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp"):
            kept.append(" ")
        elif category == "Cs":
            kept.append("\ufffd")
        else:
            kept.append(char)
    return " ".join("".join(kept).split()).replace("=?", "=\u2060?")


def message_id(key: str) -> str:
    """The same key always gives the same Message-ID, so a mail system that sees
    a copy twice can tell it is one message."""
    left = re.sub(r"[^A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+", "-", key).strip(".") or "copy"
    left = re.sub(r"\.{2,}", ".", left)
    return f"<{left}@{MESSAGE_ID_DOMAIN}>"


def build_message(
    settings: SmtpSettings,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    message_id_key: str,
    reply_to: str | None = None,
) -> EmailMessage:
    """One message to one recipient. An unusable address is DeliveryFailed (permanent)."""
    problem = address_problem(to_address or "")
    if problem:
        raise DeliveryFailed(
            _("'{header_text}' is not a valid email address: {problem}").format(
                header_text=header_text(to_address), problem=problem
            ),
            True,
        )
    sender_name, sender_address = parseaddr(settings.sender)
    message = EmailMessage()
    message["From"] = Address(display_name=header_text(sender_name), addr_spec=sender_address)
    message["To"] = Address(display_name=header_text(to_name), addr_spec=to_address)
    if reply_to and not address_problem(reply_to):  # the circular's contact answers questions
        message["Reply-To"] = Address(addr_spec=reply_to)
    message["Subject"] = header_text(subject)
    message["Message-ID"] = message_id(message_id_key)
    message.set_content(body, cte="base64")  # 7-bit clean: no server extension needed
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=header_text(name))
    return message


class Mailer:
    """One SMTP session, reopened when the server drops it."""

    def __init__(self, settings: SmtpSettings, sleep=time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.session: smtplib.SMTP | None = None
        self.connect_failures = 0  # in a row
        # True from the moment a message's body is handed over until its reply is
        # read: a caller interrupted meanwhile cannot know whether it arrived
        self.in_doubt = False

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.in_doubt:  # interrupted in the middle of a message: QUIT would be read as its text
            self._drop()
        if self.session is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.session.quit()
            self.session = None

    def _drop(self) -> None:
        """Forget a session that failed (no QUIT: the connection is not trusted)."""
        if self.session is not None:
            with contextlib.suppress(OSError):
                self.session.close()
            self.session = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            session = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            session = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                session.ehlo()
                if not session.has_extn("starttls"):
                    session.close()
                    raise MailError(
                        _(
                            "the SMTP server {host}:{port} does not offer STARTTLS, and the security "
                            "setting asks for it (starttls is the default): set CIRCULARS_SMTP_SECURITY=ssl "
                            "if the server expects TLS from the start (usually port 465), or =none for a "
                            "server on a network you trust"
                        ).format(host=s.host, port=s.port)
                    )
                session.starttls(context=ssl.create_default_context())
            if s.user:
                session.login(s.user, s.password or "")
        except smtplib.SMTPAuthenticationError as error:
            session.close()
            raise MailError(
                _("the SMTP server {host} refused the login of '{user}': {reply}").format(
                    host=s.host, user=s.user, reply=_reply(error)
                )
            ) from None
        except smtplib.SMTPNotSupportedError:
            session.close()
            raise MailError(
                _(
                    "the SMTP server {host}:{port} does not accept logins on this connection, and "
                    "CIRCULARS_SMTP_USER is set ('{user}'): unset it if the server takes mail without one"
                ).format(host=s.host, port=s.port, user=s.user)
                + (", or use CIRCULARS_SMTP_SECURITY=starttls or ssl" if s.security == "none" else "")
            ) from None
        except BaseException:
            session.close()
            raise
        return session

    def _open(self) -> smtplib.SMTP:
        """The current session, or a new one; ServerUnreachable after too many failures in a row."""
        if self.session is not None:
            return self.session
        try:
            self.session = self._connect()
        except MailError:
            raise
        except (OSError, smtplib.SMTPException) as error:
            self.connect_failures += 1
            s = self.settings
            reason = _("cannot connect to the SMTP server {host}:{port}: {why}").format(
                host=s.host, port=s.port, why=_why(error)
            )
            if self.connect_failures >= s.max_connect_failures:
                raise ServerUnreachable(
                    _(
                        "{reason}; the server is unreachable ({connect_failures} attempts in a row failed), "
                        "so sending stopped"
                    ).format(reason=reason, connect_failures=self.connect_failures)
                ) from None
            raise _Deferred(reason) from None
        self.connect_failures = 0
        return self.session

    def send(self, message: EmailMessage) -> None:
        """Deliver one message at most once.

        Returns when the server accepted it. Raises DeliveryFailed when it was
        not accepted (after retrying what may be retried), DeliveryUnconfirmed
        when it may or may not have been, MailError when sending cannot go on."""
        sender, recipients = self._envelope(message)
        payload = _wire(message)
        self.in_doubt = False
        delay = self.settings.retry_delay
        last = ""
        attempt = 0
        reconnected = False
        while attempt < self.settings.retries:
            attempt += 1
            reused = self.session is not None
            try:
                self._transaction(self._open(), sender, recipients, payload)
                return
            except _Deferred as error:
                last = str(error)
                if reused and error.connection_lost and not reconnected:
                    # the server closed a connection kept from an earlier message: reconnect at once
                    reconnected = True
                    attempt -= 1
                    continue
            if attempt < self.settings.retries:
                self.sleep(delay)
                delay *= 2
        raise DeliveryFailed(
            _("{last} (after {retries} attempts)").format(last=last, retries=self.settings.retries),
            permanent=False,
        )

    def _envelope(self, message: EmailMessage) -> tuple[str, list[str]]:
        recipients = [address for _, address in getaddresses([str(v) for v in message.get_all("To", [])])] + [
            address for _, address in getaddresses([str(v) for v in message.get_all("Cc", [])])
        ]
        if not recipients:
            raise DeliveryFailed(_("the message has no recipient"), permanent=True)
        for address in recipients:
            problem = address_problem(address)
            if problem:
                raise DeliveryFailed(
                    _("'{header_text}' is not a valid email address: {problem}").format(
                        header_text=header_text(address), problem=problem
                    ),
                    permanent=True,
                )
        return self.settings.envelope_sender, recipients

    def _transaction(self, session: smtplib.SMTP, sender: str, recipients: list[str], payload: bytes):
        # --- before the body: nothing can have arrived --------------------------------
        try:
            session.ehlo_or_helo_if_needed()
            code, reply = session.mail(sender)
            if code != 250:
                self._refused(code, reply, "sender refused")
            for address in recipients:
                code, reply = session.rcpt(address)
                if code not in (250, 251):
                    self._refused(code, reply, "recipient refused" if code >= 500 else "recipient deferred")
            code, reply = session.docmd("DATA")
            if code != 354:
                self._refused(
                    code, reply, "refused by the server" if code >= 500 else "deferred by the server"
                )
        except OSError as error:  # smtplib's errors are OSErrors too
            self._drop()
            raise _Deferred(
                _("connection lost before the message was sent: {why}").format(why=_why(error)),
                connection_lost=True,
            ) from None
        # --- the body: from here on, the message may have arrived -------------------
        self.in_doubt = True
        try:
            session.send(payload)
            code, reply = session.getreply()
        except OSError as error:
            self._drop()
            self.in_doubt = False  # the caller learns it from DeliveryUnconfirmed
            raise DeliveryUnconfirmed(
                _(
                    "the connection was lost after the message was handed over ({why}); it may have arrived"
                ).format(why=_why(error))
            ) from None
        self.in_doubt = False
        if code == 250:
            return
        if code == 421:
            self._drop()
        text = f"{code} {_text(reply)}".strip()
        if code >= 500:
            raise DeliveryFailed(_("refused by the server: {text}").format(text=text), permanent=True)
        raise _Deferred(f"deferred by the server: {text}")

    def _refused(self, code: int, reply: bytes, what: str):
        """A refusal before the body: reset the transaction (or drop the session)."""
        if code == 421 or code < 400:
            self._drop()
        else:
            try:
                self.session.rset()
            except OSError:
                self._drop()
        text = f"{code} {_text(reply)}".strip()
        if code >= 500:
            raise DeliveryFailed(f"{what}: {text}", permanent=True)
        raise _Deferred(f"{what}: {text}")


def _wire(message: EmailMessage) -> bytes:
    """The message as SMTP DATA: CRLF lines, leading dots doubled, the final dot."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _text(reply) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _why(error: BaseException) -> str:
    return str(error) or type(error).__name__


def _reply(error) -> str:
    message = getattr(error, "smtp_error", b"")
    return f"{getattr(error, 'smtp_code', '')} {_text(message)}".strip()
