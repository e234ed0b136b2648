"""The deployment files are checked by machine, not by eye: the compose file against the Compose
specification's schema, the lock file against pyproject, every setting documented where operators look."""

from __future__ import annotations

import json
import re
import tomllib

import jsonschema
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.deploy.files import ROOT, compose
from tuberry.bot.settings import Settings


def test_the_compose_file_follows_the_compose_specification() -> None:
    schema = json.loads((ROOT / "deploy" / "schema" / "compose-spec.json").read_text(encoding="utf-8"))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(compose())]
    assert errors == []


def test_the_compose_file_has_the_production_shape() -> None:
    services = compose()["services"]
    assert {"postgres", "redis", "migrate", "bot", "worker", "caddy"} <= set(services)
    assert "--appendonly" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    for name in ("postgres", "redis"):
        assert services[name]["healthcheck"]["test"] and services[name]["volumes"]
    for name in ("bot", "worker"):
        assert services[name]["restart"] == "unless-stopped"
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["migrate"]["command"] == ["tuberry", "migrate"]
    assert "ports" not in services["worker"] and "container_name" not in services["worker"]  # --scale works
    assert services["caddy"]["profiles"] == ["tls"]


def _documented_in_readme() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_cells = re.findall(r"^\| (`[A-Z_]+`.*?) \|", readme, re.M)
    return {name for cell in first_cells for name in re.findall(r"`([A-Z_]+)`", cell)}


def _in_env_example() -> set[str]:
    text = (ROOT / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", text, re.M))


def test_every_setting_is_in_env_example_and_the_readme_table() -> None:
    settings = {name.upper() for name in Settings.model_fields}
    assert settings - _in_env_example() == set(), ".env.example misses these settings"
    assert settings - _documented_in_readme() == set(), "the README's configuration table misses these"


def _locked() -> dict[str, str]:
    text = (ROOT / "requirements.lock").read_text(encoding="utf-8")
    pins = re.findall(r"^([\w.-]+)==(\S+)", text, re.M)
    return {canonicalize_name(name): version for name, version in pins}


def test_the_lock_file_pins_every_dependency_of_pyproject() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    locked = _locked()
    problems = []
    for line in pyproject["project"]["dependencies"]:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name not in locked:
            problems.append(f"{name} is not in requirements.lock")
        elif not requirement.specifier.contains(locked[name], prereleases=True):
            problems.append(f"{name}=={locked[name]} does not satisfy {requirement.specifier}")
    assert problems == [], f"regenerate requirements.lock (see its first lines): {problems}"
    assert "lupa" in locked  # fakeredis's [lua] extra: the embedded store runs arq's scripts


def test_the_image_runs_as_a_user_and_holds_no_tests_or_secrets() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    # The base is a build argument (bench/docker_smoke.sh passes a local one); operators get python:3.11-slim.
    assert re.search(r"^ARG BASE=python:3\.11-slim$", dockerfile, re.M)
    assert re.search(r"^FROM \$\{BASE\}$", dockerfile, re.M)
    assert re.search(r"^USER (?!root)\w+", dockerfile, re.M)
    assert "--require-hashes" in dockerfile and "requirements.lock" in dockerfile
    assert re.search(r"^HEALTHCHECK .*\n?.*/healthz", dockerfile, re.M)
    copied = re.findall(r"^COPY (.+) \S+$", dockerfile, re.M)
    assert all(not part.startswith(("tests", ".env", "bench")) for line in copied for part in line.split())
    ignore = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    assert next(line for line in ignore if not line.startswith("#")) == "*"  # an allow-list
    assert not any(line.startswith("!") and ("tests" in line or ".env" in line) for line in ignore)
