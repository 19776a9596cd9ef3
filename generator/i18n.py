"""The language of the command's messages: gettext catalogs under generator/locale/.

Every message a user reads (help, summaries, warnings, errors) is written in
English in the code and wrapped in `_()` (or `ngettext` for counts), with
`str.format` placeholders rather than f-strings so that babel can extract it
and a translator sees the whole sentence. The language is chosen by
`use_language` each time the command runs (see generator/cli/language.py),
before any message is made; scripts/update_catalog.py keeps the catalogs
in step with the code.
"""

from __future__ import annotations

import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "circulars"
ENGLISH = "en"

# Where the language comes from when --lang is not given: our own variable, then
# the ones gettext itself reads, in gettext's order.
ENVIRONMENT = ("CIRCULARS_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_translation: gettext.NullTranslations = gettext.NullTranslations()
_language = ENGLISH


def available_languages() -> list[str]:
    """English (as written in the code) and every language with a compiled catalog."""
    found = sorted(p.parent.parent.name for p in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))
    return [ENGLISH, *found]


def normalized(language: str) -> str:
    """A locale name as gettext's catalogs are named: `zh_CN.UTF-8` and `zh-cn` are
    `zh_CN`; a bare `zh` (or Singapore's, or `zh_Hans`) reads the simplified catalog."""
    name = language.split(".")[0].split("@")[0].replace("-", "_")
    base, _sep, region = name.partition("_")
    base = base.lower()
    if base == "zh" and region.upper() in ("", "CN", "SG", "HANS"):
        return "zh_CN"
    return f"{base}_{region.upper()}" if region else base


def language_from_environment(environ: dict[str, str] | None = None) -> str:
    """The first language the environment names (LANGUAGE may list several)."""
    environ = os.environ if environ is None else environ
    for variable in ENVIRONMENT:
        value = environ.get(variable, "")
        for language in value.split(":"):
            if language:
                return language
    return ENGLISH


def use_language(language: str | None) -> None:
    """Read messages in `language` (e.g. "zh_CN", "zh_CN.UTF-8"); None, "en", "C": English, as written."""
    global _translation, _language
    name = _language = normalized(language) if language else ENGLISH
    if name.split("_")[0] in (ENGLISH, "c", "posix"):
        _translation = gettext.NullTranslations()
        return
    _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[name], fallback=True)


def current_language() -> str:
    """The language chosen, for a worker process to choose it too (a spawned one starts in English)."""
    return _language


def _(message: str) -> str:
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return _translation.ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark a message for the catalog where it is defined; `_()` translates it where it is shown."""
    return message
