"""The project's URLs plus one view that fails, to see the 500 page as a user would."""

from django.urls import path

from jingshi_jiafang.urls import urlpatterns as project_urlpatterns


def broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", broken), *project_urlpatterns]
