"""tests/browser/axe.py decides between running, skipping (no node/npm) and failing (package not installed)."""

import json

import pytest

from tests.browser import axe


def test_axe_core_is_installed_where_node_is():
    """`make test` installs the pinned package (npm ci): here, with node, it must be present."""
    if axe.shutil.which("node") is None:
        pytest.skip("node is not installed here")
    assert axe.AXE_JS.is_file()
    pinned = json.loads((axe.AXE_JS.parents[2] / "package.json").read_text())["devDependencies"]["axe-core"]
    installed = json.loads((axe.AXE_JS.parent / "package.json").read_text())["version"]
    assert installed == pinned  # the exact pin (npm ci), so every run checks with the same rules


def test_without_node_or_npm_the_check_skips_saying_why(monkeypatch, tmp_path):
    monkeypatch.setattr(axe, "AXE_JS", tmp_path / "missing.js")
    monkeypatch.setattr(axe.shutil, "which", lambda name: None)
    with pytest.raises(pytest.skip.Exception, match="node/npm are not installed"):
        axe.axe_available()


def test_with_node_but_without_the_package_the_check_fails_saying_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(axe, "AXE_JS", tmp_path / "missing.js")
    monkeypatch.setattr(axe.shutil, "which", lambda name: f"/usr/bin/{name}")
    with pytest.raises(pytest.fail.Exception, match="run `npm ci`"):
        axe.axe_available()
