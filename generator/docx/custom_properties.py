"""The circular's metadata in the Word document's custom properties (docProps/custom.xml).

What the text of a document does not show exactly but `circulars import` needs
to give back the same circular: its id (so that translations and supersessions
pointing at it stay whole), the registry ids of its issuers, recipients and
signatory, its kind, status, series, tags and layout options. Word shows them
under File > Properties > Custom and keeps them when a document is edited.
They are written as one JSON text, in the form the YAML takes.
"""

from __future__ import annotations

import json

from ..source.model import Circular
from .body import xml_text

ID_PROPERTY = "Circulars id"
METADATA_PROPERTY = "Circulars metadata"
_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one format id Word uses for user properties

METADATA_KEYS = (
    "id", "kind", "language", "status", "layout", "issuer", "series", "number", "date", "date_style",
    "signatory", "signer", "author", "source", "seal", "urgency", "classification", "translation_of",
    "supersedes", "amends", "letterhead", "references", "series_label", "header_order", "to", "cc",
    "to_label", "labels", "headings", "printing", "publicity", "tags", "in_force", "changes",
)  # fmt: skip
"""Fields stored: those that are ids, choices or wording switches rather than text to read."""


def custom_properties(circular: Circular) -> bytes:
    metadata = circular.model_dump(mode="json", include=set(METADATA_KEYS), exclude_defaults=True)
    metadata = {key: metadata[key] for key in METADATA_KEYS if key in metadata}
    metadata["language"] = circular.language
    values = {
        ID_PROPERTY: circular.id,
        METADATA_PROPERTY: json.dumps(metadata, ensure_ascii=False, separators=(",", ":")),
    }
    properties = "".join(
        f'<property fmtid="{_FMTID}" pid="{pid}" name="{xml_text(name)}">'
        f"<vt:lpwstr>{xml_text(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), 2)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"'
        ' xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        f"{properties}</Properties>"
    ).encode()


def read_metadata(custom: dict[str, str]) -> dict:
    """The metadata a document written by this tool carries ({} for any other document)."""
    try:
        metadata = json.loads(custom.get(METADATA_PROPERTY, "") or "{}")
    except ValueError:
        return {}
    return metadata if isinstance(metadata, dict) else {}
