"""Every URL that takes an id is walked with a user out of scope, who must get a 404.

A new URL pattern with a parameter fails `test_every_parametrised_url_has_a_scoping_case` until a case is
added below, so that nobody can add a page that fetches by id without thinking about who may see it.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# url name → how to build its kwargs from the fixtures: an object that belongs to alice (station A).
SCOPING_CASES = {
    "visits:household_detail": lambda f: {"pk": f["alice_household"].pk},
    "visits:area_detail": lambda f: {"pk": f["alice_household"].village_id},
}

# Namespaces guarded as a whole by another mechanism.
EXEMPT_NAMESPACES = {"admin"}  # Django admin: reference data only, administrator role only (see visits/admin.py).


def _parametrised_url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            if entry.namespace in EXEMPT_NAMESPACES:
                continue
            names += _parametrised_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.pattern.converters and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


def test_every_parametrised_url_has_a_scoping_case():
    missing = sorted(set(_parametrised_url_names()) - set(SCOPING_CASES))
    assert not missing, f"add a case to SCOPING_CASES for {missing}"


@pytest.fixture
def fixtures(alice_household, alice, bob, charlie):
    return {"alice_household": alice_household, "alice": alice, "bob": bob, "charlie": charlie}


@pytest.mark.django_db
@pytest.mark.parametrize("url_name", sorted(SCOPING_CASES))
def test_owner_may_open_and_other_station_gets_404(client, fixtures, url_name):
    url = reverse(url_name, kwargs=SCOPING_CASES[url_name](fixtures))
    client.force_login(fixtures["alice"])
    assert client.get(url).status_code == 200
    client.force_login(fixtures["bob"])
    assert client.get(url).status_code == 200
    client.force_login(fixtures["charlie"])
    assert client.get(url).status_code == 404
