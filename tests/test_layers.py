"""The house's guard: an app uses only the apps before it in the layer order.

The order is STYLE.md's "The house" (README, "Architecture"). An arrow can run three ways, and
each is checked: Python imports (also those inside functions), template `{% load %}` tags (a
tag library belongs to the app whose `templatetags` holds it), string model references
(`"catalog.Topic"`) and URL names: `{% url 'insights:…' %}` or `{% url 'profile' %}` in a
template and `reverse("insights:…")` (or `reverse_lazy`, `redirect`, `resolve_url`, and a
`pattern_name=`, `url_name=` or `to=` argument) in Python. A namespace belongs to the app
whose URLconf declares it; a name without one to the app whose URLconf declares it or, for a
name in the project's root URLconf, to the app whose view it serves (`home`: portal).
Migrations are history and are left out; the
project glue (`learning_portal/settings`, `urls.py`, `celery.py`, `wsgi.py`) and the site-wide
`templates/` folder sit above every app (so templates/circles/ may fill circles' hooks with
insights' links).
"""

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.template import engines
from django.urls import URLResolver, get_resolver

ROOT = Path(__file__).resolve().parent.parent
LAYERS = (
    "learning_portal.core",
    "people",
    "notifications",
    "catalog",
    "enrollment",
    "circles",
    "themes",
    "recognition",
    "integrations",
    "widgets",
    "insights",
    "portal",
)
LOAD_TAG = re.compile(r"{%\s*load\s+(.+?)\s*%}")
MODEL_REFERENCE = re.compile(r"([a-z_]+)\.([A-Z]\w*)")
URL_TAG = re.compile(r"""{%\s*url\s+(['"])([\w:-]+)\1""")
URL_NAME = re.compile(r"(?:([\w-]+):)?[\w:-]+")
URL_FUNCTIONS = {"reverse", "reverse_lazy", "redirect", "resolve_url"}
URL_KEYWORDS = {"pattern_name", "url_name", "to"}


def layer_of(module: str) -> str | None:
    """The layer a dotted module name belongs to (None: outside the house, e.g. Django)."""
    for layer in LAYERS:
        if module == layer or module.startswith(f"{layer}."):
            return layer
    return None


def app_label_layers() -> dict[str, str]:
    """Each of our apps' label ("core", "catalog", …) and its layer."""
    return {
        config.label: layer
        for config in apps.get_app_configs()
        if (layer := layer_of(config.name)) is not None
    }


def tag_library_layers() -> dict[str, str]:
    """Each template tag library's name and the layer that defines it."""
    libraries = engines["django"].engine.libraries
    return {name: layer for name, path in libraries.items() if (layer := layer_of(path))}


def url_namespace_layers() -> dict[str, str]:
    """Each URL namespace ("insights", "demand", …) and the layer whose URLconf declares it."""
    found = {}
    for namespace, (_, resolver) in get_resolver().namespace_dict.items():
        module = resolver.urlconf_module
        name = module if isinstance(module, str) else getattr(module, "__name__", "")
        if (layer := layer_of(name)) is not None:
            found[namespace] = layer
    return found


def url_name_layers() -> dict[str, str]:
    """Each URL name without a namespace ("profile", "home") and the layer that serves it."""
    found = {}

    def walk(patterns, owner: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace is None:  # a namespace's names are checked by it
                    module = pattern.urlconf_module
                    name = module if isinstance(module, str) else getattr(module, "__name__", "")
                    walk(pattern.url_patterns, layer_of(name))
            elif pattern.name:
                view = getattr(pattern.callback, "view_class", pattern.callback)
                # The root URLconf is the project's glue: its names are the serving app's.
                if (layer := owner or layer_of(view.__module__)) is not None:
                    found[pattern.name] = layer

    walk(get_resolver().url_patterns, None)
    return found


def source_files(root: Path, layer: str, pattern: str):
    folder = root / layer.replace(".", "/")
    for path in sorted(folder.rglob(pattern)):
        if "migrations" not in path.relative_to(folder).parts:
            yield path


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(root: Path, path: Path):
    """(line, module) for every import in a file, relative ones made absolute."""
    package = module_name(root, path)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            yield node.lineno, module
            if layer_of(module) is None:
                # `from learning_portal import core`: the name may be a package of ours.
                for alias in node.names:
                    yield node.lineno, f"{module}.{alias.name}"


def model_references(path: Path, labels: dict[str, str]):
    """(line, app label) of every string naming one of our models: "catalog.Topic"."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            match = MODEL_REFERENCE.fullmatch(node.value)
            if match and match[1] in labels:
                yield node.lineno, match[1]


def reversed_urls(path: Path):
    """(line, URL name) of every `reverse("ns:name")`- or `reverse("name")`-like call."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Call):
            continue
        function = node.func
        name = function.attr if isinstance(function, ast.Attribute) else getattr(function, "id", "")
        named = [keyword.value for keyword in node.keywords if keyword.arg in URL_KEYWORDS]
        for argument in (node.args[:1] if name in URL_FUNCTIONS else []) + named:
            text = argument.value if isinstance(argument, ast.Constant) else None
            if isinstance(text, str) and URL_NAME.fullmatch(text):
                yield node.lineno, text


def url_owner(url_name: str, namespaces: dict, names: dict) -> tuple[str | None, str]:
    """The layer a URL name ("insights:kpis", "profile") belongs to, and how to say it."""
    namespace, colon, _ = url_name.partition(":")
    if colon:
        return namespaces.get(namespace), f"{namespace}:"
    return names.get(url_name), url_name


def backward_arrows(root: Path = ROOT) -> list[str]:
    """Every use of a later layer by an earlier one, as 'file:line: layer -> layer (how)'."""
    labels = app_label_layers()
    libraries = tag_library_layers()
    namespaces = url_namespace_layers()
    url_names = url_name_layers()
    rank = {layer: position for position, layer in enumerate(LAYERS)}
    found = []

    def check(path: Path, line: int, layer: str, used: str | None, how: str) -> None:
        if used is not None and rank[used] > rank[layer]:
            found.append(f"{path.relative_to(root)}:{line}: {layer} -> {used} ({how})")

    for layer in LAYERS:
        for path in source_files(root, layer, "*.py"):
            for line, module in imported_modules(root, path):
                check(path, line, layer, layer_of(module), f"import {module}")
            for line, label in model_references(path, labels):
                check(path, line, layer, labels[label], f"model reference {label}")
            for line, url_name in reversed_urls(path):
                used, said = url_owner(url_name, namespaces, url_names)
                check(path, line, layer, used, f"reverse {said}")
        for path in source_files(root, layer, "*.html"):
            text = path.read_text()
            for match in LOAD_TAG.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                names = match[1].split()
                if "from" in names:  # {% load tag from library %}
                    names = names[names.index("from") + 1 :]
                for name in names:
                    check(path, line, layer, libraries.get(name), f"load {name}")
            for match in URL_TAG.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                used, said = url_owner(match[2], namespaces, url_names)
                check(path, line, layer, used, f"url {said}")
    return sorted(set(found))


def test_every_arrow_runs_down_the_layers():
    assert backward_arrows() == []


def test_installed_apps_are_listed_in_the_layer_order():
    # The guard keeps STYLE.md's order itself: the settings it checks cannot be its reference.
    ours = [layer_of(config.name) for config in apps.get_app_configs()]
    installed = [layer for layer in ours if layer is not None]
    assert installed == sorted(installed, key=LAYERS.index)


def test_every_app_of_ours_has_a_place_in_the_layers():
    ours = [
        config.name
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(ROOT) and "site-packages" not in config.path
    ]
    assert [name for name in ours if layer_of(name) is None] == []


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        (
            "catalog/example.py",
            "from enrollment.models import Enrollment\n",
            "catalog/example.py:1: catalog -> enrollment (import enrollment.models)",
        ),
        (
            "people/example.py",
            "def later():\n    from widgets import selectors\n",
            "people/example.py:2: people -> widgets (import widgets)",
        ),
        (
            "learning_portal/core/example.py",
            "from themes import selectors\n",
            "learning_portal/core/example.py:1: learning_portal.core -> themes (import themes)",
        ),
        (
            "people/models_example.py",
            'TOPIC = "catalog.Topic"\n',
            "people/models_example.py:1: people -> catalog (model reference catalog)",
        ),
        (
            "catalog/templates/catalog/x.html",
            "{% load tz enrollment_tags %}\n",
            "catalog/templates/catalog/x.html:1: catalog -> enrollment (load enrollment_tags)",
        ),
        (
            "circles/templates/circles/x.html",
            "<p>\n<a href=\"{% url 'insights:takeaways' %}\">Takeaways</a>\n",
            "circles/templates/circles/x.html:2: circles -> insights (url insights:)",
        ),
        (
            "catalog/example.py",
            'from django.urls import reverse\nURL = reverse("widgets:frame", args=[1])\n',
            "catalog/example.py:2: catalog -> widgets (reverse widgets:)",
        ),
        (
            "enrollment/views_example.py",
            'def view(request):\n    return shortcuts.redirect("demand:board")\n',
            "enrollment/views_example.py:2: enrollment -> insights (reverse demand:)",
        ),
        (
            "catalog/models_example.py",
            'def url(item):\n    return reverse("item_detail", kwargs={"slug": item.slug})\n',
            "catalog/models_example.py:2: catalog -> portal (reverse item_detail)",
        ),
        (
            "people/adapters_example.py",
            'def refuse(self, request):\n    self._refuse(request, MESSAGE, to="profile")\n',
            "people/adapters_example.py:2: people -> portal (reverse profile)",
        ),
        (
            "catalog/templates/catalog/y.html",
            "<a href=\"{% url 'home' %}\">Home</a>\n",
            "catalog/templates/catalog/y.html:1: catalog -> portal (url home)",
        ),
    ],
)
def test_the_guard_sees_an_arrow_that_runs_back_up(tmp_path, relative, text, expected):
    target = tmp_path / relative
    target.parent.mkdir(parents=True)
    target.write_text(text)

    assert expected in backward_arrows(tmp_path)


def test_the_guard_lets_an_arrow_down_pass(tmp_path):
    target = tmp_path / "widgets" / "example.py"
    target.parent.mkdir(parents=True)
    target.write_text(
        "from catalog.models import Item\nfrom . import models\n"
        'URL = reverse("catalog:item_list")\nHEALTH = reverse("healthz")\n'
        'LOGIN = redirect(to="account_login")\n'
    )
    template = tmp_path / "widgets" / "templates" / "widgets" / "x.html"
    template.parent.mkdir(parents=True)
    template.write_text(
        "{% url 'circles:circle_list' %} {% url 'widgets:frame' %} {% url 'account_login' %}\n"
    )

    assert backward_arrows(tmp_path) == []
