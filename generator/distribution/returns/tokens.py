"""The secret that makes a return form one organization's own.

A form's identity sheet says which circular and organization it answers for,
and all of it is public text: a union that edits the organization's id (and
recomputes the questions digest) could file returns for another union. So
each form also carries a token, an HMAC of its circular, organization and
questions under a key the secretariat keeps: the form key, a random file
beside the register (`register.sqlite3-forms.key`), never in circulars/ nor
published. Without the key nobody can make the token of another
organization; an import recomputes it and refuses a form whose token does
not match.

The key is made when the first form is written and never changes, so the
same circular gives the same forms every time. Forms made with one register's
key are checked against that register's key (`--register`).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path

from ...i18n import _
from ...source.files import FileProblem, read_regular
from .. import DEFAULT_REGISTER

KEY_SUFFIX = "-forms.key"
_KEY_TEXT = re.compile(rb"[0-9a-f]{64}\n?")


class FormKeyError(Exception):
    """The form key cannot be read or made; the message names its file."""


def register_path(root: Path, option: Path | None = None) -> Path:
    """The register: --register PATH (relative to the working folder), else
    $CIRCULARS_REGISTER, else register.sqlite3 in the project."""
    if option is not None:
        return option if option.is_absolute() else Path.cwd() / option
    from_env = os.environ.get("CIRCULARS_REGISTER")
    return Path(from_env) if from_env else root / DEFAULT_REGISTER


def key_path(register: Path) -> Path:
    """The form key beside a register: register.sqlite3 -> register.sqlite3-forms.key."""
    return register.with_name(register.name + KEY_SUFFIX)


class FormKey:
    """The form key of one register, read (or made) when first needed."""

    def __init__(self, path: Path):
        self.path = path
        self._secret: bytes | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def _read(self) -> bytes:
        try:
            text = read_regular(self.path, 1024 * 1024, _("a form key"))  # 65 bytes; anything else is damaged
        except FileProblem as problem:
            raise FormKeyError(
                _("the form key {path} {problem}").format(path=self.path, problem=problem)
            ) from None
        if not _KEY_TEXT.fullmatch(text):
            raise FormKeyError(
                _(
                    "the form key {path} is damaged (it should hold 64 hexadecimal digits): restore it from "
                    "a backup; forms made with it cannot be checked otherwise"
                ).format(path=self.path)
            )
        return bytes.fromhex(text.decode("ascii").strip())

    def secret(self, create: bool) -> bytes:
        """The key; made (once, atomically) when there is none and `create` is set."""
        if self._secret is None:
            if create and not self.path.exists():
                self._make()
            self._secret = self._read()
        return self._secret

    def _make(self) -> None:
        """Write a new random key, readable by its owner only. It is written to a
        temporary file and linked into place, which fails if another run made one
        first: every run then uses that one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{secrets.token_hex(8)}")
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as file:
                file.write(secrets.token_hex(32) + "\n")
            with contextlib.suppress(FileExistsError):  # another run made it first: use that one
                os.link(temporary, self.path)
        except OSError as error:
            raise FormKeyError(
                _("cannot make the form key {path}: {value}").format(
                    path=self.path, value=error.strerror or error
                )
            ) from None
        finally:
            temporary.unlink(missing_ok=True)

    def token(self, circular_id: str, org_id: str, questions: str, create: bool = True) -> str:
        """The token of one organization's form: only the key's holder can make it."""
        message = json.dumps([circular_id, org_id, questions]).encode("utf-8")
        return hmac.new(self.secret(create), message, "sha256").hexdigest()

    def matches(self, circular_id: str, org_id: str, questions: str, token: str) -> bool:
        return hmac.compare_digest(self.token(circular_id, org_id, questions, create=False), token)
