from django.db import connection
from django.http import HttpResponse

HEALTH_PATH = "/healthz/"


class HealthCheckMiddleware:
    """Answer the container health check before host validation and the HTTPS redirect, which a probe from
    inside the container (Host: 127.0.0.1, plain HTTP) would otherwise fail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != HEALTH_PATH:
            return self.get_response(request)
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return HttpResponse("ok", content_type="text/plain")
