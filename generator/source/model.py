"""The circular data model: what a circular and the registry may contain.

These pydantic models are the single definition of the YAML format: loading
validates against them, `circulars schema` prints their JSON Schema, and the
attribute docstrings become the descriptions editors show while typing.

Cross-references (an issuer that exists, a unique document number, ...) are not
checked here but in `checks.py`, once every file has been read.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from ..i18n import _
from .addresses import check_address
from .base import MODEL_CONFIG, Flag, Paragraphs, Text, true_false_or
from .body_model import Attachment, Document, Section
from .names import ID_PATTERN
from .tables import Table
from .values import Date, Identifier
from .when import DateTime
from .wording import (
    DATE_STYLE_LANGUAGES,
    DateStyle,
    HeaderLine,
    Labels,
    OwnWords,
    PartHeadings,
    PrintingLine,
    Reference,
    check_header_order,
)

Language = Literal["en", "zh"]


def _as_list(value: Any) -> Any:
    return [value] if isinstance(value, str) else value


# An id or a list of ids; the schema says so, so that editors accept both.
_ONE_OR_MANY = BeforeValidator(_as_list, json_schema_input_type=Identifier | list[Identifier])


class Model(BaseModel):
    model_config = MODEL_CONFIG


class Localized(Model):
    """A name or text given in English and/or Chinese."""

    en: Text | None = None
    """English form."""
    zh: Text | None = None
    """Chinese form."""

    @model_validator(mode="after")
    def _one_language(self) -> Localized:
        if self.en is None and self.zh is None:
            raise ValueError(_("give at least one of 'en' or 'zh'"))
        return self

    def get(self, language: str) -> str | None:
        return getattr(self, language)

    def best(self, language: str) -> str:
        """The text in `language`, else in the other language."""
        return self.get(language) or self.en or self.zh or ""


# --- the registry ----------------------------------------------------------------

BUILTIN_KINDS = (
    "national-federation",
    "provincial-federation",
    "municipal-federation",
    "county-federation",
    "industrial-union",
    "enterprise-group-union",
    "enterprise-union",
    "park-federation",
    "township-federation",
    "grassroots-union",
    "department",
    "enterprise",
    "government-body",
)

OrganizationKind = Annotated[
    str,
    StringConstraints(pattern=ID_PATTERN.pattern, max_length=80),
    WithJsonSchema(
        {"anyOf": [{"enum": list(BUILTIN_KINDS)}, {"type": "string", "pattern": ID_PATTERN.pattern}]}
    ),
]
"""A built-in kind, or one declared under `kinds:` in organizations.yaml."""


EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailAddress = Annotated[str, StringConstraints(pattern=EMAIL), BeforeValidator(check_address)]
"""One plain ASCII address, checked by the parser in addresses.py (also used when sending)."""


# --- a circular --------------------------------------------------------------------

Kind = Literal["notice", "opinions", "report", "article", "letter"]
Status = Literal["draft", "issued", "superseded", "repealed"]
Urgency = Literal["urgent", "very-urgent"]
Secrecy = Literal["confidential", "secret", "top-secret"]


class Selector(Model):
    """A group of organizations chosen from the union tree."""

    children_of: Identifier | None = None
    """Every organization directly under this one."""
    all_under: Identifier | None = None
    """Every organization anywhere under this one."""
    kind: Annotated[
        list[OrganizationKind],
        BeforeValidator(_as_list, json_schema_input_type=OrganizationKind | list[OrganizationKind]),
    ] = []
    """Only organizations of these kinds."""
    label: Text | None = None
    """How the group is written on the document, e.g. 各市（州）总工会; a label alone
    names a group the registry does not list (its members get no copies)."""
    in_registry: Flag | None = None
    """false: a group given by its label alone on purpose, its members not in the
    registry; without it, `check` warns that the label alone reaches nobody."""

    @model_validator(mode="after")
    def _one_root(self) -> Selector:
        if self.children_of is not None and self.all_under is not None:
            raise ValueError(_("give only one of 'children_of' or 'all_under'"))
        if self.in_registry is not None and (self.children_of or self.all_under):
            raise ValueError(_("'in_registry' is for a group given by its 'label' alone, not a selector"))
        if self.in_registry:
            problem = _(
                "a group given by its label alone is not in the registry: write 'in_registry: false', "
                "or select its members with 'children_of' or 'all_under'"
            )
            raise ValueError(problem)
        if self.children_of is None and self.all_under is None and (self.label is None or self.kind):
            problem = _(
                "give one of 'children_of' or 'all_under', or only a 'label' for a group the registry "
                "does not list"
            )
            raise ValueError(problem)
        return self

    @property
    def root(self) -> str:
        return self.children_of or self.all_under or ""


def _recipient_tag(value: Any) -> str:
    return "org-selector" if isinstance(value, dict | Selector) else "org-reference"


Recipient = Annotated[
    Annotated[Identifier, Tag("org-reference")] | Annotated[Selector, Tag("org-selector")],
    Discriminator(_recipient_tag),
]
"""An organization id, or a selector such as {all_under: sichuan-ftu, kind: grassroots-union}."""


def _entry_tag(value: Any) -> str:
    return "recipient-group" if isinstance(value, list) else _recipient_tag(value)


RecipientEntry = Annotated[
    Annotated[Identifier, Tag("org-reference")]
    | Annotated[Selector, Tag("org-selector")]
    | Annotated[list[Recipient], Field(min_length=1), Tag("recipient-group")],
    Discriminator(_entry_tag),
]
"""A recipient, or a list of them: one group, joined by 、 where groups are joined by ，."""


MainRecipients = Annotated[
    Annotated[Literal[False], Tag("none")] | Annotated[list[RecipientEntry], Tag("given")],
    Discriminator(lambda value: "none" if value is False else "given"),
]
"""The recipients, or false for none on purpose (a 通报 posted to all)."""


def flatten(entries: list | Literal[False]) -> list:
    """The recipients of `to` or `cc`, groups opened up (none for `to: false`)."""
    return [r for entry in entries or [] for r in (entry if isinstance(entry, list) else [entry])]


class Classification(Model):
    """Secrecy mark (密级) printed in the header zone."""

    level: Secrecy
    period: Text | None = None
    """How long it stays classified, e.g. 1年 or 1 year."""


class Mission(Model):
    title: Text
    text: Paragraphs | None = None


class Target(Model):
    """A measurable target, e.g. metric 'union building rate', value '> 90 %'."""

    metric: Text
    value: Text
    deadline: DateTime | None = None
    """Defaults to the requirement's deadline."""
    responsible: list[Recipient] = []
    """Defaults to the requirement's responsible organizations."""


class Requirement(Model):
    """A numbered work requirement."""

    key: Text | None = None
    """The key phrase, e.g. find out problems (找准问题)."""
    text: Paragraphs
    responsible: list[Recipient] = []
    """Organizations that must carry it out."""
    deadline: DateTime | None = None
    """2024-09-30, or with the time of day: 2024-05-10 17:00."""
    targets: list[Target] = []
    tables: list[Table] = []
    """Tables of the requirement, after its text (or after the paragraph a table's `after` names)."""


class Member(Model):
    """A member of a leading group: a registered person, or a name and title."""

    person: Identifier | None = None
    name: Text | None = None
    title: Text | None = None
    """Position as written in the group list, e.g. general manager."""

    @model_validator(mode="after")
    def _who(self) -> Member:
        if (self.person is None) == (self.name is None):
            raise ValueError(_("give exactly one of 'person' or 'name'"))
        return self


class LeadingGroup(Model):
    """A leading group (领导小组) set up to steer the work."""

    name: Text | None = None
    duties: Paragraphs | None = None
    leader: list[Member] = []
    deputies: list[Member] = []
    members: list[Member] = []
    office: Paragraphs | None = None
    """Where the group's office sits and what it does."""


class Phase(Model):
    """A phase or an event: printed as 'title (start to end). text', or, without a
    title, as its text alone (the words of the original), the times kept as data."""

    title: Text | None = None
    start: DateTime
    """2024-04-01, or with the time of day: 2013-03-12 08:30."""
    end: DateTime | None = None
    """Defaults to the start: a one-day event."""
    text: Paragraphs | None = None

    @model_validator(mode="after")
    def _said(self) -> Phase:
        if self.title is None and self.text is None:
            raise ValueError(_("give a 'title', or the 'text' as the circular words it"))
        return self


class ReportingDuty(Model):
    """A report owed: printed in the words of `text` where given, else as a row of a table."""

    what: Text | None = None
    """What is reported (the table's first column)."""
    text: Paragraphs | None = None
    """The duty as the circular words it, e.g. 请于3月29日前将报名表送交校工会。"""
    to: Identifier | None = None
    """The organization reports go to."""
    due: DateTime | None = None
    every: Text | None = None
    """For recurring reports: monthly, 每季度, …"""

    @model_validator(mode="after")
    def _said(self) -> ReportingDuty:
        if self.what is None and self.text is None:
            problem = _("give 'text' (the duty as the circular words it) or 'what' (a row of the table)")
            raise ValueError(problem)
        return self


class Contact(Model):
    """Whom to ask: printed as 联系人：name，电话：phone，电子邮箱：email。 (Contact: …)
    unless `text` words it."""

    person: Identifier | None = None
    name: Text | None = None
    phone: Text | None = None
    email: EmailAddress | None = None
    text: Paragraphs | None = None
    """The contact line as the circular words it, e.g. 市卫生健康委联系人：孙映吟，联系电话：81085234。;
    printed instead of the generated line (the other fields stay as data)."""


class Change(Model):
    """A later edition of a circular: when it was published and what changed (修改记录)."""

    date: Date
    note: Text
    """What changed, for readers, e.g. 更正第二项工作要求的完成时限."""


class Circular(Model):
    """One circular: a directive, opinions, a report or an article."""

    id: Identifier
    """Stable identifier, also the output file name: panzhihua-2024-07."""
    kind: Kind = "notice"
    language: Language
    status: Status = "draft"
    layout: Literal["gbt9704", "international"] | None = None
    """Word layout; default gbt9704 for Chinese, international for English."""
    title: Text
    issuer: Annotated[list[Identifier], _ONE_OR_MANY, Field(min_length=1)]
    """Issuing organization, or a list for joint issuance (the first leads)."""
    series: Identifier | None = None
    """The lead issuer's series of numbers (its `series:` in the registry); default its `prefix`."""
    number: Annotated[int, Field(ge=1)] | None = None
    """Sequence number in the series' year: 12 in 川工发〔2024〕12号; leave out for none."""
    date: Date
    """Date of issue."""
    date_style: DateStyle | None = None
    """How the date of issue and the imprint date are written: standard (2024年4月18日 /
    18 April 2024), chinese-numerals (二〇一七年七月十一日, Chinese) or ordinal
    (29th September 2015, English)."""
    signatory: Identifier | None = None
    """Person who signs (registry id)."""
    signer: Identifier | None = None
    """Person who approved an upward document (签发人)."""
    author: Identifier | None = None
    """Author of an article (registry id)."""
    source: Text | None = None
    """Where an article was published."""
    seal: Annotated[bool | Literal["person"], true_false_or("person")] = False
    """`true`: the issuer's seal over its name (GB/T 9704 §7.3.5.1); `person`: the
    signatory's own signature seal, after their title (§7.3.5.3; needs `signatory`);
    `false`: no seal (§7.3.5.2)."""
    urgency: Urgency | None = None
    classification: Classification | None = None
    translation_of: Identifier | None = None
    """This circular translates another one and shares its document number."""
    supersedes: Annotated[list[Identifier], _ONE_OR_MANY] = []
    """Circulars this one replaces."""
    amends: Annotated[list[Identifier], _ONE_OR_MANY] = []
    """Circulars this one amends."""
    letterhead: Literal["document", "letter", "none"] | None = None
    """The header: document (…文件, the default), letter (the 信函 form of a 函, the default
    for kind letter) or none."""
    references: list[Reference] = []
    """Reference lines of a letter (Our Ref / Your Ref), before the document number."""
    series_label: OwnWords | None = None
    """What introduces the number in the international layout, instead of its series'
    `label` (e.g. Circular No.); false for none."""
    header_order: list[HeaderLine] | None = None
    """International layout: the lines above the text, in this order, each once: title, date,
    and those of references, number, to, salutation the circular gives, and optionally subject
    (the title again, e.g. after the salutation). A number followed by the date shares its
    line. Leaving out `to` says the letter prints no recipients. Default: references, number
    and date, title, to, salutation."""
    to: MainRecipients = []
    """Main recipients (主送机关); a list inside the list is one group: [a, b] → a、b. false:
    none, on purpose (a 通报 or 公告 addressed to no one), so `check` does not warn."""
    cc: list[RecipientEntry] = []
    """Copies to (抄送机关), grouped as `to`."""
    to_label: OwnWords | None = None
    """What introduces the recipients in the international layout: "To: " unless given; false for none."""
    salutation: Text | None = None
    """The greeting after the recipients, e.g. Dear Colleagues,"""
    background: Paragraphs | None = None
    """Background and preamble."""
    background_tables: list[Table] = []
    """Tables of the background, after it (or after the paragraph a table's `after` names)."""
    purpose: Paragraphs | None = None
    """Guiding purpose (指导思想 / 目的)."""
    missions: list[Mission] = []
    requirements: list[Requirement] = []
    sections: list[Section] = []
    leading_group: LeadingGroup | None = None
    schedule: list[Phase] = []
    funding: Paragraphs | None = None
    reporting: list[ReportingDuty] = []
    contact: Contact | None = None
    headings: PartHeadings | None = None
    """The parts' headings (报送要求, …): false for none, or the circular's own title."""
    labels: Labels | None = None
    """Labels printed before a value (抄送：, 签发人：, 附件, 组　长：, …) as this circular writes them."""
    closing: OwnWords | None = None
    """Closing line: defaults to 特此通知。 (notice) or 特此函告。 (letter) in Chinese; false for none."""
    complimentary_close: Text | None = None
    """The close of a letter above the signature, e.g. Yours sincerely,"""
    signature: Annotated[list[Text], BeforeValidator(_as_list, json_schema_input_type=Text | list[Text])] = []
    """The signature's lines as the original writes them, instead of the issuers' names."""
    notes: Paragraphs | None = None
    """Notes (附注) printed below the date."""
    publicity: Text | None = None
    """How it is made public (公开方式), e.g. 主动公开: printed as 公开方式：主动公开 above the 版记."""
    documents: list[Document] = []
    """Documents this notice issues (印发) or forwards (转发), printed in full after it."""
    attachments: list[Attachment] = []
    attachment_note: OwnWords | None = None
    """The label of the attachment note instead of 附件： / Attachments: (e.g. 附：); false for no note."""
    printing: PrintingLine | None = None
    """The imprint line (印发) of the 版记; false for none (the default in the letter form)."""
    tags: list[Text] = []
    in_force: Date | None = None
    """The day it takes effect (施行日期), when that is not its date."""
    changes: list[Change] = []
    """Its later editions, oldest first: the site shows them as its change history."""

    @field_validator("changes")
    @classmethod
    def _changes_in_order(cls, changes: list[Change], info) -> list[Change]:
        previous = info.data.get("date")
        for change in changes:
            if previous is not None and change.date < previous:
                raise ValueError(
                    _(
                        "the change of {date} comes before {previous}: list changes oldest first, none "
                        "before the circular's date"
                    ).format(date=change.date.isoformat(), previous=previous.isoformat())
                )
            previous = change.date
        return changes

    @field_validator("date_style")
    @classmethod
    def _date_style_in_language(cls, style: str | None, info) -> str | None:
        wanted = DATE_STYLE_LANGUAGES.get(style or "")
        if wanted and info.data.get("language") not in (None, wanted):
            message = _("date_style {style} is for circulars in language {wanted}")
            raise ValueError(message.format(style=style, wanted=wanted))
        return style

    @field_validator("series_label", "header_order")
    @classmethod
    def _international(cls, value: Any, info) -> Any:
        """Parts of the international letter's header, which GB/T 9704 fixes otherwise."""
        layout = info.data.get("layout") or ("gbt9704" if info.data.get("language") == "zh" else None)
        if value is not None and layout == "gbt9704":
            message = _("{field_name} is for the international layout: GB/T 9704 fixes the header")
            raise ValueError(message.format(field_name=info.field_name))
        if value is not None and info.data.get("kind") == "article":
            message = _("{field_name} is for letters and notices: an article has no header lines")
            raise ValueError(message.format(field_name=info.field_name))
        return check_header_order(value) if info.field_name == "header_order" and value is not None else value

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        if len(set(tags)) != len(tags):
            raise ValueError(_("tags repeat"))
        return tags

    @property
    def lead_issuer(self) -> str:
        return self.issuer[0]

    @property
    def main_recipients(self) -> list[str | Selector]:
        return flatten(self.to)

    @property
    def cc_recipients(self) -> list[str | Selector]:
        return flatten(self.cc)

    @property
    def letterhead_form(self) -> str:
        return self.letterhead or ("letter" if self.kind == "letter" else "document")

    @property
    def year(self) -> int:
        return self.date.year
