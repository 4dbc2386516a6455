"""The package layering docs/architecture.md draws, checked: dependencies run one way,
no import cycle between packages or between modules, and no module imports
another feature's routes. `python tests/test_architecture.py` prints the
package graph."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "meetup"

# Lowest first. A package may import itself and packages of lower tiers only.
TIERS: list[set[str]] = [
    {"core"},
    {"settings", "logs"},
    {"db"},
    {"calendars"},
    {"web"},
    {"mail", "media"},
    {"people"},
    {"hosts"},
    {"events"},
    {"sources"},
    {"webhooks"},
    {"rsvps", "coffee", "followers"},
    {"attendance", "insights", "feeds", "followups", "newsletters"},
    {"profiles", "health", "api"},
    {"app", "demo"},
    {"cli"},
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(path): path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
    }


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every meetup module `path` imports, wherever the import statement is."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                found.add(candidate if candidate in known else node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] == "meetup"}


def module_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(path, set(found)) - {name} for name, path in found.items()}


def package_of(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "meetup"


def package_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, imported in module_graph().items():
        for other in imported:
            if package_of(other) != package_of(module):
                graph[package_of(module)].add(package_of(other))
    return dict(graph)


def cycle_in(graph: dict[str, set[str]]) -> list[str]:
    """One cycle of the graph, as a path, or [] when there is none."""
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = "open"
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and (found := visit(nxt, [*path, nxt])):
                return found
        state[node] = "done"
        return []

    for start in sorted(graph):
        if start not in state and (found := visit(start, [start])):
            return found
    return []


def tier_of(package: str) -> int:
    for level, members in enumerate(TIERS):
        if package in members:
            return level
    raise AssertionError(f"package {package!r} has no tier: add it to TIERS")


def test_every_package_has_a_tier() -> None:
    for package in {package_of(module) for module in modules()} - {"meetup"}:
        tier_of(package)


def test_packages_depend_only_on_lower_tiers() -> None:
    wrong = [
        f"{package} -> {other}"
        for package, imported in package_graph().items()
        if package != "meetup"
        for other in imported
        if other != "meetup" and tier_of(other) >= tier_of(package)
    ]
    assert wrong == []


def test_no_import_cycle_between_packages_or_modules() -> None:
    assert cycle_in(package_graph()) == []
    assert cycle_in(module_graph()) == []


def test_no_module_imports_another_features_routes() -> None:
    wrong = [
        f"{module} -> {other}"
        for module, imported in module_graph().items()
        if package_of(module) not in ("app", "meetup")
        for other in imported
        if other.endswith((".routes", ".admin"))
        and package_of(other) != package_of(module)
    ]
    assert wrong == []


def test_the_checks_find_what_they_look_for() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set()}) == []
    assert "meetup.web.auth" in module_graph()["meetup.app"] or any(
        name.startswith("meetup.web") for name in module_graph()["meetup.app"]
    )


if __name__ == "__main__":
    for package, imported in sorted(package_graph().items()):
        print(f"{package:<11} -> {', '.join(sorted(imported))}")
