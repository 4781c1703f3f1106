"""What every layer reports about itself: Prometheus metrics and the request id on log lines.

It sits below every app (users, emailing, auth_api, legacy_import and project all import it) and
imports none of them, so counting an outcome where it is decided never points a layer upwards.
"""
