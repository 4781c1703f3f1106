"""A Content-Security-Policy on every HTML page: the web app, Swagger UI and the admin."""

import re

import pytest

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.fixture
def spa_build(tmp_path, monkeypatch):
    from project import spa

    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(
        '<!doctype html><html><head><script type="module" src="/assets/app.js"></script>'
        '</head><body><div id="root"></div></body></html>'
    )
    monkeypatch.setattr(spa, "DIST_DIR", tmp_path)


@pytest.mark.parametrize("path", ["/", "/sign-in", "/api/docs/", "/admin/login/"])
def test_html_pages_carry_a_strict_policy_and_no_inline_script(client, spa_build, path):
    response = client.get(path)
    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert "'unsafe-inline'" not in policy["script-src"] + policy["default-src"]
    if path != "/api/docs/":  # Swagger UI sets inline styles; nothing else may
        assert policy["style-src"] == ["'self'"]
    body = b"".join(response) if response.streaming else response.content
    assert not INLINE_SCRIPT.search(body.decode()), "an inline script would be blocked"


def test_swagger_ui_start_up_script_is_a_file(client):
    page = client.get("/api/docs/").content.decode()
    script = re.search(r'<script src="([^"]*\?script=[^"]*)"', page).group(1)
    response = client.get(script.replace("&amp;", "&"))
    assert response.status_code == 200
    assert b"SwaggerUIBundle" in response.content
