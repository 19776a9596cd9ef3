"""Keep the message catalogs in step with the code: extract, update each .po, compile.

    .venv/bin/python scripts/update_catalog.py

1. extracts every message wrapped in _(), ngettext() or N_() under generator/,
   every help text of the commands (their docstrings and options' help=), and
   click's own words (Usage:, Options:, its errors) into generator/locale/circulars.pot;
2. merges it into each generator/locale/LANG/LC_MESSAGES/circulars.po: new
   messages arrive with an empty msgstr, changed ones marked fuzzy, gone ones
   dropped;
3. compiles each .po to the circulars.mo that the package ships.

Then translate the new entries in the .po (empty msgstr, or `#, fuzzy`: fix
and remove the flag) and run it again to compile. tests/test_i18n.py fails
while a message is missing or untranslated.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from generator.cli import main  # noqa: E402 (after the path it needs)
from generator.cli.language import help_messages  # noqa: E402
from generator.i18n import DOMAIN, LOCALE_DIR  # noqa: E402

KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}
HEADER = {"project": "circulars", "copyright_holder": "the circulars authors", "charset": "utf-8"}
LANGUAGES = ("zh_CN",)  # a new language: add it here, run this, translate its .po
CLICK_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def template() -> Catalog:
    """Every message the command can show, in English, with where it comes from."""
    catalog = Catalog(domain=DOMAIN, fuzzy=False, **HEADER)
    package = REPO / "generator"
    for filename, lineno, message, comments, _context in extract_from_dir(
        package, [("**.py", "python")], KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, locations=[(f"generator/{filename}", lineno)], auto_comments=comments)
    for text, where in help_messages(main):
        catalog.add(text, locations=[(where, 0)], auto_comments=["click help"])
    click_dir = Path(click.__file__).parent
    for name in CLICK_MODULES:
        for lineno, message, comments, _context in extract_from_file(
            "python", click_dir / f"{name}.py", KEYWORDS
        ):
            catalog.add(message, locations=[(f"click/{name}.py", lineno)], auto_comments=comments)
    return catalog


def catalogs() -> list[Path]:
    return [LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po" for language in LANGUAGES]


def po_bytes(catalog: Catalog, **options) -> bytes:
    out = io.BytesIO()
    write_po(out, catalog, width=100, sort_output=False, **options)
    return out.getvalue()


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog)
    return out.getvalue()


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=path.parent.parent.name, domain=DOMAIN)


def untranslated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return bool(message.id) and (message.fuzzy or not all(strings))


def _dateless(data: bytes) -> bytes:
    return re.sub(rb'"(POT-Creation|PO-Revision)-Date: [^"]*"', b"", data)


def write(path: Path, data: bytes) -> None:
    """Write `data` unless only the dates in the header would change (no churn in git)."""
    if path.exists() and _dateless(path.read_bytes()) == _dateless(data):
        return
    scratch = path.with_name(path.name + ".tmp")  # a crash never leaves half a catalog
    scratch.write_bytes(data)
    scratch.replace(path)


def main_() -> None:
    pot = template()
    write(LOCALE_DIR / f"{DOMAIN}.pot", po_bytes(pot, omit_header=False, include_lineno=False))
    for path in catalogs():
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            empty = Catalog(locale=path.parent.parent.name, domain=DOMAIN, fuzzy=False, **HEADER)
            write(path, po_bytes(empty))
        catalog = read(path)
        catalog.update(pot, no_fuzzy_matching=False)
        write(path, po_bytes(catalog, ignore_obsolete=True, include_lineno=False))
        catalog = read(path)
        write(path.with_suffix(".mo"), mo_bytes(catalog))
        missing = [m.id for m in catalog if untranslated(m)]
        print(f"{path.relative_to(REPO)}: {len(catalog)} messages, {len(missing)} to translate")


if __name__ == "__main__":
    main_()
