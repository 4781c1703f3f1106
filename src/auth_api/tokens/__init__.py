"""Sign-ins and their tokens, in one package.

- `signing`: algorithm and keys; the token types every JWT here is built on.
- `tokens`: the claims of access, refresh and password-reset tokens, minted and read.
- `sign_ins`: the refresh-token families in the database: start, rotate with reuse detection,
  end, revoke, list.
- `transport`: cookie or body for the refresh token, and CSRF for cookie-borne tokens.
"""
