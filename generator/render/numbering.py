"""How numbers and dates are written in each language.

GB/T 9704-2012 conventions for Chinese (川工发〔2024〕12号, 2024年4月18日,
一、（一）1.（1）, 一是……, 第一章 and 第一条 in rules), plain international ones for English
(ChemChina TU [2012] No. 3, 18 April 2024, 1. 1.1, First, …).
"""

from __future__ import annotations

from datetime import date

from ..source.when import When

_DIGITS = "零一二三四五六七八九"
ORDINALS = [
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
    "Twentieth",
]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def chinese_numeral(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 105 → 一百零五 (for n < 1000)."""
    if n < 0 or n >= 1000:
        return str(n)
    if n < 10:
        return _DIGITS[n]
    if n < 20:
        return "十" + (_DIGITS[n - 10] if n > 10 else "")
    if n < 100:
        tens, ones = divmod(n, 10)
        return _DIGITS[tens] + "十" + (_DIGITS[ones] if ones else "")
    hundreds, rest = divmod(n, 100)
    if rest == 0:
        tail = ""
    elif rest < 10:
        tail = "零" + _DIGITS[rest]
    elif rest < 20:
        tail = "一" + chinese_numeral(rest)  # 一百一十二
    else:
        tail = chinese_numeral(rest)
    return _DIGITS[hundreds] + "百" + tail


def ordinal(n: int, language: str) -> str:
    """The lead-in of the n-th point: 'First,' / '一是'."""
    if language == "zh":
        return f"{chinese_numeral(n)}是"
    word = ORDINALS[n - 1] if n <= len(ORDINALS) else _numeric_ordinal(n)
    return f"{word},"


def heading_number(path: tuple[int, ...], language: str) -> str:
    """The number of a heading at depth len(path): 一、（一）1.（1） or 1. 1.1 1.1.1."""
    if language == "zh":
        n = path[-1]
        return [f"{chinese_numeral(n)}、", f"（{chinese_numeral(n)}）", f"{n}.", f"（{n}）"][
            min(len(path), 4) - 1
        ]
    if len(path) == 1:
        return f"{path[0]}."
    return ".".join(str(n) for n in path)


def chapter_number(n: int, language: str) -> str:
    """The number of a chapter of rules, with the space after it: 第一章　 / Chapter 1 ."""
    return f"第{chinese_numeral(n)}章\u3000" if language == "zh" else f"Chapter {n} "


def article_number(n: int, language: str) -> str:
    """The number of an article of rules: 第一条 / Article 1."""
    return f"第{chinese_numeral(n)}条" if language == "zh" else f"Article {n}"


def format_date(value: date, language: str, style: str | None = None) -> str:
    """2024年4月18日 / 18 April 2024 (no zero padding in either); with a time of
    day (a `When`), 2024年5月10日17:00 / 10 May 2024, 17:00. A circular's
    `date_style` may ask for 二〇二四年四月十八日 (chinese-numerals) or 18th April
    2024 (ordinal) instead."""
    at = value.time if isinstance(value, When) else None
    clock = at.strftime("%H:%M") if at else ""
    if language == "zh":
        if style == "chinese-numerals":
            year = "".join("〇" if digit == "0" else _DIGITS[int(digit)] for digit in str(value.year))
            return f"{year}年{chinese_numeral(value.month)}月{chinese_numeral(value.day)}日{clock}"
        return f"{value.year}年{value.month}月{value.day}日{clock}"
    number = _numeric_ordinal(value.day) if style == "ordinal" else value.day
    day = f"{number} {MONTHS[value.month - 1]} {value.year}"
    return f"{day}, {clock}" if clock else day


def _numeric_ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st, 22nd, 23rd … 111th, 121st."""
    suffix = "th" if 10 < n % 100 < 14 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
