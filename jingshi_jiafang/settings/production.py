"""Production (docker-compose.yml). Secrets have no default: a missing one stops the process at start."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import DATABASES, DEVELOPMENT_KEYS, MIDDLEWARE, STORAGES
from .env import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set DJANGO_ALLOWED_HOSTS to the host names the site answers on.")
FIELD_ENCRYPTION_KEYS = env_list("FIELD_ENCRYPTION_KEYS")
if not FIELD_ENCRYPTION_KEYS:
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS: the Fernet key(s) that encrypt ID numbers at rest.")
ID_HASH_KEY = env_str("ID_HASH_KEY")
AUDIT_CHECKPOINT_KEY = env_str("AUDIT_CHECKPOINT_KEY")
# The development keys are printed in the README: data "protected" by them is protected by nothing.
for _name, _value in (
    *(("FIELD_ENCRYPTION_KEYS", key) for key in FIELD_ENCRYPTION_KEYS),
    ("ID_HASH_KEY", ID_HASH_KEY),
    ("AUDIT_CHECKPOINT_KEY", AUDIT_CHECKPOINT_KEY),
):
    if _value == DEVELOPMENT_KEYS[_name]:
        raise ImproperlyConfigured(f"{_name} is the public development key: generate a secret one for production.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)

# gunicorn serves the static files itself: the bureau runs no separate web server for them.
_security = MIDDLEWARE.index("django.middleware.security.SecurityMiddleware")
MIDDLEWARE.insert(_security + 1, "whitenoise.middleware.WhiteNoiseMiddleware")
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}

# No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from anyone who reaches gunicorn. gunicorn
# believes it only from the proxy (--forwarded-allow-ips) and sets wsgi.url_scheme, which Django reads.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
