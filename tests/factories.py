"""factory_boy factories for the rows most tests need."""

from datetime import timedelta

import factory
from django.utils import timezone

from auth_api.models import SignIn
from tests.helpers import PASSWORD
from users.models import Role, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Faker("name")
    role = Role.STUDENT
    email_verified = False
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(self, create, extracted, **kwargs):
        if create:
            self.save(update_fields=["password"])


class SignInFactory(factory.django.DjangoModelFactory):
    """A live sign-in; mint its tokens with auth_api.sessions.tokens when a test needs them."""

    class Meta:
        model = SignIn

    user = factory.SubFactory(UserFactory)
    remember_me = True
    current_jti = factory.Faker("hexify", text="^" * 32)
    current_issued_at = factory.LazyFunction(lambda: timezone.now().replace(microsecond=0))
    expires_at = factory.LazyAttribute(lambda o: o.current_issued_at + timedelta(days=7))
    user_agent = "pytest"
    ip_address = "127.0.0.1"
