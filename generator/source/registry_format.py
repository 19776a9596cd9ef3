"""The format of the registry: circulars/organizations.yaml (the union tree, its
kinds of organization and series of document numbers) and circulars/people.yaml.

Like model.py, these pydantic models are the single definition of the YAML
format and give `circulars schema` its JSON Schemas.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from .base import MODEL_CONFIG, Flag
from .model import EmailAddress, Identifier, Language, Localized, OrganizationKind, Text
from .number_series import Pattern


class Model(BaseModel):
    model_config = MODEL_CONFIG


class OrganizationKindEntry(Model):
    """A kind of organization the registry adds to the built-in ones."""

    id: Identifier
    """Used as `kind:` of an organization and in selectors, e.g. university-union."""
    name: Localized
    """What one is called, e.g. {en: university trade union, zh: 高校工会}."""
    group: Localized | None = None
    """How a group of them is written when a selector has no label, e.g. {zh: 高校工会}."""


class Series(Model):
    """A series of document numbers (发文字号) with its own counter, e.g. 琼工办发."""

    id: Identifier
    """Named by a circular's `series:`, e.g. office or letters."""
    prefix: Localized
    """The prefix, e.g. {zh: 琼工办发}."""
    pattern: Annotated[dict[Language, Pattern], Field(min_length=1)] | None = None
    """How numbers are written, per language: {prefix}〔{year}〕{number}号 (the default in
    Chinese), {prefix} [{year}] No. {number} (in English), NP/{number:3}/{yy} …"""
    label: Localized | None = None
    """What introduces the number in the international layout, e.g. {en: "Head Office Circular No."}."""


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
    pattern: Annotated[dict[Language, Pattern], Field(min_length=1)] | None = None
    """How those numbers are written, per language, e.g. {en: "NP/{number:3}/{yy}"} (see Series)."""
    series: list[Series] = []
    """Further series of document numbers, each with its own counter (a circular names one)."""
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
    concurrent: Flag = False
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

    kinds: list[OrganizationKindEntry] = []
    """Kinds of organization besides the built-in ones (a university union, a branch, …)."""
    organizations: list[Organization]


class PeopleFile(Model):
    """The people registry (circulars/people.yaml)."""

    people: list[Person]
