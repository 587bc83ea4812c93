"""The layers the folders show: each app imports only those below it, and a page's code is in
the people-facing app, never under a domain app.

    core  <-  actors  <-  summits  <-  outcomes  <-  tracker  <-  config

Read from the source (every import statement, migrations included), so that an upward
import fails here however deep in a function it hides.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["core", "actors", "summits", "outcomes", "tracker", "config"]
DOMAIN = ["actors", "summits", "outcomes"]


def imported_layers(path: Path) -> set[str]:
    """The project's layers a module imports, by the first part of each imported name."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return {name.split(".")[0] for name in names} & set(LAYERS)


def modules(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_the_layers_below_it(layer):
    allowed = set(LAYERS[: LAYERS.index(layer) + 1])
    upward = {
        str(path.relative_to(ROOT)): sorted(imported_layers(path) - allowed)
        for path in modules(layer)
        if imported_layers(path) - allowed
    }
    assert upward == {}


@pytest.mark.parametrize("layer", ["core", *DOMAIN])
def test_no_page_code_lives_below_the_tracker(layer):
    page_code = [
        str(path.relative_to(ROOT))
        for path in modules(layer)
        if path.stem in ("views", "urls", "forms", "filters", "feeds")
        or "views" in path.relative_to(ROOT).parts
        or "templatetags" in path.relative_to(ROOT).parts
    ]
    assert page_code == []


def test_every_address_is_found_from_the_trackers_urls():
    """config's root URLconf holds the admin and the tracker's own, nothing else."""
    from config import urls

    included = [
        pattern.urlconf_module for pattern in urls.urlpatterns if hasattr(pattern, "urlconf_module")
    ]
    assert [getattr(module, "__name__", "admin") for module in included] == [
        "admin",
        "tracker.urls",
    ]
