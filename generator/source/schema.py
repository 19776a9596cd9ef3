"""JSON Schemas of the YAML formats, for editors and other tools.

Generated from the pydantic models, so the schema cannot drift from what
`circulars check` accepts. The example files point at the copies kept in
site/schema/ with a `# yaml-language-server: $schema=…` line.

Each field's description is its docstring in the model, read here, when a
schema is made: pydantic can read them as it makes each model class
(use_attribute_docstrings), but that is 40 ms of every command's start-up
for text only the schema shows.
"""

from __future__ import annotations

import ast
import functools
import inspect
import itertools
import json
import textwrap

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from .model import Circular
from .names import SCHEMA_NAMES
from .registry_format import OrganizationsFile, PeopleFile

SCHEMAS: dict[str, type[BaseModel]] = dict(
    zip(SCHEMA_NAMES, (Circular, OrganizationsFile, PeopleFile), strict=True)
)


class _Described(GenerateJsonSchema):
    """pydantic's JSON Schema, with each field's docstring as its description."""

    def model_schema(self, schema):
        json_schema = super().model_schema(schema)
        docstrings = _field_docstrings(schema["cls"])
        for name, field in json_schema.get("properties", {}).items():
            if name in docstrings and "description" not in field:
                field["description"] = docstrings[name]
        return json_schema


@functools.cache
def _field_docstrings(model: type) -> dict[str, str]:
    """The docstring under each field, from the model's own class and its bases."""
    found: dict[str, str] = {}
    for cls in reversed(model.__mro__):
        if issubclass(cls, BaseModel) and cls is not BaseModel:
            found.update(_own_docstrings(cls))
    return found


def _own_docstrings(cls: type) -> dict[str, str]:
    body = ast.parse(textwrap.dedent(inspect.getsource(cls))).body[0].body
    return {
        statement.target.id: inspect.cleandoc(following.value.value)
        for statement, following in itertools.pairwise(body)
        if isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and isinstance(following, ast.Expr)
        and isinstance(following.value, ast.Constant)
        and isinstance(following.value.value, str)
    }


def json_schema(name: str) -> dict:
    schema = SCHEMAS[name].model_json_schema(schema_generator=_Described)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{name}.schema.json",
        **schema,
    }


def json_schema_text(name: str) -> str:
    return json.dumps(json_schema(name), ensure_ascii=False, indent=2) + "\n"
