"""JSON Schemas of the YAML formats, for editors and other tools.

Generated from the pydantic models, so the schema cannot drift from what
`circulars check` accepts. The example files point at the copies kept in
site/schema/ with a `# yaml-language-server: $schema=…` line.
"""

from __future__ import annotations

import json

from pydantic import BaseModel

from .model import Circular
from .names import SCHEMA_NAMES
from .registry_format import OrganizationsFile, PeopleFile

SCHEMAS: dict[str, type[BaseModel]] = dict(
    zip(SCHEMA_NAMES, (Circular, OrganizationsFile, PeopleFile), strict=True)
)


def json_schema(name: str) -> dict:
    schema = SCHEMAS[name].model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **schema,
    }


def json_schema_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"
