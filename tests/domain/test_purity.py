"""tuberry.domain stays pure: standard library only, no clock, no I/O."""

import ast
import sys
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "tuberry" / "domain"
MODULES = sorted(DOMAIN.glob("*.py"))
# Reading the clock or the outside world; time must come in as an argument.
# (The time module itself is forbidden below, which covers time.time().)
FORBIDDEN_METHODS = {"now", "utcnow", "today", "monotonic", "perf_counter", "getenv"}
FORBIDDEN_FUNCTIONS = {"open", "print", "input", "exec", "eval", "__import__"}
FORBIDDEN_MODULES = {"os", "io", "socket", "subprocess", "pathlib", "random", "logging", "asyncio", "time"}


def imported_modules(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_standard_library_and_domain_imports(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for module in imported_modules(tree):
        top = module.split(".")[0]
        if module.startswith("tuberry."):
            assert module.startswith("tuberry.domain."), f"{path.name} imports {module}"
        else:
            assert top in sys.stdlib_module_names or top == "__future__", f"{path.name} imports {module}"
            assert top not in FORBIDDEN_MODULES, f"{path.name} imports {module}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_no_clock_and_no_io_calls(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                assert func.attr not in FORBIDDEN_METHODS, f"{path.name}:{node.lineno} calls .{func.attr}()"
            elif isinstance(func, ast.Name):
                assert func.id not in FORBIDDEN_FUNCTIONS, f"{path.name}:{node.lineno} calls {func.id}()"


def test_modules_are_small() -> None:
    for path in MODULES:
        assert len(path.read_text(encoding="utf-8").splitlines()) <= 300, path.name
