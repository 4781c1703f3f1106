from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of this API nests deeper than 2; anything far deeper is refused before it can
# exhaust the interpreter's recursion limit (json's decoder raises RecursionError, not ValueError).
MAX_DEPTH = 32


class StrictJSONParser(JSONParser):
    """JSON only, nested at most MAX_DEPTH levels, and only text utf8mb4 can store (no lone
    surrogates from \\ud800 escapes)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply.") from None
        _check(data)
        return data


def _check(root) -> None:
    """Iterative, so a deep document cannot overflow the stack here either."""
    pending = [(root, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise ParseError("JSON parse error - strings must be valid Unicode.") from exc
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise ParseError("JSON parse error - nested too deeply.")
            items = value.items() if isinstance(value, dict) else enumerate(value)
            for key, item in items:
                pending.append((key, depth))
                pending.append((item, depth + 1))
