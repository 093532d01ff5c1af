"""The package's layers hold: import-linter's contracts pass (and catch an inverted
import), no module imports another's private names, and no two modules import each
other, directly or around a circle."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pytest_gradio"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def run_lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(cwd), "PATH": "/usr/bin:/bin"},
    )


def test_import_contracts_are_kept() -> None:
    result = run_lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_inverted_import_breaks_the_layers(tmp_path: Path) -> None:
    """The contracts are not vacuous: the timeline importing the client fails them."""
    copy = tmp_path / "project"
    copy.mkdir()
    shutil.copy(ROOT / "pyproject.toml", copy / "pyproject.toml")
    shutil.copytree(PACKAGE, copy / "pytest_gradio", ignore=shutil.ignore_patterns("__pycache__"))
    timeline = copy / "pytest_gradio" / "timeline.py"
    timeline.write_text(
        timeline.read_text() + "\n\ndef _inverted() -> None:\n    from .client import waiting\n"
    )
    result = run_lint_imports(copy)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert "pytest_gradio.timeline -> pytest_gradio.client.waiting" in result.stdout


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _absolute(module: str, node: ast.ImportFrom, is_package: bool) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def test_no_module_imports_private_names_of_another() -> None:
    offences = []
    for module, path in _modules().items():
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ImportFrom):
                continue
            source = _absolute(module, node, path.name == "__init__.py")
            if not source.startswith("pytest_gradio") or source == module:
                continue
            for alias in node.names:
                private_module = any(p.startswith("_") for p in source.split(".")[1:])
                if alias.name.startswith("_") or private_module:
                    offences.append(f"{module}:{node.lineno} imports {source}.{alias.name}")
    assert offences == []


def test_no_import_circles() -> None:
    # Annotations-only imports (under TYPE_CHECKING) never run, so they make no circle.
    graph = grimp.build_graph("pytest_gradio", cache_dir=None, exclude_type_checking_imports=True)
    modules = sorted(graph.modules)
    circles = []
    for module in modules:
        for imported in graph.find_modules_directly_imported_by(module):
            # A package's __init__ importing its own submodules is how packages work.
            if imported.startswith(module + "."):
                continue
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain is not None and not all(module.startswith(m + ".") for m in chain[1:]):
                circles.append(" -> ".join([module, *chain]))
    assert circles == []


@pytest.mark.parametrize("module", sorted(_modules()))
def test_every_module_says_what_it_owns(module: str) -> None:
    path = _modules()[module]
    docstring = ast.get_docstring(ast.parse(path.read_text()))
    assert docstring, f"{path.relative_to(ROOT)} has no module docstring"
