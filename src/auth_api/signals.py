"""Signals for the app's own code. Each is sent inside the action's transaction: a receiver that
raises rolls the action back (the caller gets the error, nothing is half done).

    from django.dispatch import receiver
    from auth_api.signals import user_signed_up

    @receiver(user_signed_up)
    def create_profile(sender, user, **kwargs):
        if user.role == "teacher":
            TeacherProfile.objects.create(user_id=user.pk)

Arguments: `user` for every signal; `sign_in_id` for signed_in/signed_out/refresh_token_reused;
`method` ("password" or "code") for user_signed_in; `old_email` for email_changed; `user_id` and
`email` for user_deleted (sent before the rows are deleted).
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
