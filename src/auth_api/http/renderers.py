"""DRF's JSON renderer with the encoding done by orjson: every API answer is rendered once per
request, and the standard library's encoder was a few percent of a GET's time."""

from collections.abc import Mapping
from typing import Any

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

_DRF_ENCODER = JSONEncoder()
# Datetimes and dataclasses go to DRF's encoder (its format: `Z` for UTC, as before); the other
# types orjson does not know too (Decimal, lazy strings, querysets...).
_OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)
_LINE_SEPARATORS = (("\u2028".encode(), b"\\u2028"), ("\u2029".encode(), b"\\u2029"))


class JSONRenderer(renderers.JSONRenderer):
    """The same bytes as DRF's renderer with this API's settings (compact, UTF-8, U+2028 and
    U+2029 escaped so the output is a strict JavaScript subset). An indented rendering
    (`Accept: application/json; indent=4`), other settings, and what orjson refuses (an integer
    beyond 64 bits) take DRF's own path. One difference: a NaN or an infinity becomes null where
    DRF raises; no answer of this API holds a float."""

    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: Mapping[str, Any] | None = None,
    ) -> bytes:
        if data is None:
            return b""
        if (
            not self.compact
            or self.ensure_ascii
            or self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        ):
            return super().render(data, accepted_media_type, renderer_context)
        try:
            rendered = orjson.dumps(data, default=_DRF_ENCODER.default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return super().render(data, accepted_media_type, renderer_context)
        if not rendered.isascii():
            for separator, escaped in _LINE_SEPARATORS:
                rendered = rendered.replace(separator, escaped)
        return rendered
