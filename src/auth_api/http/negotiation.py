from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, answering at once for a client that accepts anything (no Accept header
    or `*/*`, what fetch() and most HTTP clients send): the first renderer, exactly as DRF's
    parsing of the header would pick it. Any other Accept header, a `?format=` or a format
    suffix goes through DRF's code."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            format_suffix is None
            and request.META.get("HTTP_ACCEPT", "*/*") == "*/*"
            # No query string, nothing to parse (most requests); else DRF's parsed one.
            and (
                not request.META.get("QUERY_STRING")
                or self.settings.URL_FORMAT_OVERRIDE not in request.query_params
            )
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
