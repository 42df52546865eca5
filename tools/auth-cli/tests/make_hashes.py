"""Hashes made by the real Python libraries, for auth-cli's import tests.

Prints one JSON object per line: email, password, password_hash, format.
"""
import json

import bcrypt
from argon2 import PasswordHasher
from django.conf import settings

settings.configure()
from django.contrib.auth.hashers import make_password  # noqa: E402
from passlib.hash import pbkdf2_sha256, scrypt  # noqa: E402

ROWS = [
    ("devise@example.com", "bcrypt 2b secret",
     lambda p: bcrypt.hashpw(p.encode(), bcrypt.gensalt(rounds=4)).decode(), "bcrypt"),
    ("php@example.com", "bcrypt 2y secret",
     lambda p: "$2y$" + bcrypt.hashpw(p.encode(), bcrypt.gensalt(rounds=5))[4:].decode(), "bcrypt"),
    ("django@example.com", "django pbkdf2 secret",
     lambda p: make_password(p), "django-pbkdf2-sha256"),
    ("passlib@example.com", "p\u00e4sslib pbkdf2 s\u00e9cret",
     lambda p: pbkdf2_sha256.using(rounds=2000).hash(p), "passlib-pbkdf2-sha256"),
    ("scrypt@example.com", "passlib scrypt secret",
     lambda p: scrypt.using(rounds=12).hash(p), "scrypt"),
    ("cffi-id@example.com", "argon2-cffi id secret",
     lambda p: PasswordHasher(time_cost=2, memory_cost=8192, parallelism=2).hash(p), "argon2"),
    ("cffi-i@example.com", "argon2-cffi i secret",
     lambda p: PasswordHasher(time_cost=1, memory_cost=4096, parallelism=1,
                              type=__import__("argon2").Type.I).hash(p), "argon2"),
]

for email, password, make, fmt in ROWS:
    print(json.dumps({"email": email, "password": password,
                      "password_hash": make(password), "format": fmt}))
