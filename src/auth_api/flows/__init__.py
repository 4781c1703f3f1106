"""The use cases, one module each: what the API does, whatever carries the request."""
