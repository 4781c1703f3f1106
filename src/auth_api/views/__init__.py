"""HTTP only, one module per area of the API (see urls.py for which URL each answers): parse,
validate, call one flow, render."""
