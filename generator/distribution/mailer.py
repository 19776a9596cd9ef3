"""Sending copies by email over SMTP, with retries that never send twice.

Settings come from the environment (CIRCULARS_SMTP_HOST, _PORT, _SECURITY,
_USER, _PASSWORD, _FROM) or the [smtp] table of circulars.toml in the project,
never from a circular's YAML. Transient failures (a dropped connection, a 4xx
reply) are retried with exponential back-off; permanent ones (5xx) are
reported for the copy concerned; a refused login stops everything at once.
"""

from __future__ import annotations

import contextlib
import os
import smtplib
import ssl
import time
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formataddr, make_msgid
from pathlib import Path

CONFIG_FILE = "circulars.toml"
SECURITY = ("starttls", "ssl", "none")


class MailError(Exception):
    """Sending cannot go on (no settings, login refused): nothing more is sent."""


class DeliveryFailed(Exception):
    """One message was not accepted; `permanent` says whether retrying can help."""

    def __init__(self, message: str, permanent: bool):
        super().__init__(message)
        self.permanent = permanent


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

    @classmethod
    def load(cls, project_root: Path) -> SmtpSettings:
        table: dict = {}
        config = project_root / CONFIG_FILE
        if config.exists():
            try:
                table = tomllib.loads(config.read_text(encoding="utf-8")).get("smtp", {})
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
                raise MailError(f"{config}: {error}") from None

        def setting(name: str, default=None):
            return os.environ.get(f"CIRCULARS_SMTP_{name.upper()}", table.get(name, default))

        host = setting("host")
        if not host:
            raise MailError(
                f"no SMTP server: set CIRCULARS_SMTP_HOST (or [smtp] host in {CONFIG_FILE}); "
                "see `circulars distribute --help`"
            )
        security = str(setting("security", "starttls")).lower()
        if security not in SECURITY:
            raise MailError(f"SMTP security must be one of {', '.join(SECURITY)}, not '{security}'")
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        user = setting("user")
        try:
            return cls(
                host=str(host),
                port=int(setting("port", default_port)),
                security=security,
                user=str(user) if user else None,
                password=setting("password"),
                sender=str(setting("from", user or f"circulars@{host}")),
                retries=int(setting("retries", 3)),
                retry_delay=float(setting("retry_delay", 2.0)),
                timeout=float(setting("timeout", 30.0)),
            )
        except ValueError as error:
            raise MailError(f"SMTP settings: {error}") from None


def build_message(
    settings: SmtpSettings,
    to_name: str,
    to_address: str,
    subject: str,
    body: str,
    attachments: list[tuple[str, bytes, str]],
    message_id_key: str,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.sender
    message["To"] = formataddr((to_name, to_address))
    message["Subject"] = subject
    # the same copy always has the same Message-ID: a mail system that sees it
    # twice can tell it is one message
    message["Message-ID"] = make_msgid(idstring=message_id_key, domain="circulars.invalid")
    message.set_content(body)
    for name, data, mime in attachments:
        maintype, subtype = mime.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message


class Mailer:
    """One SMTP session, reopened when the server drops it."""

    def __init__(self, settings: SmtpSettings, sleep=time.sleep):
        self.settings = settings
        self.sleep = sleep
        self.session: smtplib.SMTP | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.session is not None:
            with contextlib.suppress(smtplib.SMTPException, OSError):
                self.session.quit()
            self.session = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            session = smtplib.SMTP_SSL(
                s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
            )
        else:
            session = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.security == "starttls":
                session.starttls(context=ssl.create_default_context())
        if s.user:
            try:
                session.login(s.user, s.password or "")
            except smtplib.SMTPAuthenticationError as error:
                session.close()
                raise MailError(
                    f"the SMTP server {s.host} refused the login of '{s.user}': {_reply(error)}"
                ) from None
            except smtplib.SMTPNotSupportedError:
                session.close()
                raise MailError(
                    f"the SMTP server {s.host} does not accept logins on this connection"
                ) from None
        return session

    def send(self, message: EmailMessage) -> None:
        """Deliver one message, retrying transient failures with back-off."""
        delay = self.settings.retry_delay
        last = ""
        for attempt in range(1, self.settings.retries + 1):
            try:
                if self.session is None:
                    self.session = self._connect()
                # one recipient per message: a refusal raises SMTPRecipientsRefused
                self.session.send_message(message)
                return
            except MailError:
                raise
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                if all(code >= 500 for code in codes):
                    raise DeliveryFailed(f"recipient refused: {_reply(error)}", permanent=True) from None
                last = f"recipient deferred: {_reply(error)}"
            except smtplib.SMTPResponseException as error:
                if error.smtp_code >= 500:
                    raise DeliveryFailed(f"refused by the server: {_reply(error)}", permanent=True) from None
                last = f"deferred by the server: {_reply(error)}"
            except (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError) as error:
                last = f"connection failed: {error}"
                self.session = None  # reconnect on the next attempt
            except smtplib.SMTPException as error:
                last = f"SMTP error: {error}"
                self.close()
            if attempt < self.settings.retries:
                self.sleep(delay)
                delay *= 2
        raise DeliveryFailed(f"{last} (after {self.settings.retries} attempts)", permanent=False)


def _reply(error) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for code, message in error.recipients.values()
        )
    message = getattr(error, "smtp_error", b"")
    text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
    return f"{getattr(error, 'smtp_code', '')} {text}".strip()
