"""What the API needs to know about the HTTP client: its address, user agent, and the device,
code-flow, pending sign-in and passkey-challenge tokens it holds (from its cookies, or from the
JSON body for non-browser clients)."""

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest

from auth_api.errors import ValidationFailed

# Every client whose address cannot be read shares one budget: per-IP limits fail closed.
UNKNOWN_ADDRESS = "unknown-address"
# Non-browser clients send `body` to get the refresh token in JSON bodies instead of the cookie.
BODY_TRANSPORT_HEADER = "X-Refresh-Token-Transport"


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str
    device_token: str | None = None
    flow_token: str | None = None
    two_factor_token: str | None = None  # a pending sign-in's (see tokens.pending)
    passkey_token: str | None = None  # what its passkey challenges are bound to
    body_transport: bool = False  # it asked for the refresh token in JSON bodies

    @property
    def limit_key(self) -> str:
        """What per-IP rate limits count: the address, or one shared key when there is none."""
        return self.ip or UNKNOWN_ADDRESS


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the address NUM_PROXIES trusted proxies put in X-Forwarded-For."""
    address = request.META.get("REMOTE_ADDR") or ""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if settings.NUM_PROXIES and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-min(settings.NUM_PROXIES, len(hops))]
    return _canonical_ip(address)


@functools.lru_cache(maxsize=4096)
def _canonical_ip(address: str) -> str | None:
    """The address in its one canonical spelling (parsed once per address and process)."""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def wants_body_transport(request: HttpRequest) -> bool:
    """`X-Refresh-Token-Transport: body`; any other value is refused before anything is done."""
    value = request.headers.get(BODY_TRANSPORT_HEADER, "").strip().lower()
    if value not in ("", "body"):
        raise ValidationFailed(fields={BODY_TRANSPORT_HEADER: ['The only value is "body".']})
    return value == "body"


def page_client(request: HttpRequest) -> ClientInfo:
    """The client of a page outside the API (the Django admin): its address and user agent.
    The API's cookies (scoped to its path) and headers are none of a page's business, and a
    header a page does not document never makes its answer an error."""
    return ClientInfo(ip=client_ip(request), user_agent=_user_agent(request))


def _user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:512]


def client_info(request: HttpRequest, body: dict | None = None) -> ClientInfo:
    """The client; `deviceToken` / `flowToken` in a validated body win over the cookies."""
    body = body or {}
    return ClientInfo(
        ip=client_ip(request),
        user_agent=_user_agent(request),
        device_token=body.get("deviceToken") or request.COOKIES.get(settings.DEVICE_COOKIE_NAME),
        flow_token=body.get("flowToken") or request.COOKIES.get(settings.OTP_FLOW_COOKIE_NAME),
        two_factor_token=body.get("twoFactorToken")
        or request.COOKIES.get(settings.TWO_FACTOR_COOKIE_NAME),
        passkey_token=body.get("challengeToken")
        or request.COOKIES.get(settings.PASSKEY_COOKIE_NAME),
        body_transport=wants_body_transport(request),
    )
