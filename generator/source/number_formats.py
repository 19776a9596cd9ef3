"""A number in an XLSX cell as Excel shows it under the cell's number format.

A table read from a workbook must print what the secretary saw: 95 under
`0"%"` is 95%, not 9500%; `0.0"万元"` keeps its unit; `;;;` hides the value;
30 hours under `[h]:mm` are 30:00. The common formats are done here: sections
(positive;negative;zero;text), literals in quotes or after a backslash,
colours, digit placeholders (0 # ?), thousands separators and scaling commas,
percent, and dates and times (elapsed [h] [m] [s] too). Anything else
(conditions, scientific notation, fractions, Chinese numerals) raises
UnsupportedFormat: printing it some other way would change the value.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from ..i18n import _

_BASE = {False: datetime(1899, 12, 30), True: datetime(1904, 1, 1)}  # 1900 system: after Excel's 29 Feb 1900
_TOKEN = re.compile(
    r'"(?P<quoted>[^"]*)"|\\(?P<escaped>.)|_(?P<space>.)|\*(?P<fill>.)'
    r"|\[\$(?P<currency>[^\]-]*)(?:-[0-9A-Fa-f]+)?\]|\[(?P<bracket>[^\]]*)\]"
    r"|(?P<ampm>AM/PM|am/pm|A/P|a/p|上午/下午)|(?P<date>yyyy|yy|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s)"
    r"|(?P<digit>[0#?])|(?P<other>.)",
    re.IGNORECASE | re.DOTALL,
)
_COLOURS = {"black", "blue", "cyan", "green", "magenta", "red", "white", "yellow"}
_MONTHS = ["January", "February", "March", "April", "May", "June", "July"]
_MONTHS += ["August", "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
# Built-in formats 14 and 22 are the reader's system short date (and time): printed as ISO.
_SYSTEM_DATES = {"mm-dd-yy": "yyyy-mm-dd", "m/d/yy h:mm": "yyyy-mm-dd hh:mm"}


class UnsupportedFormat(ValueError):
    """A number format this module does not print as Excel would."""


def _sections(code: str) -> list[str]:
    sections, current, quoted, escaped = [], [], False, False
    for char in code:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == ";" and not quoted:
            sections.append("".join(current))
            current = []
            continue
        current.append(char)
    return [*sections, "".join(current)]


def _tokens(section: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: literal, digit, point, comma, percent, date, ampm, elapsed."""
    out: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(section):
        kind = match.lastgroup
        text = match[kind]
        if kind in ("quoted", "escaped", "currency"):
            out.append(("literal", text))
        elif kind == "space":
            out.append(("literal", " "))
        elif kind == "fill":
            continue
        elif kind == "bracket":
            lowered = text.lower()
            if lowered in _COLOURS or re.fullmatch(r"color\d+", lowered):
                continue
            if re.fullmatch(r"h+|m+|s+", lowered):
                out.append(("elapsed", lowered))
                continue
            raise UnsupportedFormat(f"[{text}]")
        elif kind == "ampm":
            out.append(("ampm", text))
        elif kind == "date":
            out.append(("date", text.lower()))
        elif kind == "digit":
            out.append(("digit", text))
        elif text == ".":
            out.append(("point", text))
        elif text == ",":
            out.append(("comma", text))
        elif text == "%":
            out.append(("percent", text))
        elif text in "Ee":
            raise UnsupportedFormat(_("scientific notation"))
        elif text == "/":
            out.append(("slash", text))  # a date's separator, or a fraction
        elif text == "@":
            out.append(("text", text))
        else:
            out.append(("literal", text))
    return out


def format_number(value: float | int, code: str, date1904: bool = False) -> str:
    """The number as Excel shows it under `code`; UnsupportedFormat if it cannot say."""
    if code.strip().lower() in ("general", ""):
        return _general(value)
    code = _SYSTEM_DATES.get(code, code)
    sections = _sections(code)
    if len(sections) > 4:
        raise UnsupportedFormat(_("more than four sections"))
    if any(re.match(r"\s*\[[<>=]", section) for section in sections):
        raise UnsupportedFormat(_("a condition"))
    if value < 0 and len(sections) >= 2:
        section, value, sign = sections[1], -value, ""
    elif value == 0 and len(sections) >= 3:
        section, sign = sections[2], ""
    else:
        section, sign = sections[0], "-" if value < 0 else ""
        value = abs(value)
    tokens = _tokens(section)
    if any(kind in ("date", "ampm", "elapsed") for kind, _ in tokens):
        return sign + _date_text(value, tokens, date1904)
    if any(kind == "slash" for kind, _ in tokens):
        raise UnsupportedFormat(_("a fraction"))
    if not any(kind == "digit" for kind, _ in tokens):
        if section.strip().lower() == "general":
            return sign + _general(value)
        text = "".join(text for kind, text in tokens if kind in ("literal", "percent", "comma", "point"))
        return sign + text if text else ""
    return sign + _number_text(value, tokens)


def format_text(text: str, code: str) -> str:
    """Text under a number format: its fourth section, with @ for the text, if it has one."""
    sections = _sections(code)
    if len(sections) < 4:
        return text
    return "".join(text if kind == "text" else t for kind, t in _tokens(sections[3]) if kind != "digit")


def _general(value: float | int) -> str:
    if isinstance(value, int) or (value.is_integer() and abs(value) < 1e15):
        return str(int(value))
    shown = f"{value:.10g}"  # Excel's General shows about eleven characters
    return shown.upper() if "e" in shown else shown


def _number_text(value: float | int, tokens: list[tuple[str, str]]) -> str:
    digits = [i for i, (kind, _) in enumerate(tokens) if kind == "digit"]
    point = next((i for i, (kind, _) in enumerate(tokens) if kind == "point"), None)
    last_digit = digits[-1]
    # commas right after the last digit placeholder scale by 1000; among them, they group
    scaling = 0
    for kind, _text in tokens[last_digit + 1 :]:
        if kind != "comma":
            break
        scaling += 1
    grouped = any(kind == "comma" and digits[0] < i < last_digit for i, (kind, _) in enumerate(tokens))
    percent = sum(1 for kind, _ in tokens if kind == "percent")
    whole = [i for i in digits if point is None or i < point]
    fraction = [i for i in digits if point is not None and i > point]
    number = Decimal(repr(value)) * Decimal(100) ** percent / Decimal(1000) ** scaling
    number = number.quantize(Decimal(1).scaleb(-len(fraction)), rounding=ROUND_HALF_UP)
    whole_digits, _point, fraction_digits = f"{number:f}".partition(".")
    whole_digits = whole_digits.lstrip("0")
    least = sum(1 for i in whole if tokens[i][1] == "0")
    whole_digits = whole_digits.rjust(least, "0")
    out = {}
    if grouped:  # the whole part is one block, grouped in threes
        block = f"{int(whole_digits or 0):,}" if whole_digits else ""
        for i in whole:
            out[i] = ""
        if whole:
            out[whole[0]] = block
    else:  # filled from the right; the leftmost placeholder takes what is left
        remaining = whole_digits
        for n, i in enumerate(reversed(whole)):
            if n == len(whole) - 1:
                out[i] = remaining or {"0": "0", "#": "", "?": " "}[tokens[i][1]]
            elif remaining:
                out[i], remaining = remaining[-1], remaining[:-1]
            else:
                out[i] = {"0": "0", "#": "", "?": " "}[tokens[i][1]]
    kept = len(fraction_digits)
    for n in range(len(fraction) - 1, -1, -1):  # a trailing 0 under # or ? is not shown
        if tokens[fraction[n]][1] == "0" or fraction_digits[n] != "0":
            break
        kept = n
    for n, i in enumerate(fraction):
        out[i] = fraction_digits[n] if n < kept else (" " if tokens[i][1] == "?" else "")
    text = []
    for i, (kind, t) in enumerate(tokens):
        if kind == "digit":
            text.append(out[i])
        elif kind == "comma":
            continue
        elif kind == "point":
            text.append(".")
        elif kind != "text":
            text.append(t)
    return "".join(text)


def _date(value: float, date1904: bool) -> datetime:
    if not date1904 and value < 60:  # before Excel's 29 February 1900, which never was
        value += 1
    return _BASE[date1904] + timedelta(seconds=round(value * 86400))


def _date_text(value: float, tokens: list[tuple[str, str]], date1904: bool) -> str:
    moment = _date(value, date1904)
    seconds = round(value * 86400)
    twelve = any(kind == "ampm" for kind, _ in tokens)
    out = []
    for n, (kind, text) in enumerate(tokens):
        if kind == "elapsed":
            total = {"h": seconds // 3600, "m": seconds // 60, "s": seconds}[text[0]]
            out.append(str(total).rjust(len(text), "0"))
        elif kind == "date":
            out.append(_date_part(moment, text, tokens, n, twelve))
        elif kind == "ampm":
            morning = moment.hour < 12
            out.append(text.split("/")[0 if morning else 1])
        elif kind == "digit":
            raise UnsupportedFormat(_("a fraction of a second"))
        elif kind in ("literal", "point", "comma", "percent", "slash"):
            out.append(text)
    return "".join(out)


def _date_part(moment: datetime, text: str, tokens: list, n: int, twelve: bool) -> str:
    letter = text[0]
    if letter == "m" and len(text) <= 2 and _is_minute(tokens, n):
        return f"{moment.minute:0{len(text)}d}"
    if letter == "y":
        return str(moment.year) if text == "yyyy" else f"{moment.year % 100:02d}"
    if letter == "m":
        if len(text) <= 2:
            return f"{moment.month:0{len(text)}d}"
        name = _MONTHS[moment.month - 1]
        return {3: name[:3], 4: name, 5: name[0]}[len(text)]
    if letter == "d":
        if len(text) <= 2:
            return f"{moment.day:0{len(text)}d}"
        name = _DAYS[moment.weekday()]
        return name[:3] if len(text) == 3 else name
    if letter == "h":
        hour = moment.hour % 12 or 12 if twelve else moment.hour
        return f"{hour:0{len(text)}d}"
    return f"{moment.second:0{len(text)}d}"


def _is_minute(tokens: list, n: int) -> bool:
    """m is minutes right after an hour or right before a second, as Excel reads it."""
    dated = [(i, t) for i, (kind, t) in enumerate(tokens) if kind in ("date", "elapsed")]
    place = next(k for k, (i, _) in enumerate(dated) if i == n)
    before = dated[place - 1][1] if place else ""
    after = dated[place + 1][1] if place + 1 < len(dated) else ""
    return before[:1] == "h" or after[:1] == "s"
