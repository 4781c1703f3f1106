"""The one email-code process: send, check, count a wrong guess, use up.

Every flow that mails or checks a code goes through `EmailCode`: sign-in, verification, forgotten
password, step-up and email change. One code belongs to (address, type, the asking client's flow):

- **Send**: counted per client address, per (address, client) and against the address's mail
  ceiling for its type (`ceiling_of`), which bounds mailbox flooding. A trusted device of the
  account is under its own cap only, so strangers filling a ceiling never keep the owner's
  devices from getting a code. The request does the same work for every address; whether the
  account exists is decided at delivery, off the request path (no enumeration by timing).
- **Check**: counted per client address; only the client's own code is found (`codes.store`);
  a wrong guess by a client that is not a trusted device of the account also spends the address's
  allowance of untrusted guesses (`limits.guard`), checked only when the guess meets a live code
  that this client asked for. A trusted device's failures count per device and per account
  instead. At most OTP_MAX_ATTEMPTS guesses per code, whatever the budgets say.

A code asked for by a signed-in account for an address it does not hold yet (email change) is
bound to that account as well as to the client's flow, and no device of the address counts.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils.crypto import salted_hmac

from auth_api.client import ClientInfo
from auth_api.codes import store
from auth_api.codes.types import CodeType
from auth_api.errors import TooManyRequests
from auth_api.limits import guard, rates
from auth_api.limits.rates import Scope
from auth_api.tokens.code_flows import flow_id_of, new_flow_id
from auth_api.tokens.devices import NO_ACCOUNT, trusted_device_id
from emailing.models import EmailKind
from emailing.services import email_enqueue
from observability import metrics
from users.selectors import user_get_by_email

# The message of each type, and whether it goes only to an existing account (decided at delivery).
_MESSAGES = {
    CodeType.SIGN_IN: (EmailKind.OTP_SIGN_IN, False),  # unknown emails may sign up by code
    CodeType.EMAIL_VERIFICATION: (EmailKind.OTP_EMAIL_VERIFICATION, True),
    CodeType.FORGET_PASSWORD: (EmailKind.OTP_FORGET_PASSWORD, True),
    CodeType.REAUTHENTICATION: (EmailKind.OTP_REAUTHENTICATION, True),
    CodeType.EMAIL_CHANGE: (EmailKind.OTP_EMAIL_CHANGE, False),
}


def ceiling_of(type: CodeType) -> Scope:
    """The address's mail ceiling a code of `type` counts against. Sign-in mail has one of its
    own: its link signs the owner in from any browser, so strangers who fill that ceiling leave
    the owner a way in, and mail whose link signs no one in (a reset, a verification) cannot
    crowd it out: a reset gets the owner no further than a password that strangers' failures
    may keep from a new browser (15 minutes at a time)."""
    if type == CodeType.SIGN_IN:
        return Scope.CODE_SEND_ADDRESS
    return Scope.CODE_SEND_ADDRESS_NO_SIGN_IN


def link_url(token: str) -> str:
    """Where the web app takes one click to use a link: the token in the fragment, which never
    reaches a server's log or a Referer."""
    return f"{settings.WEB_ORIGIN}/auth/link#token={token}"


@dataclass(frozen=True)
class _Asking:
    flow_id: str | None  # the client's flow, if it holds one
    device: str | None  # its device id when it is a trusted device of the address's account
    account_id: str | None = None  # that account, when `device`


@dataclass(frozen=True)
class EmailCode:
    """The code of `type` for `email`, as `client` sees it."""

    email: str
    type: CodeType
    client: ClientInfo
    account_id: str | None = None  # a signed-in account asking for an address it does not hold

    def send(self, *, with_code: bool = True, owner: str | None = None) -> str:
        """Admit the send, issue a code bound to the client's flow and queue its mail (the code
        and its link, or the link alone); return the flow id. `owner`: the id of the account
        that holds the address, signed in and asking (see `admit`)."""
        flow_id = self.admit(owner=owner)
        with transaction.atomic():
            self.issue_and_mail(flow_id, with_code=with_code)
        return flow_id

    def admit(self, *, ceiling: Scope | None = None, owner: str | None = None) -> str:
        """Count the send against the client's and the address's limits (outside any
        transaction); the flow id the code will be bound to. `ceiling`: the address's cap this
        mail counts against, by default its type's (`ceiling_of`). `owner`: the signed-in
        account that holds the address, asking: as for its trusted devices, its mail is counted
        per sender, itself (from any client), and on no ceiling that strangers can fill."""
        asking = self._asking()
        sender = self.account_id or owner or asking.device or self.client.limit_key
        hits = [
            (Scope.CODE_SEND_IP, self.client.limit_key),
            (Scope.CODE_SEND_ADDRESS_CLIENT, f"{self.email}\n{sender}"),
        ]
        if asking.device is None and owner is None:
            hits.append((ceiling or ceiling_of(self.type), self.email))
        rates.hit_all(*hits)
        return asking.flow_id or new_flow_id()

    def send_unasked(self) -> str | None:
        """A code the client did not ask for (the verification mailed at sign-up): only the
        address's mail ceiling applies, and over it nothing is sent (None). Call inside the
        caller's transaction."""
        try:
            rates.hit(ceiling_of(self.type), self.email)
        except TooManyRequests:
            return None
        flow_id = self._asking().flow_id or new_flow_id()
        self.issue_and_mail(flow_id)
        return flow_id

    def check(self, code: str, *, consume: bool) -> None:
        """Raise InvalidOtp, OtpExpired, TooManyAttempts (or TooManyRequests when a budget is
        spent), or return with the code accepted (and used up when `consume`). A wrong guess is
        counted in its own transaction, though the caller gets an error."""
        asking = self._asking()
        hits = [(Scope.CODE_CHECK_IP, self.client.limit_key)]
        if asking.device is not None and asking.account_id is not None:
            # A trusted device skips the address's untrusted allowance, not every bound: its
            # failures count per device and, with all the account's devices, per account.
            hits += [
                (Scope.SIGN_IN_DEVICE, asking.device),
                (Scope.TRUSTED_ACCOUNT, asking.account_id),
            ]
        spent = rates.hit_all(*hits)
        flow_id = self._bound(asking.flow_id) if asking.flow_id else None
        limited = asking.device is None and settings.RATE_LIMITS_ENABLED
        if limited:
            guard.prepare(email=self.email)
        with transaction.atomic():
            row = store.locked_code(email=self.email, type=self.type, flow_id=flow_id)
            allowance = None
            if limited and row is not None and store.open_for_guessing(row):
                allowance = self._untrusted_guess_allowed()
            verdict = store.code_judge(row, code, consume=consume)
            if allowance is not None and verdict == store.Verdict.WRONG:
                guard.spend_code_guess(allowance)
        self._count(verdict)
        verdict.raise_unless_ok()
        rates.refund(spent)  # a right code spends no budget

    # --- the parts -------------------------------------------------------------------------

    def _asking(self) -> _Asking:
        flow_id = flow_id_of(self.client.flow_token)
        if self.account_id is not None or not self.client.device_token:
            return _Asking(flow_id=flow_id, device=None)
        user = user_get_by_email(email=self.email)  # looked up only with a device token
        account = user.pk if user is not None else NO_ACCOUNT  # the same work either way
        device = trusted_device_id(self.client.device_token, user_id=account)
        return _Asking(flow_id=flow_id, device=device, account_id=account if device else None)

    def _bound(self, flow_id: str) -> str:
        """The flow the code row is stored under: the client's, and the account's if any."""
        if self.account_id is None:
            return flow_id
        binding = f"{self.account_id}\n{flow_id}"
        return salted_hmac("auth_api.email-change", binding).hexdigest()[:32]

    def issue_and_mail(
        self, flow_id: str, *, message: EmailKind | None = None, with_code: bool = True
    ) -> None:
        """A new code for the flow and its mail queued (inside a transaction): the code and a
        one-click link for the same purpose (or the link alone). `message` replaces the mail
        with one that carries neither: the same work, so the answer tells nothing."""
        kind, requires_user = _MESSAGES[self.type]
        issued = store.code_issue(
            email=self.email,
            type=self.type,
            flow_id=self._bound(flow_id),
            account_id=self.account_id or "",
        )
        metrics.CODES_SENT.labels(self.type.value).inc()
        carried = {"link": link_url(issued.link_token)}
        if with_code:
            carried["code"] = issued.code
        email_enqueue(
            kind=message or kind,
            to_email=self.email,
            secrets={} if message else carried,
            requires_user=requires_user,
            expires_at=issued.expires_at,
        )

    def _untrusted_guess_allowed(self):
        try:
            return guard.code_guess_allowed(email=self.email)
        except TooManyRequests:
            metrics.CODES_REFUSED.labels(self.type.value, "rate_limited").inc()
            raise

    def _count(self, verdict: store.Verdict) -> None:
        if verdict == store.Verdict.OK:
            metrics.CODES_VERIFIED.labels(self.type.value).inc()
        else:
            metrics.CODES_REFUSED.labels(self.type.value, verdict.value).inc()
