"""Encryption at rest for residents' ID numbers, and the keyed hash that lets them be searched exactly.

Keys come from the environment (see README, Security). FIELD_ENCRYPTION_KEYS may list several Fernet keys:
the first encrypts, all decrypt, so a key can be rotated without downtime.
"""

import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in settings.FIELD_ENCRYPTION_KEYS])


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def keyed_hash(text: str) -> str:
    return hmac.new(settings.ID_HASH_KEY.encode(), text.strip().upper().encode(), hashlib.sha256).hexdigest()
