"""/metrics: who may read it, and that each outcome is counted where it is decided (tests read the
in-process registry before and after; PROMETHEUS_MULTIPROC_DIR is not set here)."""

import pytest
from django.test import RequestFactory
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from auth_api.models import SignIn
from emailing.delivery import deliver_due
from emailing.models import EmailKind
from emailing.services import email_enqueue
from legacy_import.report import ImportReport
from legacy_import.writer import BatchOutcome
from project.health import _metrics_allowed
from tests.helpers import deliver_and_read_code, refresh, send_code, sign_in

TOKEN = "metrics-token-for-tests-0123456789"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


class Delta:
    """How much a sample grew while the block ran."""

    def __init__(self, name: str, **labels: str):
        self.name, self.labels = name, labels

    def __enter__(self):
        self.before = sample(self.name, **self.labels)
        return self

    def __exit__(self, *exc):
        self.value = sample(self.name, **self.labels) - self.before


# --- access ----------------------------------------------------------------------------------


def test_metrics_are_off_without_a_token_in_production(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN = False, ""
    response = client.get("/metrics")
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"


def test_metrics_need_the_token_when_one_is_set(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN = True, TOKEN  # DEBUG does not open a token's lock
    assert client.get("/metrics").status_code == 401
    wrong = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN[:-1]}x")
    assert wrong.status_code == 401 and wrong.json()["code"] == "NOT_AUTHENTICATED"
    assert client.get("/metrics", HTTP_AUTHORIZATION=TOKEN).status_code == 401  # no scheme
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    assert _metrics_allowed(RequestFactory().get("/", HTTP_AUTHORIZATION=f"bearer {TOKEN}"))


@pytest.mark.django_db
def test_metrics_with_the_token(client, settings):
    settings.METRICS_TOKEN = TOKEN
    client.get("/healthz")
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert 'authsvc_http_request_duration_seconds_count{method="GET",route="healthz"' in text
    assert "authsvc_outbox_pending " in text


@pytest.mark.django_db
def test_open_in_debug_without_a_token(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN = True, ""
    assert client.get("/metrics").status_code == 200


# --- what is counted -------------------------------------------------------------------------


@pytest.mark.django_db
def test_latency_is_labelled_by_route_never_by_path(api_client):
    labels = {"route": "sessions-detail", "method": "DELETE", "status": "401"}
    with Delta("authsvc_http_request_duration_seconds_count", **labels) as seen:
        api_client.delete("/api/auth/sessions/abc123/")
        api_client.delete("/api/auth/sessions/def456/")
    assert seen.value == 2
    text = "".join(str(m.samples) for m in REGISTRY.collect())
    assert "abc123" not in text
    with Delta(
        "authsvc_http_request_duration_seconds_count",
        route="project.views.not_found",
        method="GET",
        status="404",
    ) as unknown:
        api_client.get("/api/no-such-thing/")
    assert unknown.value == 1


def test_a_method_the_client_invents_is_labelled_other(client):
    # Every new label value is a new time series: a client must not be able to mint them.
    methods = [f"ZZ{n:04d}" for n in range(5)]
    with Delta(
        "authsvc_http_request_duration_seconds_count",
        route="healthz",
        method="other",
        status="405",
    ) as other:
        for method in methods:
            assert client.generic(method, "/healthz").status_code == 405
    assert other.value == len(methods)
    text = "".join(str(m.samples) for m in REGISTRY.collect())
    assert not any(method in text for method in methods)


@pytest.mark.django_db
def test_sign_in_outcomes(api_client, user, settings):
    counter = "authsvc_sign_ins_total"
    with Delta(counter, method="password", outcome="success") as success:
        assert sign_in(APIClient()).status_code == 200
    with Delta(counter, method="password", outcome="INVALID_EMAIL_OR_PASSWORD") as wrong:
        sign_in(APIClient(), password="not-the-password-1")
        sign_in(APIClient(), email="nobody@example.com")
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_ip": (0, 60)}
    with (
        Delta(counter, method="password", outcome="TOO_MANY_REQUESTS") as limited,
        Delta("authsvc_rate_limit_hits_total", scope="sign_in_ip") as hits,
    ):
        assert sign_in(APIClient()).status_code == 429
    assert (success.value, wrong.value, limited.value, hits.value) == (1, 2, 1, 1)


@pytest.mark.django_db
def test_refresh_outcomes(api_client, user, cookie_name):
    def delta(outcome):
        return Delta("authsvc_refreshes_total", outcome=outcome)

    with delta("rotated") as rotated, delta("grace") as grace, delta("reused") as reused:
        old = sign_in(api_client).cookies[cookie_name].value
        refresh(api_client)
        api_client.cookies[cookie_name] = old
        assert refresh(api_client).status_code == 200  # within the grace window
        refresh(api_client)
        api_client.cookies[cookie_name] = old
        assert refresh(api_client).json()["code"] == "REFRESH_TOKEN_REUSED"
    with delta("invalid") as invalid:
        api_client.cookies[cookie_name] = "not-a-token"
        refresh(api_client)
        api_client.cookies.pop(cookie_name)
        refresh(api_client)
    assert (rotated.value, grace.value, reused.value, invalid.value) == (2, 1, 1, 2)
    assert SignIn.objects.get().revoked_at is not None


@pytest.mark.django_db
def test_codes_sent_verified_and_refused(api_client, user, mailoutbox, known_codes):
    known_codes.extend(["111111", "222222"])
    labels = {"type": "sign-in"}
    with (
        Delta("authsvc_codes_sent_total", **labels) as sent,
        Delta("authsvc_codes_verified_total", **labels) as verified,
        Delta("authsvc_codes_refused_total", reason="wrong", **labels) as wrong,
        Delta("authsvc_codes_refused_total", reason="missing", **labels) as missing,
        Delta("authsvc_sign_ins_total", method="code", outcome="success") as signed_in,
        Delta("authsvc_sign_ins_total", method="code", outcome="INVALID_OTP") as refused,
    ):
        send_code(api_client, "ada@example.com", "sign-in")
        assert deliver_and_read_code(mailoutbox, "ada@example.com") == "111111"
        url = "/api/auth/email-otp/sign-in/"
        body = {"email": "ada@example.com", "otp": "999999"}
        assert api_client.post(url, body, format="json").status_code == 400
        body["otp"] = "111111"
        assert api_client.post(url, body, format="json").status_code == 200
        assert api_client.post(url, body, format="json").status_code == 400  # used up
    assert (sent.value, verified.value, wrong.value, missing.value) == (1, 1, 1, 1)
    assert (signed_in.value, refused.value) == (1, 2)


@pytest.mark.django_db
def test_delivery_failures_and_final_statuses(settings, user):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="ada@example.com", secrets={"code": "1"})
    email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="x@example.com", requires_user=True)
    with (
        Delta("authsvc_email_delivery_failures_total") as failed,
        Delta("authsvc_email_deliveries_total", status="suppressed") as suppressed,
    ):
        deliver_due()
    assert (failed.value, suppressed.value) == (1, 1)


@pytest.mark.django_db
def test_outbox_gauges_are_read_at_scrape(client, settings):
    settings.METRICS_TOKEN = TOKEN
    email_enqueue(kind=EmailKind.OTP_SIGN_IN, to_email="ada@example.com")
    client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert sample("authsvc_outbox_pending") == 1
    assert sample("authsvc_outbox_retrying") == 0


def test_import_progress_per_table():
    with (
        Delta("authsvc_import_rows_total", table="users", outcome="written") as written,
        Delta("authsvc_import_rows_total", table="users", outcome="skipped") as skipped,
    ):
        BatchOutcome(written=40, updated=2, problems=[("id", "reason", "")]).merge_into(
            ImportReport()
        )
    assert (written.value, skipped.value) == (40, 1)
