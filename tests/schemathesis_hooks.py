"""Schemathesis hooks: now and then, send what a real client would have (a code it received by
email, a refresh token it holds, the right password), so the fuzzer also walks the success paths.

A schema cannot say which 6 digits are right or which token is live; without this, every
generated request to these operations is refused (400 INVALID_OTP and the like) and the success
branches are never fuzzed. Loaded by scripts/schemathesis.sh (SCHEMATHESIS_HOOKS); it reads the
codes from the server's file mail backend (SCHEMATHESIS_MAIL_DIR).
"""

import base64
import itertools
import json
import os
import re
import time
import urllib.request
from pathlib import Path

import schemathesis

BASE = f"http://127.0.0.1:{os.environ.get('SCHEMATHESIS_PORT', '8765')}"
MAIL_DIR = Path(os.environ.get("SCHEMATHESIS_MAIL_DIR", "."))
FUZZ_EMAIL = "fuzz@example.com"
FUZZ_PASSWORD = "fuzzing-password-91"
CODES_EMAIL = "codes@example.com"  # an account (verification and reset codes need one)
RESET_EMAIL = "reset@example.com"  # an account whose password the fuzzer resets
EVERY = 4  # one positive case in EVERY, per operation and phase, carries real credentials
_calls: dict[tuple[str, str], itertools.count] = {}


def _post(path: str, body: dict, token: str | None = None) -> dict:
    headers = {"Content-Type": "application/json", "X-Refresh-Token-Transport": "body"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(  # noqa: S310
        BASE + path, data=json.dumps(body).encode(), headers=headers
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.load(response)


def _mail_files() -> dict[Path, int]:
    """Every mail file and its size now. Django's file backend names a file by the second and the
    id() of its backend object, and appends when a name comes round again (an object's address
    reused within the second): a file seen before may grow a new mail, so sizes are kept too."""
    sizes = {}
    for path in MAIL_DIR.glob("*.log"):
        try:
            sizes[path] = path.stat().st_size
        except FileNotFoundError:
            continue
    return sizes


def _new_mail(seen: dict[Path, int]) -> list[str]:
    """The mails written since `seen` (whole new files, and what old ones grew), one text each:
    the file backend ends every mail with a line of 79 dashes."""
    texts = []
    for path, size in _mail_files().items():
        if size > seen.get(path, 0):
            with open(path, "rb") as file:
                file.seek(seen.get(path, 0))
                texts += file.read().decode(errors="replace").split("-" * 79)
    return [text for text in texts if text.strip()]


def _mailed(email: str, seen: dict[Path, int], pattern: str, what: str) -> str:
    """The first match of `pattern` in a mail to `email` written since `seen`."""
    deadline = time.monotonic() + 30  # a loaded machine may queue mail for a while
    while time.monotonic() < deadline:
        for text in _new_mail(seen):
            found = re.search(pattern, text, re.MULTILINE)
            if f"To: {email}" in text and found:
                return found.group(1)
        time.sleep(0.05)
    raise RuntimeError(f"no {what} mailed to {email} within 30 s ({len(_new_mail(seen))} others)")


def _mailed_code(email: str, seen: dict[Path, int]) -> str:
    return _mailed(email, seen, r"^\s+(\d{6})\s*$", "code")


def _code(email: str, code_type: str) -> tuple[str, str]:
    """(code, flowToken) of a fresh code of `code_type` for `email` (one address per operation,
    so parallel workers never read each other's codes)."""
    seen = _mail_files()
    flow = _post("/api/auth/email-otp/send/", {"email": email, "type": code_type})["flowToken"]
    return _mailed_code(email, seen), flow


def _sign_in() -> dict:
    return _post("/api/auth/sign-in/", {"email": FUZZ_EMAIL, "password": FUZZ_PASSWORD})


def _with_code(email: str, code_type: str, **extra):
    def fill(case) -> None:
        code, flow = _code(email, code_type)
        case.body = {"email": email, "otp": code, "flowToken": flow, **extra}

    return fill


def _sign_in_body(case) -> None:
    case.body = {"email": FUZZ_EMAIL, "password": FUZZ_PASSWORD}


def _refresh_body(case) -> None:
    case.body = {"refreshToken": _sign_in()["refreshToken"]}


def _password_change_body(case) -> None:
    case.body = {
        "currentPassword": DISPOSABLE_PASSWORD,
        "newPassword": "another-disposable-77",
        "revokeOtherSessions": False,
    }


# Operations that can end the caller's sign-in, account, email or password: each call gets a user
# of its own, so the shared fuzz user (and FUZZ_TOKEN) survives the whole run.
DISPOSABLE_PASSWORD = "quartz-harbor-7731"
DESTRUCTIVE = {
    "DELETE /api/auth/user/",
    "POST /api/auth/sessions/revoke-all/",
    "POST /api/auth/email/change/confirm/",
    "POST /api/auth/password/change/",
    # Wrong passwords here count as failed step-ups, and 10 in a row end the caller's sign-in:
    # fuzzed against the shared user, they would leave every later Bearer operation a 401.
    "POST /api/auth/reauthenticate/",
    "POST /api/auth/two-factor/enable/",
    "POST /api/auth/two-factor/disable/",
    # These need a sign-in of the last 5 minutes: a new user's is.
    "POST /api/auth/two-factor/generate-backup-codes/",
    "POST /api/auth/two-factor/verify-totp/",
    "POST /api/auth/passkey/registration-options/",
    "POST /api/auth/passkey/register/",
    "PATCH /api/auth/passkeys/{id}/",
    "DELETE /api/auth/passkeys/{id}/",
}
_disposables = itertools.count()


def _disposable_token() -> str:
    email = f"disposable-{os.getpid()}-{next(_disposables)}@example.com"
    body = {"name": "Disposable", "email": email, "password": DISPOSABLE_PASSWORD}
    return _post("/api/auth/sign-up/", body)["accessToken"]


def _reset_body(case) -> None:
    code, flow = _code(RESET_EMAIL, "forget-password")
    case.body = {
        "email": RESET_EMAIL,
        "otp": code,
        "flowToken": flow,
        "password": "lantern-orbit-5521",
    }


def _mailed_link(email: str, seen: dict[Path, int]) -> str:
    return _mailed(email, seen, r"/auth/link#token=([A-Za-z0-9_-]+)", "link")


def _link_body(case) -> None:
    """A live link of a sign-in mail to an address of its own (each signs someone in once)."""
    email = f"link-{os.getpid()}-{next(_disposables)}@example.com"
    seen = _mail_files()
    _post("/api/auth/email-link/send/", {"email": email, "type": "sign-in"})
    case.body = {"token": _mailed_link(email, seen)}


def _introspect_body(case) -> None:
    case.body = {"token": _sign_in()["accessToken"]}


INTROSPECT = "POST /api/auth/introspect/"
SERVICE_CREDENTIAL = (
    "Basic " + base64.b64encode(b"fuzz-service:fuzz-service-secret-0123456789abcdef").decode()
)
FILL = {
    "POST /api/auth/sign-in/": _sign_in_body,
    "POST /api/auth/refresh/": _refresh_body,
    "POST /api/auth/password/change/": _password_change_body,
    "POST /api/auth/email-otp/sign-in/": _with_code("otp-sign-in@example.com", "sign-in"),
    "POST /api/auth/email-otp/check/": _with_code(
        "otp-check@example.com", "sign-in", type="sign-in"
    ),
    "POST /api/auth/email-otp/verify-email/": _with_code(CODES_EMAIL, "email-verification"),
    "POST /api/auth/password/reset/": _reset_body,
    "POST /api/auth/introspect/": _introspect_body,
    "POST /api/auth/email-link/verify/": _link_body,
}


def _password_body(case, token: str) -> None:
    """The disposable caller's password (step-up, turning two-factor on or off)."""
    case.body = {"password": DISPOSABLE_PASSWORD}


def _email_change_confirm_body(case, token: str) -> None:
    """A change of the disposable caller's address, its code read from the new mailbox."""
    new_email = f"moved-{os.getpid()}-{next(_disposables)}@example.com"
    seen = _mail_files()
    flow = _post("/api/auth/email/change/", {"newEmail": new_email}, token=token)["flowToken"]
    case.body = {"newEmail": new_email, "otp": _mailed_code(new_email, seen), "flowToken": flow}


FILL_AS_CALLER = {
    "POST /api/auth/reauthenticate/": _password_body,
    "POST /api/auth/two-factor/enable/": _password_body,
    "POST /api/auth/two-factor/disable/": _password_body,
    "POST /api/auth/email/change/confirm/": _email_change_confirm_body,
}


@schemathesis.hook
def before_call(ctx, case, **kwargs):
    operation = f"{case.method.upper()} {case.path}"
    meta = case.meta
    positive = meta is not None and meta.generation.mode.value == "positive"
    # Who calls: a signed-in user (FUZZ_TOKEN, or a disposable one for destructive operations),
    # or for introspection a service's credential. Negative cases keep what was generated.
    token = _disposable_token() if operation in DESTRUCTIVE else os.environ["FUZZ_TOKEN"]
    caller = SERVICE_CREDENTIAL if operation == INTROSPECT else f"Bearer {token}"
    if positive or "Authorization" not in (case.headers or {}):
        case.headers = {**(case.headers or {}), "Authorization": caller}
    if not positive or meta is None:
        return
    if next(_calls.setdefault((operation, meta.phase.name.value), itertools.count())) % EVERY:
        return
    if operation in FILL:
        FILL[operation](case)
    elif operation in FILL_AS_CALLER:
        FILL_AS_CALLER[operation](case, token)
