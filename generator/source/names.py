"""The names the YAML format and a project's folder fix, in a module without pydantic.

The command line puts them in its options and help, which `circulars --help`
prints without loading the model; model.py, project.py and schema.py take
them from here.
"""

from __future__ import annotations

import re

LANGUAGES: tuple[str, ...] = ("en", "zh")

# An id: lowercase letters, digits and hyphens, safe as a file name and in a URL.
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")

DATA_DIR = "circulars"  # the project's folder of sources and registry
ORGANIZATIONS_FILE = "organizations.yaml"
PEOPLE_FILE = "people.yaml"
REGISTRY_FILES = (ORGANIZATIONS_FILE, PEOPLE_FILE)

SCHEMA_NAMES = ("circular", "organizations", "people")  # the formats `circulars schema` prints
