"""The built web app is served by Django on the API's origin; API misses stay JSON."""

import pytest

from project import spa


@pytest.fixture
def built_spa(tmp_path, monkeypatch):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-abc123.js").write_text("console.log(1)")
    monkeypatch.setattr(spa, "DIST_DIR", tmp_path)
    return tmp_path


@pytest.mark.parametrize("path", ["/", "/dashboard", "/sign-in/code", "/settings?x=1"])
def test_client_routes_get_the_page_uncached(client, built_spa, path):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert response["Cache-Control"] == "no-cache"
    assert b"<div id=root>" in response.content


def test_assets_are_immutable(client, built_spa):
    response = client.get("/assets/app-abc123.js")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == b"console.log(1)"


@pytest.mark.parametrize(
    "path", ["/api/nope/", "/assets/nope.js", "/assets/../index.html", "/assets/%2e%2e/index.html"]
)
def test_misses_and_traversal_are_json_404(client, built_spa, path):
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "NOT_FOUND"


def test_without_a_build_the_page_is_a_json_404(client, tmp_path, monkeypatch):
    monkeypatch.setattr(spa, "DIST_DIR", tmp_path / "missing")
    response = client.get("/dashboard")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_the_page_is_read_only(client, built_spa):
    response = client.post("/dashboard")
    assert response.status_code == 405
    assert response.json()["code"] == "METHOD_NOT_ALLOWED" and response["Allow"] == "GET, HEAD"
