"""The circular data model: what a circular and the registry may contain.

These pydantic models are the single definition of the YAML format: loading
validates against them, `circulars schema` prints their JSON Schema, and the
attribute docstrings become the descriptions editors show while typing.

Cross-references (an issuer that exists, a unique document number, ...) are not
checked here but in `checks.py`, once every file has been read.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    Discriminator,
    Field,
    StringConstraints,
    Tag,
    field_validator,
    model_validator,
)

from .addresses import check_address
from .base import MODEL_CONFIG, Paragraphs, Text
from .body_model import Attachment, Document, Section
from .tables import Table

Language = Literal["en", "zh"]
LANGUAGES: tuple[str, ...] = ("en", "zh")

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80),
]
"""Lowercase letters, digits and hyphens: safe as a file name and in a URL."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


def _parse_date(value: Any) -> Any:
    """Accept `2024-04-18` (quoted or not); refuse times, numbers and impossible days."""
    if isinstance(value, datetime):
        raise ValueError("expected a date without a time, like 2024-04-18")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"'{value}' is not a date: write it as YYYY-MM-DD, like 2024-04-18")
        try:
            return date.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"'{value}' is not a real date ({error})") from None
    raise ValueError("expected a date like 2024-04-18")


Date = Annotated[date, BeforeValidator(_parse_date)]


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
            raise ValueError("give at least one of 'en' or 'zh'")
        return self

    def get(self, language: str) -> str | None:
        return getattr(self, language)

    def best(self, language: str) -> str:
        """The text in `language`, else in the other language."""
        return self.get(language) or self.en or self.zh or ""


# --- the registry ----------------------------------------------------------------

OrganizationKind = Literal[
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
]

EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
EmailAddress = Annotated[str, StringConstraints(pattern=EMAIL), BeforeValidator(check_address)]
"""One plain ASCII address, checked by the parser in addresses.py (also used when sending)."""


class Organization(Model):
    """One body in the union tree."""

    id: Identifier
    """Stable identifier used to refer to this organization."""
    name: Localized
    """Full name, e.g. {en: Sichuan Federation of Trade Unions, zh: 四川省总工会}."""
    short: Localized | None = None
    """Short name used in lists, e.g. {en: Sichuan FTU, zh: 省总工会}."""
    kind: OrganizationKind
    """What kind of body this is."""
    parent: Identifier | None = None
    """The organization directly above this one; omit for the root of a tree."""
    prefix: Localized | None = None
    """Prefix of this body's document numbers, e.g. {zh: 川工发, en: Sichuan FTU}."""
    email: EmailAddress | None = None
    """Contact address where distributed copies are sent."""
    address: Localized | None = None
    """Postal address, printed in the English letterhead."""
    phone: Text | None = None
    website: Text | None = None


class Role(Model):
    """A position a person holds in an organization."""

    org: Identifier
    """The organization."""
    title: Localized
    """The position, e.g. {en: Vice Chairman, zh: 副主席}."""
    rank: Annotated[int, Field(ge=1)] | None = None
    """Order of precedence in the organization's leadership list (1 first)."""
    concurrent: bool = False
    """Held concurrently (兼职), as a part-time post."""


class Person(Model):
    """Someone who signs, leads or is listed in the leadership."""

    id: Identifier
    """Stable identifier used to refer to this person."""
    name: Localized
    """Name, e.g. {en: Huang Wuming, zh: 黄武明}."""
    roles: list[Role] = []
    """Positions held, in the order they are written after the name."""
    note: Localized | None = None
    """Anything the positions do not say."""


class OrganizationsFile(Model):
    """The organizations registry (circulars/organizations.yaml)."""

    organizations: list[Organization]


class PeopleFile(Model):
    """The people registry (circulars/people.yaml)."""

    people: list[Person]


# --- a circular --------------------------------------------------------------------

Kind = Literal["notice", "opinions", "report", "article"]
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
    """How the group is written on the document, e.g. 各市（州）总工会."""

    @model_validator(mode="after")
    def _one_root(self) -> Selector:
        if (self.children_of is None) == (self.all_under is None):
            raise ValueError("give exactly one of 'children_of' or 'all_under'")
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
    deadline: Date | None = None
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
    deadline: Date | None = None
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
            raise ValueError("give exactly one of 'person' or 'name'")
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
    title: Text
    start: Date
    end: Date
    text: Paragraphs | None = None


class ReportingDuty(Model):
    what: Text
    to: Identifier
    """The organization reports go to."""
    due: Date | None = None
    every: Text | None = None
    """For recurring reports: monthly, 每季度, …"""


class Contact(Model):
    person: Identifier | None = None
    name: Text | None = None
    phone: Text | None = None
    email: EmailAddress | None = None


class Printing(Model):
    """The imprint line (印发机关和印发日期)."""

    org: Identifier | None = None
    """Defaults to the issuing body."""
    date: Date | None = None
    """Defaults to the date of issue."""


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
    number: Annotated[int, Field(ge=1)] | None = None
    """Sequence number in the lead issuer's year: 12 in 川工发〔2024〕12号."""
    date: Date
    """Date of issue."""
    signatory: Identifier | None = None
    """Person who signs (registry id)."""
    signer: Identifier | None = None
    """Person who approved an upward document (签发人)."""
    author: Identifier | None = None
    """Author of an article (registry id)."""
    source: Text | None = None
    """Where an article was published."""
    seal: bool | Literal["person"] = False
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
    to: list[Recipient] = []
    """Main recipients (主送机关)."""
    cc: list[Recipient] = []
    """Copies to (抄送机关)."""
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
    closing: Text | None = None
    """Closing formula; defaults by kind and language (特此通知。)."""
    notes: Paragraphs | None = None
    """Notes (附注) printed below the date."""
    documents: list[Document] = []
    """Documents this notice issues (印发) or forwards (转发), printed in full after it."""
    attachments: list[Attachment] = []
    printing: Printing | None = None
    tags: list[Text] = []

    @field_validator("tags")
    @classmethod
    def _unique_tags(cls, tags: list[str]) -> list[str]:
        if len(set(tags)) != len(tags):
            raise ValueError("tags repeat")
        return tags

    @property
    def lead_issuer(self) -> str:
        return self.issuer[0]

    @property
    def year(self) -> int:
        return self.date.year
