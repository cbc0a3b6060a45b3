"""The house's import contracts (issue 10), checked on every `make test`: no two lib packages import
each other (nor in a longer circle), pure document building reaches no client nor the ledger,
lib/ never imports Dagster, and no package of the product grows past 15 flat modules."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import qbsps_orchestration

LIB = Path(qbsps_orchestration.__file__).parent / "lib"
MAX_FLAT_MODULES = 15
PURE = {"documents", "mapping", "rsx", "config", "items"}  # build and check documents: no I/O
IO = {"ledger", "qbo", "sps", "http", "connector", "connect", "inbound", "outbound", "reference"}


def _imports() -> dict[str, set[str]]:
    """lib package (or top-level module) -> the other lib packages it imports."""
    edges: dict[str, set[str]] = defaultdict(set)
    for path in LIB.rglob("*.py"):
        parts = path.relative_to(LIB.parent.parent).with_suffix("").parts  # qbsps_orchestration, lib, ...
        source, package = parts[2], list(parts[:-1])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package[: len(package) - (node.level - 1)]
                    target = base + (node.module.split(".") if node.module else [])
                else:
                    target = (node.module or "").split(".")
                targets = [target]
            elif isinstance(node, ast.Import):
                targets = [alias.name.split(".") for alias in node.names]
            else:
                continue
            for found in targets:
                if found[:2] == ["qbsps_orchestration", "lib"] and len(found) > 2 and found[2] != source:
                    edges[source].add(found[2])
                if found[0] == "dagster" or found[:2] == ["qbsps_orchestration", "defs"]:
                    edges[source].add("dagster")
    return edges


def test_no_two_lib_packages_import_each_other() -> None:
    edges = _imports()
    both_ways = sorted(
        {tuple(sorted((a, b))) for a, targets in edges.items() for b in targets if a in edges.get(b, ())}
    )
    assert both_ways == []


def test_no_lib_package_reaches_itself_through_others() -> None:
    """Longer circles too (a -> b -> c -> a): each would make import order matter."""
    edges = _imports()

    def reachable(start: str) -> set[str]:
        seen: set[str] = set()
        todo = list(edges.get(start, ()))
        while todo:
            package = todo.pop()
            if package not in seen:
                seen.add(package)
                todo.extend(edges.get(package, ()))
        return seen

    assert sorted(package for package in edges if package in reachable(package)) == []


def test_document_building_does_no_io_and_lib_never_imports_dagster() -> None:
    edges = _imports()
    assert {package: sorted(edges[package] & IO) for package in PURE if edges[package] & IO} == {}
    assert sorted(package for package, targets in edges.items() if "dagster" in targets) == []


def _flat_modules(folder: Path) -> int:
    return len([module for module in folder.glob("*.py") if module.name != "__init__.py"])


def test_no_package_has_more_than_15_flat_modules() -> None:
    """Every package of the product, lib/ and the sandbox alike."""
    product = LIB.parent
    packages = [product, *(p for p in product.rglob("*") if p.is_dir() and (p / "__init__.py").exists())]
    sizes = {str(folder.relative_to(product.parent)): _flat_modules(folder) for folder in packages}
    over = {name: size for name, size in sizes.items() if size > MAX_FLAT_MODULES}
    assert over == {}
