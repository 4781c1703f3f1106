"""HTTP plumbing the views share: serializers, responses, OpenAPI helpers, parsing, negotiation,
the kinds of action, and the one exception handler."""
