"""The Jinja environment: configured once, sandboxed, strict, overridable.

Templates are looked up first in the project's own `templates/` folder, then in
the templates shipped with the package, so a secretariat can override one file
(say, the English notice) and keep the rest. Text from YAML only ever reaches a
template as data, never as template source, and the sandbox keeps templates
themselves from reaching into Python.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

from jinja2 import ChoiceLoader, FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from ..source.templates import template_dirs


@functools.cache
def environment(project_root: Path) -> ImmutableSandboxedEnvironment:
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(project_root)]),
        undefined=StrictUndefined,
        autoescape=False,  # the output is Markdown; filters escape every text from YAML
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # a JSON string is a valid YAML scalar: safe for titles typed on the command line
    env.filters["yaml"] = lambda text: json.dumps(text, ensure_ascii=False)
    return env
