"""The language of the command's messages: gettext catalogs under generator/locale/.

Every message a user reads (help, summaries, warnings, errors) is written in
English in the code and wrapped in `_()` (or `ngettext` for counts), with
`str.format` placeholders rather than f-strings so that babel can extract it
and a translator sees the whole sentence. The language is chosen once, before
the commands are imported, by `use_language` (see generator/cli/__init__.py).
"""

from __future__ import annotations

import gettext
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "circulars"

_translation: gettext.NullTranslations = gettext.NullTranslations()


def use_language(language: str | None) -> None:
    """Read messages in `language` (e.g. "zh_CN"); None or "en": English, as written."""
    global _translation
    if not language or language.split("_")[0].lower() in ("en", "c", "posix"):
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[language], fallback=True)


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)
