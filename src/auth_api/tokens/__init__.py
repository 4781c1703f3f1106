"""Every token a client holds, read and written in one place.

- `keys`: signing key pairs, shared by every process and published as a JWKS.
- `signing`: algorithm and keys; the token types every JWT here is built on.
- `claims`: the claims of access, refresh and password-reset tokens, minted and read.
- `sign_ins`: the sign-ins in the database (each a chain of rotated refresh tokens): start,
  rotate with reuse detection, end, revoke, list.
- `revocations`: ended sign-ins, known to every process within a second at no per-request query.
- `transport`: cookie or body for the refresh token, and CSRF for cookie-borne tokens.
- `devices`: the device token of a trusted device. `code_flows`: the flow token that binds
  codes to the client that asked for them.
"""
