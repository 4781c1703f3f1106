import pytest

from users.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = User.objects.create_superuser("root@example.com", "admin-password-123")
    client.force_login(admin)
    return client


def test_user_changelist_searches_by_email_and_filters(admin_client):
    User.objects.create_user("teacher@example.com", None, role="teacher", email_verified=True)
    User.objects.create_user("student@example.com", None)
    page = admin_client.get("/admin/users/user/", {"q": "teacher@"})
    assert page.status_code == 200
    assert b"teacher@example.com" in page.content
    assert b"student@example.com" not in page.content
    filtered = admin_client.get("/admin/users/user/", {"role__exact": "student"})
    assert b"student@example.com" in filtered.content
    assert b"teacher@example.com" not in filtered.content
    verified = admin_client.get("/admin/users/user/", {"email_verified__exact": "1"})
    assert b"teacher@example.com" in verified.content


def test_admin_add_and_change_forms_render(admin_client):
    assert admin_client.get("/admin/users/user/add/").status_code == 200
    user = User.objects.create_user("x@example.com", "some-password-99")
    assert admin_client.get(f"/admin/users/user/{user.pk}/change/").status_code == 200


@pytest.mark.real_hashers
def test_admin_creates_user_with_argon2_hash(admin_client):
    response = admin_client.post(
        "/admin/users/user/add/",
        {
            "email": "New@Example.com",
            "password1": "admin-made-pass-77",
            "password2": "admin-made-pass-77",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    user = User.objects.get(email="new@example.com")
    assert user.password.startswith("argon2$argon2id$")
