"""Fixtures for the project-level tests."""

import pytest

from project import spa


@pytest.fixture
def built_spa(tmp_path, monkeypatch):
    """A small web-app build in place of web/dist, so no test depends on a build being on disk."""
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log(1)")
    (tmp_path / "robots.txt").write_text("User-agent: *\nDisallow: /api/\n")
    monkeypatch.setattr(spa, "DIST_DIR", tmp_path)
    return tmp_path
