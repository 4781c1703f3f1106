"""Another service's check of an access token in Python: PyJWT's PyJWKClient on the JWKS, the
token's kid, iss and aud pinned (the recipe in docs/tokens.md). Same input and exit code as
verify.mjs.

    python verify.py http://127.0.0.1:8000 < tokens.json
"""

import json
import sys

import jwt


def verdict(client: jwt.PyJWKClient, token: str) -> tuple[str, str]:
    try:
        key = client.get_signing_key_from_jwt(token)
        claims = jwt.decode(
            token,
            key.key,
            algorithms=[key.algorithm_name],  # the algorithm of the key the kid names, only
            issuer="authsvc",
            audience="authsvc-api",
        )
    except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
        return "invalid", type(exc).__name__
    return "valid", f"sub={claims['sub']} role={claims['role']}"


def main() -> int:
    client = jwt.PyJWKClient(f"{sys.argv[1]}/.well-known/jwks.json", cache_keys=True)
    wrong = 0
    for case in json.load(sys.stdin):
        result, detail = verdict(client, case["token"])
        ok = result == case["expect"]
        wrong += not ok
        print(f"  {'✓' if ok else '✗'} python/PyJWKClient  {case['name']}: {result} ({detail})")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
