"""Imports flow one way through the pipeline's layers (STYLE.md), and only cli.py prints."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "sitegen"

# Highest first. A module may import from its own layer or any lower one, never a higher one.
LAYERS = [
    {"cli", "__main__"},
    {"serve"},
    {"watch", "build", "pipeline", "resident", "importer", "bench"},
    {"pages", "render", "search", "search_input", "search_index", "search_ranges", "search_shards", "search_stem",
     "search_resident",
     "search_analysis", "output", "feeds", "sitemap",
     "discovery", "timeline", "cache", "parallel", "fingerprints", "recording", "terms_report", "workers", "check",
     "results"},
    {"loader", "taxonomy", "urls", "entities"},
    {"model", "config", "frontmatter", "markdown", "slugs"},
    {"errors", "__init__"},
]
LAYER_OF = {name: depth for depth, names in enumerate(LAYERS) for name in names}


def _modules() -> dict[str, Path]:
    return {".".join(path.relative_to(PACKAGE).with_suffix("").parts): path
            for path in PACKAGE.rglob("*.py")}


def _top(module: str) -> str:
    return module.split(".")[0]


def _imports(path: Path) -> set[str]:
    """Top-level sitegen modules imported by the file at `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package_parts = path.relative_to(PACKAGE).parent.parts
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(package_parts[: len(package_parts) - (node.level - 1)])
                target = base + (node.module.split(".") if node.module else [])
                if target:
                    names.add(target[0])
                else:  # `from . import x`: a sibling module, or a name from __init__
                    names.update(a.name if (PACKAGE / f"{a.name}.py").exists() or (PACKAGE / a.name).is_dir()
                                 else "__init__" for a in node.names)
            elif node.module and node.module.split(".")[0] == "sitegen":
                parts = node.module.split(".")
                names.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "sitegen" and len(parts) > 1:
                    names.add(parts[1])
    return names


@pytest.mark.parametrize("module", sorted(_modules()))
def test_imports_flow_downwards(module: str) -> None:
    top = _top(module)
    assert top in LAYER_OF, f"sitegen/{top} is in no layer: add it to LAYERS in {Path(__file__).name}"
    for imported in _imports(_modules()[module]) - {top}:
        assert imported in LAYER_OF, f"{module} imports unknown module {imported}"
        assert LAYER_OF[imported] >= LAYER_OF[top], \
            f"{module} (layer {LAYER_OF[top]}) imports {imported} from a higher layer ({LAYER_OF[imported]})"


def test_only_the_cli_prints() -> None:
    offenders = []
    for module, path in _modules().items():
        if _top(module) in ("cli", "__main__") or module.startswith("bench"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("print", "exit"):
                offenders.append(f"{module}:{node.lineno}")
    assert offenders == []
