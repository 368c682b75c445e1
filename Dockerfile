FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=jingshi_jiafang.settings.production

WORKDIR /app
RUN useradd --system --create-home --uid 10001 jiafang
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# collectstatic needs settings but no real secret; the build-time key never reaches a running container.
RUN DJANGO_SECRET_KEY=collectstatic-only DJANGO_ALLOWED_HOSTS=localhost \
    FIELD_ENCRYPTION_KEYS=Y29sbGVjdHN0YXRpYy1vbmx5LW5vdC1hLXJlYWxrZXk= ID_HASH_KEY=collectstatic-only \
    AUDIT_CHECKPOINT_KEY=collectstatic-only python manage.py collectstatic --noinput \
    && mkdir -p /app/var /app/private /app/audit && chown -R jiafang /app/var /app/private /app/audit
USER jiafang
EXPOSE 8000
# Behind the proxy of docker-compose.yml, which passes --forwarded-allow-ips with its own address.
CMD ["gunicorn", "jingshi_jiafang.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
