"""The Jinja environment: configured once, strict, overridable, sandboxed for the project's own.

Templates are looked up first in the project's own `templates/` folder, then in
the templates shipped with the package, so a secretariat can override one file
(say, the English notice) and keep the rest. Text from YAML only ever reaches a
template as data, never as template source, and the sandbox keeps templates
themselves from reaching into Python.

A project with no templates of its own renders with the built-in ones alone,
which are the package's code: they get a plain environment that reads only the
package's folder, without the sandbox's checks on every attribute and call
(a fifth of the rendering time). As soon as the project has a template of its
own, every template renders in the sandbox.

Compiled templates are kept in the user's cache folder between runs: compiling
them takes 70 ms, as long as rendering twenty circulars, in every process.
"""

from __future__ import annotations

import functools
import hashlib
import json
import sys
from pathlib import Path

import jinja2
from jinja2 import ChoiceLoader, Environment, FileSystemBytecodeCache, FileSystemLoader, StrictUndefined
from jinja2.bccache import Bucket
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from ..i18n import _
from ..source.files import cache_dir
from ..source.templates import builtin_templates, has_own_templates, template_dirs

# The largest string or list `*` may make, and integer `**` may compute (in bits):
# the sandbox already refuses ranges over 100,000 items; this keeps `"x" * 10**10`
# or `9**9**9` from eating the machine's memory or time.
MAX_REPEAT = 10_000_000
MAX_POWER_BITS = 100_000


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context, operator: str, left, right):
        if operator == "*" and _repeated_size(left, right) > MAX_REPEAT:
            raise SecurityError(
                _("'*' would make more than {max_repeat:,} items").format(max_repeat=MAX_REPEAT)
            )
        if operator == "**" and _power_bits(left, right) > MAX_POWER_BITS:
            raise SecurityError(
                _("'**' would make a number of more than {max_power_bits:,} bits").format(
                    max_power_bits=MAX_POWER_BITS
                )
            )
        return super().call_binop(context, operator, left, right)


def _repeated_size(left, right) -> int:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int):
            return len(sequence) * count
    return 0


def _power_bits(base, exponent) -> int:
    if isinstance(base, int) and isinstance(exponent, int) and exponent > 0 and abs(base) > 1:
        return (abs(base).bit_length() - 1) * exponent
    return 0


_SETTINGS = {
    "undefined": StrictUndefined,
    "autoescape": False,  # the output is Markdown; filters escape every text from YAML
    "keep_trailing_newline": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
}


def _yaml_filter(text) -> str:
    """A JSON string is a valid YAML scalar: safe for titles typed on the command line."""
    return json.dumps(text, ensure_ascii=False)


def environment(project_root: Path) -> Environment:
    """The sandbox when the project has templates of its own, else the built-in templates' own."""
    return _sandbox(project_root) if has_own_templates(project_root) else _builtin()


@functools.cache
def _sandbox(project_root: Path) -> ImmutableSandboxedEnvironment:
    loader = ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(project_root)])
    env = _Sandbox(loader=loader, **_SETTINGS)
    env.filters["yaml"] = _yaml_filter
    return env


@functools.cache
def _builtin() -> Environment:
    env = Environment(loader=FileSystemLoader(str(builtin_templates())), **_SETTINGS)
    env.filters["yaml"] = _yaml_filter
    return env


class _CompiledTemplates(FileSystemBytecodeCache):
    """Jinja's cache of compiled templates (keyed by the template's file and a
    checksum of its source), used at best: a cache that cannot be read or
    written only means compiling again, never a failed build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # a damaged file: compiled afresh, and rewritten
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            Path(self.directory).mkdir(parents=True, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            pass


def keep_compiled(env: Environment) -> None:
    """Give `env` a cache of compiled templates, once its filters and settings are final.

    Jinja keys its cache by template and source only, but the code it compiles also
    depends on the environment (its class, settings, filters and tests), so each
    environment gets a folder of its own, named by a digest of all that."""
    shape = (
        type(env).__module__,
        type(env).__qualname__,
        jinja2.__version__,
        sys.version,
        *(repr(getattr(env, name)) for name in _COMPILE_SETTINGS),
        getattr(env.finalize, "__qualname__", None),
        getattr(env.autoescape, "__qualname__", env.autoescape),
        sorted(env.filters),
        sorted(env.tests),
        sorted(env.extensions),
        sorted(getattr(env, "intercepted_binops", ())),
        sorted(getattr(env, "intercepted_unops", ())),
    )
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:16]
    env.bytecode_cache = _CompiledTemplates(str(cache_dir() / "templates" / digest))


# The settings that change what a template compiles to (Environment.__init__'s).
_COMPILE_SETTINGS = (
    "block_start_string",
    "block_end_string",
    "variable_start_string",
    "variable_end_string",
    "comment_start_string",
    "comment_end_string",
    "line_statement_prefix",
    "line_comment_prefix",
    "trim_blocks",
    "lstrip_blocks",
    "newline_sequence",
    "keep_trailing_newline",
    "optimized",
    "is_async",
)
