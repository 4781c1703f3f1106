"""Test settings: the real settings module, fed a test environment (env vars win if set)."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("JWT_SIGNING_KEY", "test-jwt-signing-key-not-for-production-0123456789")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Tests deliver queued mail explicitly (deliver_due) unless a test switches to "thread".
os.environ.setdefault("EMAIL_DELIVERY", "worker")
# The limits as production has them, even when DEBUG is set in the shell.
os.environ.setdefault("RATE_LIMIT_SCALE", "1")

from project.settings import *  # noqa: F403

# A fast hasher first: most tests do not test hashing. Tests marked `real_hashers` get the
# production list back (see conftest.py).
PRODUCTION_PASSWORD_HASHERS = PASSWORD_HASHERS  # noqa: F405
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]  # noqa: F405

# Cheapest Argon2id that still passes the OWASP floor check; the hasher is real, only the cost
# changes (tests of the hasher itself assert the production defaults separately).
ARGON2_TIME_COST = 2
ARGON2_MEMORY_COST_KIB = 19456

# Serve static files from the finders (no collectstatic run before tests).
WHITENOISE_AUTOREFRESH = True
