"""How much of the ported gradio e2e specs still needs raw Playwright (issue 22).

Parses the spec ports with `ast` (tests/test_browser_specs.py, tests/test_browser_ports.py)
and counts, per spec (the `# -- <name>.spec.ts` section a test is in), the action and
assert statements of its tests: expression statements, assignments and `assert`s
(`with` and `for` blocks count their bodies; the test's docstring does not count). A
statement is raw when it touches Playwright directly: `gradio_page.page`, `.locator(`,
`get_by_*` / `evaluate` / `wait_for_timeout` on the page, or Playwright's `expect(`.

    python scripts/raw_playwright.py            # per spec, then the total
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "tests" / "test_browser_specs.py", ROOT / "tests" / "test_browser_ports.py"]
SECTION = re.compile(r"^# -- (?P<specs>.+?\.spec\.ts.*?) -+$")
RAW = re.compile(
    r"gradio_page\.page\b|\.locator\(|\bexpect\(|gradio_page\.(get_by_\w+|evaluate|"
    r"wait_for_timeout|locator|keyboard|mouse|click|fill|goto)\b"
)


def statements(body: list[ast.stmt]) -> list[ast.stmt]:
    found: list[ast.stmt] = []
    for node in body:
        if isinstance(node, (ast.With, ast.For, ast.If, ast.While)):
            if isinstance(node, ast.With):
                found.append(node)  # the `with` line itself acts (expect_job, raises)
            found.extend(statements(node.body))
        elif isinstance(node, (ast.Expr, ast.Assign, ast.AugAssign, ast.AnnAssign, ast.Assert)):
            if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
                continue  # a docstring
            found.append(node)
    return found


def count(path: Path) -> dict[str, list[tuple[int, str, bool]]]:
    text = path.read_text()
    lines = text.splitlines()
    sections: list[tuple[int, str]] = []
    for number, line in enumerate(lines, 1):
        match = SECTION.match(line.strip())
        if match:
            sections.append((number, match["specs"]))
    per_spec: dict[str, list[tuple[int, str, bool]]] = {}
    for node in ast.parse(text).body:
        if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test_"):
            continue
        spec = next((s for n, s in reversed(sections) if n < node.lineno), None)
        if spec is None:
            continue
        for stmt in statements(node.body):
            if isinstance(stmt, ast.With):
                source = lines[stmt.lineno - 1].strip()
            else:
                source = ast.get_source_segment(text, stmt) or ""
            raw = bool(RAW.search(source))
            per_spec.setdefault(spec, []).append((stmt.lineno, source.splitlines()[0], raw))
    return per_spec


def main() -> int:
    total = raw_total = 0
    for path in FILES:
        for spec, found in count(path).items():
            raw = [f for f in found if f[2]]
            total += len(found)
            raw_total += len(raw)
            print(f"{spec}: {len(found)} statements, {len(raw)} raw  ({path.name})")
            for line, source, _ in raw:
                print(f"    raw {path.name}:{line}: {source}")
    share = 100 * raw_total / total if total else 0.0
    print(f"total: {total} statements, {raw_total} raw ({share:.1f} %)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
