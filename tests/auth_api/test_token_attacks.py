"""Forged, tampered, confused and expired tokens: every one is a 401."""

import base64
import json
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.utils import timezone

from auth_api.tokens.claims import mint_access_token
from tests.helpers import bearer, sign_in

pytestmark = pytest.mark.django_db

URL = "/api/auth/session/"


@pytest.fixture
def claims(api_client, user) -> dict:
    access = sign_in(api_client).json()["accessToken"]
    return jwt.decode(access, options={"verify_signature": False})


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def assert_refused(client, token: str) -> None:
    response = client.get(URL, **bearer(token))
    assert response.status_code == 401, response.content
    assert response.json()["code"] == "TOKEN_INVALID"


def test_genuine_token_is_accepted(api_client, claims):
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")
    assert api_client.get(URL, **bearer(token)).status_code == 200


def test_alg_none_is_refused(api_client, claims):
    assert_refused(api_client, f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}.")


@pytest.mark.parametrize("algorithm", ["HS384", "HS512"])
# The attacker signs with the service's own HS256 key, shorter than PyJWT advises for HS512.
@pytest.mark.filterwarnings("ignore:The HMAC key is")
def test_other_hmac_algorithm_is_refused(api_client, claims, algorithm):
    assert_refused(api_client, jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm=algorithm))


def test_rs256_token_signed_with_attacker_key_is_refused(api_client, claims):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_refused(api_client, jwt.encode(claims, key, algorithm="RS256"))


def test_hs_rs_key_confusion_is_refused(api_client, claims):
    # Classic confusion: HS256 keyed with a public key the attacker knows. Even if a verifier were
    # misconfigured with that public key, the pinned algorithm and key refuse it.
    public_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    header = _b64({"alg": "HS256", "typ": "JWT"})
    import hashlib
    import hmac

    signing_input = f"{header}.{_b64(claims)}".encode()
    signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
    sig = base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
    assert_refused(api_client, f"{signing_input.decode()}.{sig}")


def test_tampered_payload_is_refused(api_client, claims):
    token = jwt.encode(claims, settings.JWT_SIGNING_KEY, algorithm="HS256")
    header, _, signature = token.split(".")
    assert_refused(
        api_client, f"{header}.{_b64({**claims, 'role': 'teacher'} | {'sub': 'x'})}.{signature}"
    )


def test_wrong_signing_key_is_refused(api_client, claims):
    assert_refused(api_client, jwt.encode(claims, "another-key-" * 4, algorithm="HS256"))


@pytest.mark.parametrize(("claim", "value"), [("aud", "someone-else"), ("iss", "evil-issuer")])
def test_wrong_audience_or_issuer_is_refused(api_client, claims, claim, value):
    assert_refused(api_client, jwt.encode({**claims, claim: value}, settings.JWT_SIGNING_KEY))


@pytest.mark.parametrize("claim", ["aud", "iss", "exp", "sid", "sub", "token_type", "jti"])
def test_missing_claim_is_refused(api_client, claims, claim):
    reduced = {k: v for k, v in claims.items() if k != claim}
    assert_refused(api_client, jwt.encode(reduced, settings.JWT_SIGNING_KEY))


def test_expired_token_is_refused(api_client, user):
    token, _ = mint_access_token(
        user=user, sid="x" * 32, now=timezone.now() - timedelta(minutes=11)
    )
    assert_refused(api_client, token)


def test_refresh_token_as_bearer_is_refused(api_client, user):
    refresh_token = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()[
        "refreshToken"
    ]
    assert_refused(api_client, refresh_token)


def test_token_type_swap_is_refused(api_client, claims):
    assert_refused(
        api_client, jwt.encode({**claims, "token_type": "refresh"}, settings.JWT_SIGNING_KEY)
    )


def test_token_signed_with_secret_key_is_refused(api_client, claims):
    # simplejwt's default signing key is SECRET_KEY; ours is a separate key.
    assert_refused(api_client, jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256"))


def test_a_verified_token_is_refused_once_it_expires(api_client, user, clock):
    from auth_api.tokens import claims

    access = sign_in(api_client).json()["accessToken"]
    assert api_client.get(URL, **bearer(access)).status_code == 200  # now verified and cached
    clock.advance(11 * 60)
    assert claims._verify_access_token.cache_info().currsize >= 1
    with pytest.raises(claims.BadToken):
        claims.decode_access_token(access)


def test_a_tampered_copy_of_a_verified_token_is_still_refused(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    assert api_client.get(URL, **bearer(access)).status_code == 200
    header, payload, signature = access.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    assert_refused(api_client, f"{header}.{_b64({**claims, 'role': 'student'})}.{signature}")
    # One character of the signature changed (in the middle: the last characters carry padding
    # bits, and "AA" at the end could be the signature's own ending).
    middle = len(signature) // 2
    swapped = "B" if signature[middle] == "A" else "A"
    tampered = signature[:middle] + swapped + signature[middle + 1 :]
    assert_refused(api_client, f"{header}.{payload}.{tampered}")


# Impossible claims in a token signed with the service's own key (no outsider can sign one):
# still a refusal with its code, never a 500.
IMPOSSIBLE = [
    {"exp": 10**30},
    {"exp": 1e300},
    {"authTime": 10**30},
    {"sid": "\udc80" * 32},
    {"sub": "a\x00b"},
]


@pytest.mark.parametrize("change", IMPOSSIBLE)
def test_an_access_token_with_impossible_claims_is_refused(api_client, claims, change):
    assert_refused(api_client, jwt.encode({**claims, **change}, settings.JWT_SIGNING_KEY))


@pytest.mark.parametrize(
    "change", [c for c in IMPOSSIBLE if "authTime" not in c] + [{"jti": "\udc80"}]
)
def test_a_refresh_token_with_impossible_claims_is_refused(api_client, user, change):
    refresh = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()["refreshToken"]
    payload = {**jwt.decode(refresh, options={"verify_signature": False}), **change}
    forged = jwt.encode(payload, settings.JWT_SIGNING_KEY, algorithm="HS256")
    for path in ("/api/auth/refresh/", "/api/auth/sign-out/"):
        answer = api_client.post(path, {"refreshToken": forged}, format="json")
        assert answer.status_code in (204, 401), (path, answer.status_code, answer.content)
        if answer.status_code == 401:
            assert set(answer.json()) == {"code", "message"}
