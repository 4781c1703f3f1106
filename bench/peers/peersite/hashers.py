"""Argon2id with the service's default parameters (ARGON2_TIME_COST=2, ARGON2_MEMORY_COST_KIB=19456,
ARGON2_PARALLELISM=1), so that every sign-in in bench/sign_in_peers.py pays the same hash and the
figures differ only by what each does besides it. Django's own Argon2PasswordHasher, parameters
set as its documentation says (a subclass)."""

from django.contrib.auth.hashers import Argon2PasswordHasher


class ServiceArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 2
    memory_cost = 19456
    parallelism = 1
