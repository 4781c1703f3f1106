"""The built web app is served by Django on the API's origin; API misses stay JSON."""

import pytest

from project import spa


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


def test_assets_come_precompressed_when_the_browser_accepts_it(client, built_spa):
    import gzip

    asset = built_spa / "assets" / "app-abc123.js"
    asset.with_name("app-abc123.js.br").write_bytes(b"brotli bytes")
    asset.with_name("app-abc123.js.gz").write_bytes(gzip.compress(b"console.log(1)"))

    def get(accept):
        response = client.get("/assets/app-abc123.js", HTTP_ACCEPT_ENCODING=accept)
        assert response["Vary"] == "Accept-Encoding"
        assert response["Content-Type"].startswith("text/javascript")
        return response.get("Content-Encoding"), b"".join(response.streaming_content)

    assert get("gzip, deflate, br, zstd") == ("br", b"brotli bytes")
    assert get("gzip") == ("gzip", gzip.compress(b"console.log(1)"))
    assert get("br;q=0, gzip;q=0.5") == ("gzip", gzip.compress(b"console.log(1)"))
    assert get("") == (None, b"console.log(1)")
    asset.with_name("app-abc123.js.br").unlink()
    asset.with_name("app-abc123.js.gz").unlink()
    assert get("br, gzip") == (None, b"console.log(1)")


def test_robots_txt_is_the_builds(client, built_spa):
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"Disallow: /api/" in response.content
