"""The dashboard's ES modules (dashboard/static/dashboard/js/) as the browser finds them, in development and after
`collectstatic` with the production storage, whose hashed file names the modules' own imports do not know."""

import json
import re
from pathlib import Path
from posixpath import dirname, normpath
from urllib.parse import urljoin

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client

from drivers.services import drivers_seed_demo

pytestmark = pytest.mark.django_db

MODULES = Path(django_settings.BASE_DIR) / "dashboard" / "static" / "dashboard" / "js"
IMPORT = re.compile(r"""^(?:import|export)\b[^;]*?\bfrom\s*"([^"]+)";""", re.MULTILINE | re.DOTALL)


def _page(client: Client) -> str:
    client.force_login(drivers_seed_demo()[0].driver.user)
    response = client.get("/")
    assert response.status_code == 200
    return response.content.decode()


def _import_map(html: str) -> dict[str, str]:
    match = re.search(r'<script type="importmap">(.*?)</script>', html, re.DOTALL)
    assert match, "no import map in the page"
    return json.loads(match.group(1))["imports"]


def _entry(html: str) -> str:
    match = re.search(r'<script type="module" src="([^"]+)"></script>', html)
    assert match, "no module script in the page"
    return match.group(1)


def _imports(source: str) -> list[str]:
    return IMPORT.findall(source)


def test_page_loads_main_module_and_maps_every_module_of_the_folder():
    html = _page(Client())
    assert "{#" not in html and "{%" not in html  # no template comment or tag shown as text
    assert _entry(html) == "/static/dashboard/js/main.js"
    modules = sorted(p.name for p in MODULES.glob("*.js"))
    assert "main.js" in modules
    assert _import_map(html) == {f"/static/dashboard/js/{m}": f"/static/dashboard/js/{m}" for m in modules}


def test_modules_import_only_sibling_modules_that_exist():
    for module in MODULES.glob("*.js"):
        for target in _imports(module.read_text()):
            assert re.fullmatch(r"\./[a-z-]+\.js", target), f"{module.name} imports {target}"
            assert (MODULES / target).is_file(), f"{module.name} imports missing {target}"


def test_modules_import_each_other_without_a_cycle():
    graph = {m.name: [t.removeprefix("./") for t in _imports(m.read_text())] for m in MODULES.glob("*.js")}
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, "import cycle: " + " -> ".join((*path, name))
        if name not in done:
            for target in graph[name]:
                visit(target, (*path, name))
            done.add(name)

    for name in graph:
        visit(name, ())


def test_after_collectstatic_every_import_reaches_the_hashed_copy_of_its_module(settings, tmp_path):
    settings.STATIC_ROOT = str(tmp_path)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)
    html = _page(Client())
    import_map = _import_map(html)

    def served(url: str) -> Path:
        assert url.startswith("/static/"), url
        return tmp_path / url.removeprefix("/static/")

    # Walk the module graph from the entry point the way the browser does: resolve each specifier against the
    # importing module's (hashed) URL, then look the result up in the import map.
    reached, todo = set(), [_entry(html)]
    while todo:
        url = todo.pop()
        if url in reached:
            continue
        reached.add(url)
        assert re.search(r"\.[0-9a-f]{12}\.js$", url), f"{url} is not a hashed name"
        path = served(url)
        assert path.is_file(), f"{url} was not collected"
        name = path.name.split(".")[0] + ".js"
        assert path.read_text() == (MODULES / name).read_text(), f"{url} is not {name}"
        for specifier in _imports(path.read_text()):
            resolved = normpath(urljoin(dirname(url) + "/", specifier))
            assert resolved in import_map, f"{url} imports {specifier}: {resolved} is not in the import map"
            todo.append(import_map[resolved])
    assert {served(u).name.split(".")[0] + ".js" for u in reached} == {p.name for p in MODULES.glob("*.js")}
