"""
URL configuration for peersite project.

The `urlpatterns` list routes URLs to views. For more information please see:
    https://docs.djangoproject.com/en/5.2/topics/http/urls/
"""

from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("admin/", admin.site.urls),
    path("constant/", views.constant),
    path("bare-user/<int:pk>/", views.bare_user),
    path("check-password/", views.check_password),
    path("stateless/", views.StatelessClaims.as_view()),
    path("dj-rest-auth/", include("dj_rest_auth.urls")),
]
