"""Signals for the app's own code. Each is sent inside the action's transaction: a receiver that
raises rolls the action back (the caller gets the error, nothing is half done).

    from django.dispatch import receiver
    from auth_api.signals import user_signed_up

    @receiver(user_signed_up)
    def create_profile(sender, user, **kwargs):
        if user.role == "teacher":
            TeacherProfile.objects.create(user_id=user.pk)

Every signal is sent with `sender` the User class and `user` the User instance, and only these
besides: `sign_in_id` for user_signed_in, user_signed_out and refresh_token_reused; `method`
("password", "code" or "passkey": the first proof) for user_signed_in; `how` ("change" or
"reset") for password_changed; `old_email` for email_changed. user_deleted is sent before the
rows are deleted (`user.pk` and `user.email` are still there).
"""

from django.dispatch import Signal

user_signed_up = Signal()
user_signed_in = Signal()
user_signed_out = Signal()
password_changed = Signal()
email_verified = Signal()
email_changed = Signal()
user_deleted = Signal()
refresh_token_reused = Signal()
