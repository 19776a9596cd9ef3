"""Document numbers (发文字号): how they are written.

GB/T 9704-2012 for Chinese (川工发〔2024〕12号), a plain form for English
(ChemChina TU [2012] No. 3). The checks use these to find numbers used twice.
"""

from __future__ import annotations

from .model import Circular
from .registry import Registry


def format_number(prefix: str, year: int, number: int, language: str) -> str:
    if language == "zh":
        return f"{prefix}〔{year}〕{number}号"
    return f"{prefix} [{year}] No. {number}"


def document_number(circular: Circular, registry: Registry) -> str:
    """The circular's document number in its own language, or '' if it has none."""
    if circular.number is None:
        return ""
    org = registry.organizations.get(circular.lead_issuer)
    prefix = org.prefix.get(circular.language) if org and org.prefix else None
    if prefix is None:
        return ""
    return format_number(prefix, circular.year, circular.number, circular.language)
