"""The service's Prometheus metrics, counted where each outcome is decided.

Under gunicorn, PROMETHEUS_MULTIPROC_DIR makes prometheus_client keep every value in a per-process
file that /metrics adds up (project.health); without it a plain in-process registry is used.
Labels take values from closed sets only (route names, outcomes, scopes, code types): never an
address, an email or anything a client chooses.
"""

from prometheus_client import Counter, Gauge, Histogram

REQUEST_SECONDS = Histogram(
    "authsvc_http_request_duration_seconds",
    "Time from the first middleware to the response, per resolved route.",
    ["route", "method", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)

SIGN_INS = Counter(
    "authsvc_sign_ins_total",
    "Sign-in attempts by method (password, code, passkey, second-step) and outcome (success or "
    "the error code). A password or code that leads to a second step counts as its success.",
    ["method", "outcome"],
)

REFRESHES = Counter(
    "authsvc_refreshes_total",
    "Refresh-token uses: rotated, grace (a just-rotated token within the grace window), reused "
    "(the family is revoked) or invalid.",
    ["outcome"],
)

CODES_SENT = Counter("authsvc_codes_sent_total", "Email codes issued and queued.", ["type"])
CODES_VERIFIED = Counter("authsvc_codes_verified_total", "Email codes accepted.", ["type"])
CODES_REFUSED = Counter(
    "authsvc_codes_refused_total",
    "Email codes refused: wrong, missing, expired, exhausted (attempts used up) or rate_limited "
    "(the address's allowance of untrusted guesses is spent).",
    ["type", "reason"],
)

RATE_LIMITED = Counter(
    "authsvc_rate_limit_hits_total",
    "Requests refused by a rate limit, per scope.",
    ["scope"],
)

EMAIL_DELIVERIES = Counter(
    "authsvc_email_deliveries_total",
    "Outbox messages that reached a final status in this process (sent, suppressed, expired, "
    "failed).",
    ["status"],
)
EMAIL_DELIVERY_FAILURES = Counter(
    "authsvc_email_delivery_failures_total",
    "Delivery attempts that failed (SMTP error, timeout or an unreadable payload).",
)

IMPORT_ROWS = Counter(
    "authsvc_import_rows_total",
    "Rows the legacy import has processed, per table and outcome (written, updated, unchanged, "
    "skipped).",
    ["table", "outcome"],
)

# Set by the process that answers /metrics, from the database, at scrape time (project.health):
# the outbox is shared by every process, so it is read, not counted.
OUTBOX_PENDING = Gauge(
    "authsvc_outbox_pending",
    "Messages waiting in the outbox.",
    multiprocess_mode="mostrecent",
)
OUTBOX_OLDEST_PENDING_SECONDS = Gauge(
    "authsvc_outbox_oldest_pending_age_seconds",
    "Age of the oldest message waiting in the outbox (0 when none).",
    multiprocess_mode="mostrecent",
)
OUTBOX_RETRYING = Gauge(
    "authsvc_outbox_retrying",
    "Waiting messages whose earlier delivery attempts failed.",
    multiprocess_mode="mostrecent",
)


def count_import_rows(*, table: str, written: int, updated: int, unchanged: int, skipped: int):
    """The legacy import's progress, one call per batch written."""
    for outcome, rows in (
        ("written", written),
        ("updated", updated),
        ("unchanged", unchanged),
        ("skipped", skipped),
    ):
        if rows:
            IMPORT_ROWS.labels(table, outcome).inc(rows)
