"""Document numbers (发文字号): how they are written.

A circular's number belongs to a series of its lead issuer (registry_format.Series;
the default series is the organization's `prefix`), written by the series'
pattern: GB/T 9704-2012 for Chinese by default (川工发〔2024〕12号), a plain form
for English (ChemChina TU [2012] No. 3), or the series' own (NP/202/16). The
checks use these to find numbers used twice.
"""

from __future__ import annotations

from .model import Circular
from .number_series import DEFAULT_LABELS, DEFAULT_PATTERNS, format_with
from .registry import Registry


def format_number(prefix: str, year: int, number: int, language: str, pattern: str | None = None) -> str:
    return format_with(pattern or DEFAULT_PATTERNS[language], prefix, year, number)


def document_number(circular: Circular, registry: Registry) -> str:
    """The circular's document number in its own language, or '' if it has none."""
    if circular.number is None:
        return ""
    series = registry.series(circular.lead_issuer, circular.series)
    if series is None:
        return ""
    language = circular.language
    prefix = series.prefix.get(language)
    pattern = series.pattern.get(language) if series.pattern else None
    if prefix is None and (pattern is None or "{prefix}" in pattern):
        return ""
    return format_number(prefix or "", circular.year, circular.number, language, pattern)


def number_label(circular: Circular, registry: Registry) -> str:
    """What introduces the number in the international layout: the circular's
    `series_label` (false: nothing), the series' label, or Ref."""
    if circular.series_label is not None:
        return circular.series_label + " " if circular.series_label else ""
    series = registry.series(circular.lead_issuer, circular.series)
    label = series.label.get(circular.language) if series is not None and series.label else None
    return label + " " if label else DEFAULT_LABELS[circular.language]
