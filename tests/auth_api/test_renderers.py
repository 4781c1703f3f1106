"""The API's JSON renderer gives DRF's bytes, faster."""

import datetime
import decimal
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ErrorDetail
from rest_framework.renderers import JSONRenderer as DrfJSONRenderer

from auth_api.http.renderers import JSONRenderer

UTC = datetime.UTC
PAYLOADS = [
    {"user": {"id": "a" * 32, "name": "Ada Lovelace", "emailVerified": True, "image": None}},
    {"accessToken": "eyJ.x.y", "expiresIn": 900, "amr": ["pwd", "otp"]},
    {"name": "Zoë ✓ 日本", "line": "a\u2028b\u2029c", "nul": "\x00", "quote": '"\\'},
    {"code": ErrorDetail("TOKEN_INVALID", code="x"), "message": gettext_lazy("Not found.")},
    {"at": datetime.datetime(2026, 12, 7, 4, 16, 14, 123456, tzinfo=UTC)},
    {
        "at": datetime.datetime(2026, 12, 7, 4, 16, 14, tzinfo=UTC),
        "naive": datetime.datetime(2026, 1, 2),
    },
    {"day": datetime.date(2026, 12, 7), "time": datetime.time(4, 5, 6)},
    {"amount": decimal.Decimal("12.50"), "id": uuid.UUID(int=7)},
    {1: "int key", "list": [1, 2.5, -3, True, False, None], "tuple": (1, "two")},
    {"big": 2**70},  # beyond orjson: DRF's path
    [],
    {},
]


@pytest.mark.parametrize("data", PAYLOADS)
def test_the_same_bytes_as_drfs_renderer(data):
    assert JSONRenderer().render(data) == DrfJSONRenderer().render(data)


def test_nothing_renders_as_nothing():
    assert JSONRenderer().render(None) == b""


def test_an_indented_rendering_is_drfs():
    data = {"a": [1, {"b": None}]}
    media_type = "application/json; indent=2"
    ours = JSONRenderer().render(data, media_type)
    assert ours == DrfJSONRenderer().render(data, media_type) and b"\n  " in ours


def test_the_api_renders_with_it(api_client):
    response = api_client.get("/api/auth/jwks/")
    assert type(response.accepted_renderer) is JSONRenderer
