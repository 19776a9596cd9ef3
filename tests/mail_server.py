"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the tests that send mail, and the
environment that points `circulars` at it."""

from __future__ import annotations

import email
from email import policy

from aiosmtpd.controller import Controller
from conftest import free_port


class Collect:
    """Accepts messages; optionally defers all after `fail_after`, or refuses one address."""

    def __init__(self, fail_after: int | None = None, refuse: str | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.fail_after = fail_after
        self.refuse = refuse

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse and address == self.refuse:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.fail_after is not None and len(self.messages) >= self.fail_after:
            return "451 4.3.0 Mail server temporarily unavailable"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def to(self, address: str) -> email.message.EmailMessage:
        [message] = [m for m in self.messages if m["To"].addresses[0].addr_spec == address]
        return message


def start_smtp(monkeypatch, handler, **options) -> Controller:
    """Serve handler on a free port, and set CIRCULARS_SMTP_* to send there; stop() it after."""
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    for name, value in {
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "SECURITY": "none",
        "FROM": "secretariat@panzhihua-ftu.example.org",
        "RETRIES": "2",
        "RETRY_DELAY": "0.01",
        "TIMEOUT": "10",
    }.items():
        monkeypatch.setenv(f"CIRCULARS_SMTP_{name}", value)
    return controller
