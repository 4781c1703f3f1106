"""Benchmark settings: the real settings plus one extra, unauthenticated baseline route."""

from project.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
