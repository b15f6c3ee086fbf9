"""The layout holds: no import circles between tracker's modules, no module over 500 lines, and
the import contracts in pyproject.toml (which part may import which) all kept.

`python -m tests.test_layout` prints the figures; `make lint` runs it."""

from __future__ import annotations

import sys
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES = 500


def import_circles(package: str = "tracker") -> list[list[str]]:
    """Every set of the package's modules that import each other in a circle (Tarjan's strongly
    connected components of the import graph; imports made only for type hints excluded)."""
    graph = grimp.build_graph(package, exclude_type_checking_imports=True, cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return circles


def long_modules() -> dict[str, int]:
    """Modules of tracker/ over MAX_LINES lines."""
    lengths = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted((ROOT / "tracker").rglob("*.py"))
    }
    return {path: n for path, n in lengths.items() if n > MAX_LINES}


def test_no_module_imports_itself_through_others() -> None:
    assert import_circles() == []


def test_no_module_is_over_the_limit() -> None:
    assert long_modules() == {}


def test_every_import_contract_is_kept() -> None:
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def test_the_circle_finder_finds_circles(tmp_path: Path) -> None:
    """The check itself works: a three-module circle is found, a type-hint import is not one."""
    package = tmp_path / "circular"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from circular import b\n")
    (package / "b.py").write_text("from circular import c\n")
    (package / "c.py").write_text("from circular import a\n")
    (package / "d.py").write_text("from circular import a, e\n")
    (package / "e.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from circular import d\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        assert import_circles("circular") == [["circular.a", "circular.b", "circular.c"]]
    finally:
        sys.path.remove(str(tmp_path))


if __name__ == "__main__":
    circles = import_circles()
    print(f"import circles in tracker/: {len(circles)}")
    for circle in circles:
        print("  " + " -> ".join(circle))
    long = long_modules()
    print(f"modules over {MAX_LINES} lines: {len(long)}")
    for path, n in long.items():
        print(f"  {path}: {n}")
    sys.exit(1 if circles or long else 0)
