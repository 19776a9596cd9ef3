"""The text patterns of an official document: numbers, dates, heading and point numbers.

A clerk's plain Word file has none of our styles, so its parts are told by
how GB/T 9704 writes them: 川工发〔2024〕12号, 2024年4月18日 or 二〇一七年七月十一日,
一、（一）1.（1）, 第一章 / 第一条, 一是……, 附件：, 抄送：, …印发.
"""

from __future__ import annotations

import re
from datetime import date

from ...render.numbering import MONTHS, ORDINALS

_CN_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0, "○": 0, "Ｏ": 0, "О": 0}
TITLE_ENDS = ("通知", "意见", "函", "办法", "方案", "决定", "通报", "报告", "纪要")
TITLE_ENDS += ("规定", "细则", "公告", "批复", "请示", "复函", "要点", "计划")
"""The words a title ends with (……的通知): a title typed on several lines runs to one."""
CN_NUMBER = "[一二三四五六七八九十百零〇]+"

# 川工发〔2024〕12号, 川工发[2024]12号, 院工字（2008）45号, 第5号, NP/183/15, ChemChina TU [2012] No. 3
NUMBER = re.compile(
    r"^(?P<prefix>[^\s〔\[［(（]*?)\s*[〔\[［(（](?P<year>\d{4})[〕\]］)）]\s*(?:No\.\s*|第\s*)?(?P<number>\d+)\s*号?$"
)
NUMBER_ORDINAL = re.compile(r"^(?P<prefix>.*?)第\s*(?P<number>\d+)\s*号$")
SIGNER = re.compile(r"签发人[：:]\s*(?P<names>.+)$")
URGENCY = re.compile(r"^(特急|加急|特提|平急)$")
SECRECY = re.compile(r"^(绝密|机密|秘密)(?:[★*]\s*(?P<period>.+))?$")
URGENCIES = {"特急": "very-urgent", "加急": "urgent"}
"""紧急程度 as the format names it (特提 and 平急, older words, read as urgent)."""
SECRECIES = {"绝密": "top-secret", "机密": "secret", "秘密": "confidential"}

CLOSINGS = re.compile(r"^(特此(?:通知|函告|函复|函达|通报|报告|批复|公告)|此复|此致|专此函达)[。！]?$")
ATTACHMENT_NOTE = re.compile(r"^(?P<label>附件|附|附表|Attachments?|Enclosures?)\s*[：:]\s*(?P<rest>.*)$")
ATTACHMENT_LABEL = re.compile(r"^(?P<label>附件|附表|附|Attachment|Annex)\s*(?P<n>\d*)\s*[：:]?$")
LIST_NUMBER = re.compile(r"^\s*(?P<n>\d+)\s*[.．、]\s*")
CC = re.compile(r"^(?P<label>抄送|抄报|分送|Copies to|cc)\s*[：:]\s*(?P<rest>.*?)[。.]?$", re.I)
IMPRINT = re.compile(r"^(?P<organ>.+?)\s+(?P<date>\S+年\S+月\S+日)\s*(?P<word>印发|印)$")
CONTACT = re.compile(r"^(?:（)?(联系人|联\s*系\s*人|联系电话|联系方式|咨询电话|Contact)")
PUBLICITY = re.compile(r"^公开方式[：:]")

HEADINGS = [  # (level, pattern of the number, its text after)
    (1, re.compile(rf"^{CN_NUMBER}、\s*")),
    (2, re.compile(rf"^[（(]{CN_NUMBER}[）)]\s*")),
    (3, re.compile(r"^\d{1,2}[.．](?!\d)\s*")),
    (4, re.compile(r"^[（(]\d{1,2}[）)]\s*")),
]
EN_HEADINGS = [
    (1, re.compile(r"^\d{1,2}\.\s+")),
    (2, re.compile(r"^\d{1,2}\.\d{1,2}\.?\s+")),
    (3, re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}\.?\s+")),
]
CHAPTER = re.compile(rf"^第{CN_NUMBER}章[\s\u3000]*")
ARTICLE = re.compile(rf"^第{CN_NUMBER}条[\s\u3000]*")
POINT = re.compile(rf"^(?P<ordinal>{CN_NUMBER})是")
EN_POINT = re.compile(rf"^(?P<ordinal>{'|'.join(ORDINALS)}),?\s+")


def chinese_number(text: str) -> int | None:
    """一 → 1, 十二 → 12, 二十 → 20, 一百零五 → 105."""
    if not text or any(c not in "一二三四五六七八九十百零〇" for c in text):
        return None
    total, current = 0, 0
    for c in text:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = _CN_DIGITS[c]
    return total + current


def _cn_digits(text: str) -> int | None:
    """Digits written one by one (二〇一七) or as a number (十一)."""
    if text and all(c in _CN_DIGITS for c in text):
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    return chinese_number(text)


_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_CN_DATE = re.compile(
    r"^([〇一二三四五六七八九零○ＯО]{4})年([一二三四五六七八九十]+)月([一二三四五六七八九十]+)日$"
)
_EN_DATE = re.compile(rf"^(\d{{1,2}})(?:st|nd|rd|th)?\s+({'|'.join(MONTHS)}),?\s+(\d{{4}})$")
_EN_DATE_US = re.compile(rf"^({'|'.join(MONTHS)})\s+(\d{{1,2}}),?\s+(\d{{4}})$")


def parse_date(text: str) -> tuple[date, str | None] | None:
    """The date a line holds (alone), and its style: None, "chinese-numerals" or "ordinal"."""
    text = text.strip().replace(" ", "")
    try:
        if match := _DATE.match(text):
            return date(int(match[1]), int(match[2]), int(match[3])), None
        if match := _CN_DATE.match(text):
            return date(_cn_digits(match[1]), _cn_digits(match[2]), _cn_digits(match[3])), "chinese-numerals"
    except (TypeError, ValueError):
        return None
    return None


def parse_english_date(text: str) -> tuple[date, str | None] | None:
    text = " ".join(text.split())
    try:
        if match := _EN_DATE.match(text):
            style = "ordinal" if re.match(r"^\d{1,2}(st|nd|rd|th)", text) else None
            return date(int(match[3]), MONTHS.index(match[2]) + 1, int(match[1])), style
        if match := _EN_DATE_US.match(text):
            return date(int(match[3]), MONTHS.index(match[1]) + 1, int(match[2])), None
    except ValueError:
        return None
    return None


def any_date(text: str) -> tuple[date, str | None] | None:
    return parse_date(text) or parse_english_date(text)


def heading_level(text: str, english: bool) -> tuple[int, str] | None:
    """The level of a numbered heading and its text without the number."""
    for level, pattern in reversed(EN_HEADINGS) if english else HEADINGS:
        if match := pattern.match(text):
            return level, text[match.end() :]
    return None


def split_names(text: str, english: bool = False) -> list[list[str]]:
    """A 主送 or 抄送 line as groups of names: groups by ，, members by 、 (GB/T 9704);
    in English by ; alone, as a name may hold a comma (Rail, Maritime and Transport)."""
    text = text.strip().rstrip("：:。.").strip()
    groups = [g.strip() for g in re.split(r"[；;]" if english else r"[，,；;]", text) if g.strip()]
    return [[m.strip() for m in group.split("、") if m.strip()] for group in groups]


def strip_number(line: str) -> str:
    line = line.strip()
    match = LIST_NUMBER.match(line)
    return line[match.end() :].strip() if match else line
