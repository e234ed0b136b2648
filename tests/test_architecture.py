"""The rooms stay clear (ARCHITECTURE.md), and every text exists in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "tuberry"

FORBIDDEN = {
    # Pure rules: no I/O, no framework, nothing else of Tuberry.
    "tuberry.domain": ("tuberry.", "aiogram", "sqlalchemy", "httpx", "arq", "redis", "pydantic", "aiohttp"),
    # The two external APIs as services: each knows its own API and nothing of Tuberry's state.
    "tuberry.avito": ("tuberry.bot", "tuberry.jobs", "tuberry.app", "tuberry.storage", "tuberry.telegram"),
    "tuberry.telegram": ("tuberry.bot", "tuberry.jobs", "tuberry.app", "tuberry.storage", "tuberry.avito"),
    "tuberry.storage": ("tuberry.bot", "tuberry.jobs", "tuberry.app", "tuberry.telegram", "aiogram"),
    # Use cases: called by the Telegram UI and by the jobs, and calling neither.
    "tuberry.app": ("tuberry.bot", "tuberry.jobs"),
    "tuberry.jobs": ("tuberry.bot",),
    "tuberry.bot.master": ("tuberry.bot.client",),
    "tuberry.bot.client": ("tuberry.bot.master",),
}
ALLOWED_INSIDE = {"tuberry.domain": "tuberry.domain", "tuberry.avito": "tuberry.avito"}


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _violations() -> list[str]:
    found = []
    for path in PACKAGE.rglob("*.py"):
        module = _module(path)
        for package, banned in FORBIDDEN.items():
            if not (module == package or module.startswith(package + ".")):
                continue
            own = ALLOWED_INSIDE.get(package)
            for name in _imports(path):
                if own and (name == own or name.startswith(own + ".")):
                    continue
                if any(
                    name == b.rstrip(".") or name.startswith(b if b.endswith(".") else b + ".") or name == b
                    for b in banned
                ):
                    found.append(f"{module} imports {name}")
    return found


def test_dependencies_point_inward() -> None:
    assert _violations() == []


def test_fakes_stand_alone() -> None:
    for path in (ROOT / "tests" / "fakes").glob("*.py"):
        assert not any(name.startswith("tuberry") for name in _imports(path)), path


def _keys(language: str) -> set[str]:
    keys: set[str] = set()
    for path in (PACKAGE / "locales" / language).glob("*.ftl"):
        keys |= set(re.findall(r"^([a-zA-Z][\w-]*)\s*=", path.read_text(encoding="utf-8"), re.M))
    return keys


@pytest.mark.parametrize(("this", "other"), [("ru", "en"), ("en", "ru")])
def test_every_text_exists_in_both_languages(this: str, other: str) -> None:
    missing = _keys(this) - _keys(other)
    assert not missing, f"in {this} but not in {other}: {sorted(missing)}"


def test_every_key_used_in_code_exists() -> None:
    known = _keys("ru")
    pattern = re.compile(r"""\b(?:t|T|translate|_t)\(\s*["']([a-z][\w-]+)["']""")
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(pattern.findall(path.read_text(encoding="utf-8")))
    assert used - known == set()
