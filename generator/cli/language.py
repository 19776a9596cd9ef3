"""The command line in the user's language: `--lang`, or the locale as gettext reads it.

The language is chosen when the main group parses its arguments, before any
help is shown or any message made. Click's help texts are taken when the
commands are defined (at import, in English); `translate_help` swaps them for
the chosen language's each time, keeping the English to look them up by, so
that one process can run the command in either language (as the tests do).
Click's own words (Usage:, Options:, its errors) come from the same catalog.
"""

from __future__ import annotations

import inspect
import unicodedata
from collections.abc import Iterator

import click

from ..i18n import (
    ENGLISH,
    _,
    available_languages,
    language_from_environment,
    ngettext,
    normalized,
    use_language,
)

# click's modules that call gettext's global _() / ngettext() for its own words
_CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")
_ENGLISH = "_circulars_english"  # where a command or option keeps its English help
_ENGLISH_SHORT = "_circulars_english_short"  # and a command its own short help, if it has one


def chosen_language(args: list[str], commands: dict[str, click.Command]) -> str:
    """--lang from the main group's own arguments (before the subcommand), else the environment."""
    for i, arg in enumerate(args):
        if arg == "--" or arg in commands:
            break
        if arg == "--lang" and i + 1 < len(args):
            return args[i + 1]
        if arg.startswith("--lang="):
            return arg.partition("=")[2]
    return language_from_environment()


def check_language(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--lang's callback: the language must have a catalog (the group has switched to it already)."""
    name = normalized(value) if value is not None else ENGLISH
    if name.split("_")[0] != ENGLISH and name not in available_languages():
        raise click.BadParameter(
            _("no messages in '{language}' (languages: {known})").format(
                language=value, known=", ".join(available_languages())
            )
        )
    return value


class TranslatedGroup(click.Group):
    """The main group: chooses the language before parsing, so that its own --help is translated too."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        use_language(chosen_language(args, self.commands))
        translate_help(self)
        for name in _CLICK_MODULES:
            module = getattr(click, name)
            module._ = _
            if hasattr(module, "ngettext"):
                module.ngettext = ngettext
        return super().parse_args(ctx, args)


def help_messages(command: click.Command) -> Iterator[tuple[str, str]]:
    """Every message in the help under `command`, in English, and the command it belongs to
    (for scripts/update_catalog.py)."""
    for item in _walk(command):
        english = item.__dict__.get(_ENGLISH, item.help)
        where = f"circulars {item.name}" if isinstance(item, click.Command) else f"option {item.opts[-1]}"
        if isinstance(item, click.Command):
            messages = [m for _p, m in _messages(english or "")]
        else:
            messages = [" ".join((english or "").split())]
        yield from ((m, where) for m in messages if m)


def translate_help(command: click.Command) -> None:
    """Put the chosen language's help on `command`, its subcommands and their options."""
    for item in _walk(command):
        english = item.__dict__.setdefault(_ENGLISH, item.help)
        if isinstance(item, click.Command):
            item._help_option = None  # click keeps its --help, made in the language of its first run
        if not english:
            continue
        if not isinstance(item, click.Command):  # an option's help: one paragraph, click wraps it
            translated = _translated_text(" ".join(english.split()))
            # in the options' column (about 50 of an 80-column terminal)
            item.help = "\n".join(["\b", *_wrapped(translated, 48)]) if _is_wide(translated) else translated
            continue
        item.help = "\n\n".join(_translated(p, m) for p, m in _messages(english))
        # click shortens the help to its first sentence, which it finds by ". ";
        # a Chinese sentence ends in "。" with no space after it
        first = _translated_text(_messages(english)[0][1])
        own = item.__dict__.setdefault(_ENGLISH_SHORT, item.short_help)
        item.short_help = first.partition("。")[0] + "。" if "。" in first else own


def _messages(text: str) -> list[tuple[str, str]]:
    """Each paragraph of a help text and its message: the paragraph as one line, or for a
    paragraph click keeps as written (\\b), its first line ("Examples:"), the lines below
    (indented commands) being the same in every language."""
    paragraphs = inspect.cleandoc(text).partition("\f")[0].split("\n\n")
    return [
        (p, p.split("\n")[1].strip() if p.startswith("\b\n") else " ".join(p.split())) for p in paragraphs
    ]


# the help texts are found by walking the commands (scripts/update_catalog.py), not by
# babel, which would take the first string of a call to _() for a message
_translated_text = _


def _translated(paragraph: str, message: str) -> str:
    if paragraph.startswith("\b\n"):
        lines = paragraph.split("\n")
        return "\n".join(["\b", _translated_text(message), *lines[2:]])
    translated = _translated_text(message)
    return "\n".join(["\b", *_wrapped(translated)]) if _is_wide(translated) else translated


def _is_wide(text: str) -> bool:
    return any(unicodedata.east_asian_width(c) in "WF" for c in text)


def _wrapped(text: str, columns: int = 76) -> list[str]:
    """Chinese text broken into lines that fit `columns` on the screen (click counts
    characters, a Chinese one takes two columns), never before closing punctuation."""
    lines, line, width = [], "", 0
    for char in text:
        size = 2 if unicodedata.east_asian_width(char) in "WF" else 1
        breakable = size == 2 or line[-1:] == " " or _is_wide(line[-1:])  # not inside a word
        if width + size > columns and char not in "，。；：、）》”！？" and breakable:
            lines.append(line.rstrip())
            line, width = "", 0
        line += char
        width += size
    return [*lines, line]


def _walk(command: click.Command) -> Iterator[click.Command | click.Parameter]:
    yield command
    for param in command.params:
        if isinstance(param, click.Option):
            yield param
    if isinstance(command, click.Group):
        for sub in command.commands.values():
            yield from _walk(sub)
