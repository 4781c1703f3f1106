"""An account's second factors: its authenticator app (totp), recovery codes (recovery) and
passkeys (passkeys). Each module keeps one factor's state and judges one answer; what a sign-in
does with the verdict is decided in auth_api.flows."""
