"""Tokens verified from outside, as the app's other services will: a running server (gunicorn, two
workers, DEBUG off), its JWKS, and two independent verifiers (Node `jose`, Python `PyJWKClient`),
before and after a key rotation; then the tokens that must be refused. Run by scripts/interop.sh.
"""

import base64
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import jwt
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

ROOT = Path(__file__).resolve().parent.parent
PORT = int(os.environ.get("INTEROP_PORT", "8766"))
BASE = f"http://127.0.0.1:{PORT}"


def manage(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "src/manage.py", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout


def call(method: str, path: str, body: dict | None = None, token: str | None = None):
    headers = {"Content-Type": "application/json", "X-Refresh-Token-Transport": "body"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(BASE + path, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def verify(cases: list[dict]) -> None:
    """Both outside verifiers, each in a fresh process (a fresh JWKS cache)."""
    payload = json.dumps(cases)
    for command in (
        ["node", "interop/verify.mjs", BASE],
        [sys.executable, "interop/verify.py", BASE],
    ):
        done = subprocess.run(command, cwd=ROOT, input=payload, text=True, capture_output=True)
        print(done.stdout, end="")
        if done.returncode != 0:
            raise SystemExit(f"{command[1]} judged a token wrongly:\n{done.stderr}")


def claims_status(token: str) -> int:
    return call("GET", "/api/auth/claims/", token=token)[0]


def wait_for_status(token: str, status: int, seconds: float) -> float:
    """Poll claims/ (either worker may answer) until it answers `status`; seconds it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if claims_status(token) == status:
            return time.monotonic() - started
        time.sleep(0.05)
    raise SystemExit(f"claims/ did not answer {status} within {seconds} s")


def forged(valid: str) -> list[dict]:
    header = jwt.get_unverified_header(valid)
    claims = jwt.decode(valid, options={"verify_signature": False})
    jwks = call("GET", "/.well-known/jwks.json")[1]
    public_x = base64.urlsafe_b64decode(
        next(k for k in jwks["keys"] if k["kid"] == header["kid"])["x"] + "=="
    )
    stranger = ed25519.Ed25519PrivateKey.generate()
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    hs256_now = {**claims, "iat": int(time.time()), "exp": int(time.time()) + 600}
    hs_secret = os.environ["JWT_SIGNING_KEY"]
    return [
        {
            "name": "unknown kid",
            "token": jwt.encode(claims, stranger, "EdDSA", headers={"kid": "unknown"}),
            "expect": "invalid",
        },
        {
            "name": "real kid, another key",
            "token": jwt.encode(claims, stranger, "EdDSA", headers={"kid": header["kid"]}),
            "expect": "invalid",
        },
        {
            "name": "HS256 after the switch",
            "token": jwt.encode(hs256_now, hs_secret, "HS256"),
            "expect": "invalid",
        },
        {
            "name": "HS256 keyed with the public key (alg confusion)",
            "token": jwt.api_jws.PyJWS().encode(
                json.dumps(claims).encode(), public_x, "HS256", headers={"kid": header["kid"]}
            ),
            "expect": "invalid",
        },
        {
            "name": "RS256 under an EdDSA kid",
            "token": jwt.encode(claims, rsa_key, "RS256", headers={"kid": header["kid"]}),
            "expect": "invalid",
        },
        {
            "name": "wrong audience, another signer",
            "token": jwt.encode(
                {**claims, "aud": "other"}, stranger, "EdDSA", headers={"kid": header["kid"]}
            ),
            "expect": "invalid",
        },
    ]


def sign_in() -> dict:
    body = {"email": "interop@example.com", "password": "interop-pass-5531"}
    status, answer = call("POST", "/api/auth/sign-in/", body)
    assert status == 200, answer
    return answer


def main() -> None:
    status, body = call(
        "POST",
        "/api/auth/sign-up/",
        {
            "name": "Interop",
            "email": "interop@example.com",
            "password": "interop-pass-5531",
            "role": "teacher",
        },
    )
    assert status == 201, body
    before = body["accessToken"]
    print("== a token verified by the JWKS, in Node and in Python")
    verify([{"name": "access token", "token": before, "expect": "valid"}])

    print("== after `signing_keys rotate`: old and new tokens both verify")
    print(manage("signing_keys", "rotate"), end="")
    # Each worker picks the new key up at its next key-ring reload (SIGNING_KEYS_RELOAD_SECONDS).
    started, old_kid = time.monotonic(), jwt.get_unverified_header(before)["kid"]
    while True:
        after = sign_in()["accessToken"]
        if jwt.get_unverified_header(after)["kid"] != old_kid:
            break
        assert time.monotonic() - started < 10, "the workers never signed with the new key"
        time.sleep(0.2)
    print(f"  the workers sign with the new key {time.monotonic() - started:.2f} s after rotating")
    verify(
        [
            {"name": "token of the rotated key", "token": before, "expect": "valid"},
            {"name": "token of the new key", "token": after, "expect": "valid"},
        ]
    )
    for token in (before, after):
        assert claims_status(token) == 200

    print("== refused: by both verifiers and by the server")
    cases = forged(after)
    verify(cases)
    for case in cases:
        assert claims_status(case["token"]) == 401, case["name"]

    print("== a retired key: refused everywhere")
    kid = jwt.get_unverified_header(before)["kid"]
    # The = form: a kid may begin with "-", which argparse would take for an option.
    print(manage("signing_keys", "retire", f"--kid={kid}"), end="")
    # Every worker drops it at its next key reload (SIGNING_KEYS_RELOAD_SECONDS, 1 s here).
    time.sleep(1.5)
    verify([{"name": "token of the retired key", "token": before, "expect": "invalid"}])
    took = wait_for_status(before, 401, seconds=10)
    print(f"  server refuses it after {took:.2f} s (key ring reload)")

    print("== a revoked sign-in: refused by every worker within 2 s")
    session = sign_in()
    assert claims_status(session["accessToken"]) == 200
    call("POST", "/api/auth/sign-out/", {"refreshToken": session["refreshToken"]})
    took = wait_for_status(session["accessToken"], 401, seconds=2)
    print(f"  claims/ refused it {took:.2f} s after sign-out")
    print("interop: all verifications as expected")


if __name__ == "__main__":
    main()
