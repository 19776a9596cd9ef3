"""The shipped example corpus: valid, complete, round-trips through the model and the JSON Schema."""

from __future__ import annotations

import datetime
import json

import jsonschema
import pytest
from conftest import REPO, run

from generator.source.diagnostics import Diagnostics
from generator.source.loading import load_project
from generator.source.model import Circular
from generator.source.project import circular_files
from generator.source.schema import SCHEMAS, json_schema_text
from generator.source.yaml_source import read_yaml

EXAMPLES = circular_files(REPO / "circulars")


def as_json(value):
    """What an editor's YAML language server sees: dates are strings."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def load(path):
    return as_json(read_yaml(path, Diagnostics()).data)


def test_the_corpus_checks_clean_even_strictly():
    result = run(REPO, "check", "--strict", str(REPO / "circulars"))
    assert result.exit_code == 0
    # it reads the whole project (references are checked against it), and finds nothing wrong
    circulars = len(list((REPO / "circulars").glob("*/*.yaml")))
    assert result.stdout.splitlines() == [
        f"{circulars} circulars, 2 registry files, 1 table file checked: no problems"
    ]


def test_the_corpus_represents_every_seed_and_two_chinese_circulars():
    project = load_project(REPO)
    ids = {c.id for c in project.circulars}
    seeds = {
        "chemchina-2012-03",  # 000: ChemChina union circular
        "panzhihua-2024-07-en",  # 001: Panzhihua four requirements
        "sichuan-2024-12-en",  # 002: Sichuan stationing programme
        "fujian-2023-28-en",  # 003: Fujian four grassroots
        "acftu-2019-reform-article",  # 004: the article
    }
    assert seeds <= ids
    chinese = {c.id for c in project.circulars if c.language == "zh"}
    assert {"panzhihua-2024-07", "fujian-2023-28"} <= chinese
    # seed 004's leadership list, in order of precedence
    leadership = sorted(
        (min(role.rank for role in person.roles if role.org == "acftu" and role.rank), person.name.en)
        for person in project.registry.people.values()
        if any(role.org == "acftu" and role.rank for role in person.roles)
    )
    assert [name for _, name in leadership[:3]] == ["Wang Dongming", "Chen Gang", "Zhang Shaoqin"]
    assert len(leadership) >= 19
    # a realistic tree: national → provincial → municipal → county → park → grassroots
    chain = [o.id for o in project.registry.ancestors("geliping-park-federation")]
    assert chain[-1] == "acftu" and "sichuan-ftu" in chain and "panzhihua-ftu" in chain
    grassroots = [o for o in project.registry.descendants("panzhihua-ftu") if o.kind == "grassroots-union"]
    assert len(grassroots) >= 30 and all(o.email and o.email.endswith(".example.org") for o in grassroots)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_round_trips_through_the_model(path):
    data = load(path)
    circular = Circular.model_validate(data)
    dumped = circular.model_dump(mode="json", exclude_defaults=True)
    assert Circular.model_validate(dumped) == circular
    jsonschema.validate(dumped, json.loads(json_schema_text("circular")))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_schema_accepts_every_example_as_written(path):
    assert path.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../site/schema/circular.schema.json\n"
    )
    jsonschema.validate(load(path), json.loads(json_schema_text("circular")))


def test_schema_rejects_an_unknown_key_like_check_does():
    data = load(REPO / "circulars/2024/panzhihua-2024-07.yaml")
    data["requirments"] = data.pop("requirements")
    with pytest.raises(jsonschema.ValidationError, match="requirments"):
        jsonschema.validate(data, json.loads(json_schema_text("circular")))
    nested = load(REPO / "circulars/2024/panzhihua-2024-07.yaml")
    nested["requirements"][0]["deadlin"] = nested["requirements"][0].pop("deadline")
    with pytest.raises(jsonschema.ValidationError, match="deadlin"):
        jsonschema.validate(nested, json.loads(json_schema_text("circular")))


@pytest.mark.parametrize("name", ["organizations", "people"])
def test_registry_schemas_accept_the_registry(name):
    path = REPO / "circulars" / f"{name}.yaml"
    assert path.read_text(encoding="utf-8").startswith(
        f"# yaml-language-server: $schema=../site/schema/{name}.schema.json\n"
    )
    jsonschema.validate(load(path), json.loads(json_schema_text(name)))


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_committed_schemas_are_current(name):
    committed = (REPO / "site/schema" / f"{name}.schema.json").read_text(encoding="utf-8")
    assert committed == json_schema_text(name), (
        f"run: circulars schema {name} > site/schema/{name}.schema.json"
    )
