"""The wording a circular may switch off, replace or choose the form of.

The templates generate some parts themselves: the closing line, the headings of
the parts (指导思想, 报送要求, …), the attachment note's label, the imprint
line, the lines above an English letter's text. Each is either switched off
(`false`), replaced by the circular's own words, or its form chosen by a field
(`date_style`, `header_order`), so that a clerk never has to type a part as
plain text, losing the field, to get the original's words.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Discriminator, Tag

from ..i18n import _
from .base import MODEL_CONFIG, Text, not_a_switch
from .values import Date, Identifier


class _Model(BaseModel):
    model_config = MODEL_CONFIG


def _switch_tag(value: Any) -> str:
    return "switched-off" if value is False else "given"


OwnWords = Annotated[
    Annotated[Literal[False], Tag("switched-off")]
    | Annotated[Text, BeforeValidator(not_a_switch), Tag("given")],
    Discriminator(_switch_tag),
]
"""A generated wording's replacement: the circular's own words, or false for none."""


class Reference(_Model):
    """A reference line of a letter, e.g. {label: "Our Ref:", text: HSR/4/5}."""

    label: Text
    text: Text


class Printing(_Model):
    """The imprint line (印发机关和印发日期)."""

    org: Identifier | None = None
    """Defaults to the issuing body."""
    date: Date | None = None
    """Defaults to the date of issue."""


PrintingLine = Annotated[
    Annotated[Literal[False], Tag("switched-off")]
    | Annotated[Printing, BeforeValidator(not_a_switch), Tag("given")],
    Discriminator(_switch_tag),
]


class PartHeadings(_Model):
    """The headings of the parts the format lays out. Without an entry here a part
    is headed (指导思想 / Purpose, …) when the circular has more than one part or
    any sections; false prints it without a heading, its text following the part
    before; the circular's own title is printed (and numbered) whenever the part is."""

    purpose: OwnWords | None = None
    """Default 指导思想 / Purpose."""
    missions: OwnWords | None = None
    """Default 主要任务 / Missions."""
    requirements: OwnWords | None = None
    """Default 工作要求 / Work requirements."""
    leading_group: OwnWords | None = None
    """Default 组织领导 / Leading group."""
    schedule: OwnWords | None = None
    """Default 时间安排 / Schedule."""
    funding: OwnWords | None = None
    """Default 经费保障 / Funding."""
    reporting: OwnWords | None = None
    """Default 报送要求 / Reporting."""


class Labels(_Model):
    """Labels the templates print before (or after) a value, as this circular writes
    them, colon included; a label ending in a space keeps one before the value."""

    cc: Text | None = None
    """Before the copies-to list: default 抄送： / cc: (CC: in the GB/T layout)."""
    imprint: Text | None = None
    """After the imprint date: default 印发 / (printed)."""
    attachment: Text | None = None
    """The mark on each attachment's page, its number after it: default 附件 / Attachment."""
    signer: Text | None = None
    """Before the approver of an upward document: default 签发人： / Approved by:."""
    leader: Text | None = None
    """Before a leading group's leader: default 组　长： / Leader:."""
    deputies: Text | None = None
    """Before its deputy leaders: default 副组长： / Deputy leaders:."""
    members: Text | None = None
    """Before its members: default 成　员： / Members:."""
    publicity: Text | None = None
    """Before `publicity`: default 公开方式： / Publication:."""
    responsible: Text | None = None
    """Before a requirement's responsible organizations: default 责任单位： / Responsible:."""
    deadline: Text | None = None
    """Before a requirement's deadline: default 完成时限： / deadline:."""
    enclosed_file: Text | None = None
    """Before an attachment file's link: default 附件文件： / Enclosed file:."""


DateStyle = Literal["standard", "chinese-numerals", "ordinal"]
"""standard: 2024年4月18日 / 18 April 2024; chinese-numerals: 二〇二四年四月十八日
(Chinese); ordinal: 18th April 2024 (English)."""

DATE_STYLE_LANGUAGES = {"chinese-numerals": "zh", "ordinal": "en"}

HeaderLine = Literal["references", "number", "date", "title", "to", "salutation", "subject"]
"""A line above an English letter's text; `subject` is the title repeated as its subject line."""

ALWAYS_PRINTED = ("title", "date")
"""Header lines every circular has; checks.py refuses to leave out a line the circular gives."""


def check_header_order(lines: list[str]) -> list[str]:
    """Each line at most once; the title and the date, which every circular has, listed."""
    repeated = sorted({line for line in lines if lines.count(line) > 1})
    if repeated:
        raise ValueError(
            _("{repeated} listed more than once: give each line once").format(repeated=", ".join(repeated))
        )
    missing = [line for line in ALWAYS_PRINTED if line not in lines]
    if missing:
        raise ValueError(
            _("every circular has a title and a date: list {missing} where it goes").format(
                missing=" and ".join(missing)
            )
        )
    return lines
