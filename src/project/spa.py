"""The React single-page app (web/), served from its build (web/dist/) on the API's own origin.

- `/assets/<file>`: the hashed, immutable files Vite writes to web/dist/assets/; the Brotli or
  gzip copy the build made beside it when the browser accepts that encoding.
- `/robots.txt`: web/dist/robots.txt (from web/public/).
- any other path outside api/, admin/ and static/: web/dist/index.html, so client-side routes
  (/sign-in, /dashboard, ...) survive a reload. The page is never cached (each deploy names new
  assets); the assets are cached for a year (their names change when their content does).
- without a build (`npm run build` in web/ not run), both answer the API's JSON 404.

Included last in project/urls.py, after the JSON catch-all for api/, so API 404s stay JSON.
"""

import functools
import mimetypes
import re
from pathlib import Path

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.http.response import HttpResponseBase
from django.urls import re_path

from auth_api.errors import MethodNotAllowed, NotFound
from auth_api.http.exception_handler import json_error

# Read at each request, so a test can point it elsewhere (monkeypatch project.spa.DIST_DIR).
DIST_DIR: Path = settings.PROJECT_DIR / "web" / "dist"
_IMMUTABLE = "public, max-age=31536000, immutable"
# Best first: the copies web/scripts/precompress.mjs writes at build time.
_ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _accepted_encodings(request) -> set[str]:
    """The content codings of Accept-Encoding with a q-value above 0."""
    accepted = set()
    for item in request.headers.get("Accept-Encoding", "").split(","):
        name, _, params = item.partition(";")
        q = params.strip().removeprefix("q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if name.strip() and weight > 0:
            accepted.add(name.strip().lower())
    return accepted


def require_safe(view):
    """GET/HEAD only; any other method gets the API's JSON 405."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            response = json_error(MethodNotAllowed(method=request.method))
            response["Allow"] = "GET, HEAD"
            return response
        return view(request, *args, **kwargs)

    return wrapped


@require_safe
def index(request, **kwargs) -> HttpResponse:
    page = DIST_DIR / "index.html"
    try:
        body = page.read_bytes()
    except FileNotFoundError:
        return json_error(NotFound())  # not built: `npm run build` in web/
    response = HttpResponse(body, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    return response


@require_safe
def asset(request, path: str) -> HttpResponseBase:
    root = (DIST_DIR / "assets").resolve()
    candidate = (root / path).resolve()
    if not candidate.is_relative_to(root) or not candidate.is_file():
        return json_error(NotFound())
    content_type, _ = mimetypes.guess_type(candidate.name)
    served, encoding = candidate, None
    accepted = _accepted_encodings(request)
    for name, suffix in _ENCODINGS:
        compressed = candidate.with_name(candidate.name + suffix)
        if name in accepted and compressed.is_file():
            served, encoding = compressed, name
            break
    response = FileResponse(
        served.open("rb"), content_type=content_type or "application/octet-stream"
    )
    if encoding:
        response["Content-Encoding"] = encoding
    response["Vary"] = "Accept-Encoding"
    response["Cache-Control"] = _IMMUTABLE
    return response


@require_safe
def robots(request) -> HttpResponse:
    try:
        body = (DIST_DIR / "robots.txt").read_bytes()
    except FileNotFoundError:
        return json_error(NotFound())
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# Named: the access log and the request metric label each request by its route's name ("spa"
# for every page load, whatever its path).
urlpatterns = [
    re_path(r"^assets/(?P<path>.+)$", asset, name="spa-asset"),
    re_path(r"^robots\.txt$", robots, name="robots"),
    re_path(
        rf"^(?!(?:api|{re.escape(settings.ADMIN_URL.rstrip('/'))}|static)(?:/|$)).*$",
        index,
        name="spa",
    ),
]
