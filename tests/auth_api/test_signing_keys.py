"""Access tokens signed with key pairs, published as a JWKS, rotated without signing anyone out;
claims/, permissions for the app's views, revocation at zero queries, and introspection."""

import base64
import json
from datetime import timedelta
from io import StringIO

import jwt
import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView
from rest_framework_simplejwt.state import token_backend

from auth_api.models import SigningKey
from auth_api.permissions import HasRole, IsEmailVerified
from auth_api.tokens import keys
from tests.helpers import bearer, sign_in

pytestmark = pytest.mark.django_db

CLAIMS = "/api/auth/claims/"


def _jwks(client=None) -> dict:
    return (client or APIClient()).get("/.well-known/jwks.json").json()


def _verify_with_jwks(token: str, jwks: dict) -> dict:
    """What another service does: the key the kid names, its algorithm only, iss and aud."""
    kid = jwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    key = jwt.PyJWK(jwk)
    return jwt.decode(
        token, key.key, algorithms=[jwk["alg"]], audience="authsvc-api", issuer="authsvc"
    )


def test_access_tokens_are_eddsa_with_a_kid_and_verify_with_the_jwks(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    header = jwt.get_unverified_header(access)
    assert header["alg"] == "EdDSA" and header["kid"]
    claims = _verify_with_jwks(access, _jwks())
    assert claims["sub"] == user.pk and claims["role"] == "teacher" and claims["authTime"]


def test_jwks_publishes_public_keys_only_and_may_be_cached(api_client, user):
    sign_in(api_client)
    for path in ("/.well-known/jwks.json", "/api/auth/jwks/"):
        response = api_client.get(path)
        assert response.status_code == 200
        assert response["Cache-Control"] == "public, max-age=300"
        (key,) = response.json()["keys"]
        assert set(key) == {"kty", "crv", "x", "kid", "alg", "use"}  # no private "d"
        assert (key["kty"], key["crv"], key["alg"], key["use"]) == (
            "OKP",
            "Ed25519",
            "EdDSA",
            "sig",
        )


def test_private_keys_are_encrypted_at_rest(api_client, user):
    sign_in(api_client)
    row = SigningKey.objects.get()
    assert "PRIVATE KEY" not in row.private_key and "BEGIN" not in row.private_key
    assert "d" not in json.loads(row.public_jwk)


def test_rotation_signs_nobody_out_and_old_keys_retire_after_the_last_token(api_client, user):
    old = sign_in(api_client).json()["accessToken"]
    call_command("signing_keys", "rotate", "--now", stdout=StringIO())
    new = sign_in(APIClient()).json()["accessToken"]
    assert jwt.get_unverified_header(new)["kid"] != jwt.get_unverified_header(old)["kid"]
    jwks = _jwks()
    assert len(jwks["keys"]) == 2
    for token in (old, new):
        _verify_with_jwks(token, jwks)
        assert api_client.get(CLAIMS, **bearer(token)).status_code == 200
    # Once every token of the old key has expired, it is no longer published nor accepted.
    SigningKey.objects.filter(deactivated_at__isnull=False).update(
        deactivated_at=timezone.now() - timedelta(minutes=11)
    )
    keys.forget_keyring()
    assert len(_jwks()["keys"]) == 1
    assert api_client.get(CLAIMS, **bearer(old)).status_code == 401
    call_command("signing_keys", "retire", stdout=StringIO())
    assert SigningKey.objects.filter(retired_at__isnull=False).count() == 1


def test_a_rotated_key_is_published_before_it_signs(api_client, user):
    old = sign_in(api_client).json()["accessToken"]
    out = StringIO()
    call_command("signing_keys", "rotate", stdout=out)
    assert "published now, signs from" in out.getvalue()
    assert len(_jwks()["keys"]) == 2  # every verifier can fetch it ...
    again = sign_in(APIClient()).json()["accessToken"]  # ... before the first token it signs
    assert jwt.get_unverified_header(again)["kid"] == jwt.get_unverified_header(old)["kid"]
    SigningKey.objects.update(active_from=timezone.now() - timedelta(seconds=1))
    SigningKey.objects.filter(deactivated_at__isnull=False).update(
        deactivated_at=timezone.now() - timedelta(seconds=1)
    )
    keys.forget_keyring()
    new = sign_in(APIClient()).json()["accessToken"]
    assert jwt.get_unverified_header(new)["kid"] != jwt.get_unverified_header(old)["kid"]
    for token in (old, new):
        assert api_client.get(CLAIMS, **bearer(token)).status_code == 200


def test_a_compromised_key_is_retired_at_once(api_client, user):
    token = sign_in(api_client).json()["accessToken"]
    kid = jwt.get_unverified_header(token)["kid"]
    call_command("signing_keys", "retire", f"--kid={kid}", stdout=StringIO())
    assert api_client.get(CLAIMS, **bearer(token)).status_code == 401
    fresh = sign_in(APIClient()).json()["accessToken"]  # a new key is made to sign
    assert jwt.get_unverified_header(fresh)["kid"] != kid
    assert kid not in {k["kid"] for k in _jwks()["keys"]}


def test_a_kid_beginning_with_a_dash_is_retired_with_the_equals_form(user):
    key = keys.create_key(algorithm="EdDSA")
    kid = "-" + key.kid[1:]  # base64url thumbprints begin with "-" one time in 64
    SigningKey.objects.filter(pk=key.kid).update(kid=kid)
    out = StringIO()
    call_command("signing_keys", "retire", f"--kid={kid}", stdout=out)
    assert f"retired: {kid}" in out.getvalue()
    assert SigningKey.objects.get(pk=kid).retired_at is not None


def test_another_process_rotating_is_picked_up_on_an_unknown_kid(api_client, user):
    sign_in(api_client)  # this process has loaded its ring
    key = keys.create_key(algorithm="EdDSA")  # as if another process rotated just now
    SigningKey.objects.exclude(pk=key.pk).update(deactivated_at=timezone.now())
    ring_elsewhere = keys._ring_from_database()
    token = jwt.encode(
        {**_claims_of(api_client), "iss": "authsvc", "aud": "authsvc-api"},
        ring_elsewhere.signing.private,
        algorithm="EdDSA",
        headers={"kid": key.kid},
    )
    assert api_client.get(CLAIMS, **bearer(token)).status_code == 200


def _claims_of(api_client) -> dict:
    token = sign_in(api_client).json()["accessToken"]
    return jwt.decode(token, options={"verify_signature": False})


@pytest.mark.parametrize("algorithm", ["RS256", "ES256"])
def test_rs256_and_es256_by_setting(api_client, user, algorithm):
    with override_settings(JWT_ALGORITHM=algorithm):
        access = sign_in(api_client).json()["accessToken"]
        assert jwt.get_unverified_header(access)["alg"] == algorithm
        _verify_with_jwks(access, _jwks())
        assert api_client.get(CLAIMS, **bearer(access)).status_code == 200


def test_a_pem_key_from_the_environment(api_client, user, tmp_path):
    from cryptography.hazmat.primitives import serialization

    private = keys.generate_private_key("EdDSA")
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    (tmp_path / "key.pem").write_bytes(pem)
    with override_settings(JWT_PRIVATE_KEY_FILE=str(tmp_path / "key.pem")):
        access = sign_in(api_client).json()["accessToken"]
        (published,) = _jwks()["keys"]
        assert published["kid"] == keys.thumbprint(published)  # RFC 7638
        _verify_with_jwks(access, _jwks())
    assert not SigningKey.objects.exists()


# --- the switch from the shared HS256 key ------------------------------------------------------


def _hs256_access(user, *, issued: int, lifetime: int = 600) -> str:
    payload = {
        "token_type": "access",
        "jti": "j" * 32,
        "sub": user.pk,
        "sid": "s" * 32,
        "role": user.role,
        "email": user.email,
        "emailVerified": False,
        "iat": issued,
        "exp": issued + lifetime,
    }
    return token_backend.encode(payload)


def test_hs256_tokens_from_before_the_switch_verify_until_they_expire(api_client, user):
    before_switch = int(timezone.now().timestamp()) - 60
    sign_in(api_client)  # the first key pair is made now: the switch
    legacy = _hs256_access(user, issued=before_switch)
    assert api_client.get(CLAIMS, **bearer(legacy)).status_code == 200
    minted_after = _hs256_access(user, issued=int(timezone.now().timestamp()) + 1)
    long_lived = _hs256_access(user, issued=before_switch, lifetime=7 * 24 * 3600)
    for token in (minted_after, long_lived):
        assert api_client.get(CLAIMS, **bearer(token)).status_code == 401


def test_tokens_naming_another_algorithm_or_an_unknown_key_are_refused(api_client, user):
    access = sign_in(api_client).json()["accessToken"]
    header = jwt.get_unverified_header(access)
    payload = jwt.decode(access, options={"verify_signature": False})
    (published,) = _jwks()["keys"]
    public_bytes = base64.urlsafe_b64decode(published["x"] + "==")
    forged = [
        # HS256 keyed with the published public key (key confusion), under the real kid
        jwt.api_jws.PyJWS().encode(
            json.dumps(payload).encode(),
            public_bytes,
            algorithm="HS256",
            headers={"kid": header["kid"]},
        ),
        # an unknown kid
        jwt.encode(
            payload, keys.generate_private_key("EdDSA"), algorithm="EdDSA", headers={"kid": "nope"}
        ),
        # the real kid, signed by another Ed25519 key
        jwt.encode(
            payload,
            keys.generate_private_key("EdDSA"),
            algorithm="EdDSA",
            headers={"kid": header["kid"]},
        ),
        # alg none
        jwt.encode(payload, None, algorithm="none", headers={"kid": header["kid"]}),
    ]
    for token in forged:
        assert api_client.get(CLAIMS, **bearer(token)).status_code == 401


# --- claims/, permissions, revocation, introspection -------------------------------------------


def test_claims_are_what_the_token_says_at_zero_queries(
    api_client, user, warm, django_assert_num_queries
):
    access = sign_in(api_client).json()["accessToken"]
    warm()
    with django_assert_num_queries(0):
        body = api_client.get(CLAIMS, **bearer(access)).json()
    assert set(body) == {
        "userId",
        "sessionId",
        "role",
        "emailVerified",
        "email",
        "authTime",
        "amr",
        "expiresAt",
    }
    assert (body["userId"], body["role"], body["emailVerified"]) == (user.pk, "teacher", False)


def test_a_revoked_sign_in_is_refused_at_once_here_and_within_a_second_elsewhere(api_client, user):
    from auth_api.tokens import revocations
    from tests.helpers import csrf_headers

    access = sign_in(api_client).json()["accessToken"]
    assert api_client.get(CLAIMS, **bearer(access)).status_code == 200
    signed_out = api_client.post("/api/auth/sign-out/", format="json", **csrf_headers(api_client))
    assert signed_out.status_code == 204
    assert api_client.get(CLAIMS, **bearer(access)).status_code == 401  # this process: at once
    revocations.forget()  # another process: it has not heard of it ...
    assert api_client.get(CLAIMS, **bearer(access)).status_code == 401  # ... until its refresh


class _TeachersOnly(APIView):
    permission_classes = [HasRole("teacher"), IsEmailVerified]

    def get(self, request):
        return Response({"ok": True})


def test_has_role_and_is_email_verified_read_only_the_token(user, warm, django_assert_num_queries):
    view = _TeachersOnly.as_view()
    unverified = sign_in(APIClient()).json()["accessToken"]
    user.email_verified = True
    user.save()
    verified = sign_in(APIClient()).json()["accessToken"]
    student = type(user).objects.create_user(
        "s@example.com", "violet-tangerine-47", email_verified=True
    )
    as_student = sign_in(APIClient(), email=student.email).json()["accessToken"]
    warm()
    factory = APIRequestFactory()
    with django_assert_num_queries(0):
        answers = [
            view(factory.get("/x", **bearer(t))).status_code
            for t in (verified, unverified, as_student)
        ]
    assert answers == [200, 403, 403]
    assert view(factory.get("/x")).status_code == 401


GRADES_SECRET = "s3cret-grades-0123456789abcdefghij"  # service secrets are >= 32 characters


@override_settings(INTROSPECTION_CLIENTS=f"grades:{GRADES_SECRET},reports:{'o' * 32}")
def test_introspection_for_services(api_client, user):
    access = sign_in(api_client, HTTP_X_REFRESH_TOKEN_TRANSPORT="body").json()
    credential = base64.b64encode(f"grades:{GRADES_SECRET}".encode()).decode()
    basic = {"HTTP_AUTHORIZATION": f"Basic {credential}"}
    url = "/api/auth/introspect/"
    assert (
        APIClient().post(url, {"token": access["accessToken"]}, format="json").json()["code"]
        == "INVALID_CLIENT"
    )
    wrong = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(b"grades:nope").decode()}
    assert APIClient().post(url, {"token": "x"}, format="json", **wrong).status_code == 401
    answer = APIClient().post(url, {"token": access["accessToken"]}, format="json", **basic).json()
    assert answer["active"] is True and answer["sub"] == user.pk and answer["role"] == "teacher"
    form = APIClient().post(  # RFC 7662 sends a form
        url,
        f"token={access['accessToken']}",
        content_type="application/x-www-form-urlencoded",
        **basic,
    )
    assert form.json()["active"] is True
    for token in (access["refreshToken"], "garbage"):
        assert APIClient().post(url, {"token": token}, format="json", **basic).json() == {
            "active": False
        }
    APIClient().post("/api/auth/sign-out/", {"refreshToken": access["refreshToken"]}, format="json")
    answer = APIClient().post(url, {"token": access["accessToken"]}, format="json", **basic).json()
    assert answer == {"active": False}
