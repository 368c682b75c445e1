"""An officer's own household list (我的联系户), drawn once and kept until something it shows changes.

An officer opens his list all day, at the station and at the door. Drawn afresh it reads his links (2,000 at
county scale) three times and renders 25 rows in two layouts: some 45 ms, ten times the site's layout. Kept per
officer, per day and per query, it costs one trip to the cache. What the list shows changes only when
- a household he is linked to is saved (a visit moves its 上次走访; a correction or an edit changes its row),
- a link of one of his households is made, ended or removed (whose row it is, and its 责任民警),
- his own account is saved (his name, his role), or the account of an officer a household of his is handed to
  or from today (the other's name is its 责任民警),
- an area is saved, or anything is written in bulk (an import, a batch assignment, the demo): every list, and
- the day turns (how long ago, links that begin or end): the day is part of the key.
Each of those moves a version that is part of the key; a page kept under an older version is not read again
and expires. A version moves at once and again when the writing transaction commits: a page drawn from the old
rows between the write and the commit is kept under the first version, which the second leaves behind.

A unit head's, a cadre's or the county's list follows whole areas and is drawn afresh. The cache must be one
that the web and Celery processes share (Redis; `HOUSEHOLD_LIST_CACHE_SECONDS` is 0 without it): a version moved
in one process has to reach the others."""

import hashlib
import logging
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from redis.exceptions import RedisError

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.models import Area, Household, HouseholdLink, User

EVERYONE = "all"

log = logging.getLogger(__name__)


def _key(*parts) -> str:
    # The database's name: two sites (or the bench's two scales) on one Redis do not read each other's pages.
    return ":".join(("household-list", connection.settings_dict["NAME"], *map(str, parts)))


def kept_for(user: User) -> bool:
    return settings.HOUSEHOLD_LIST_CACHE_SECONDS > 0 and can.sees_own_households_only(user)


def household_list_page(user: User, query: str, draw: Callable[[], str]) -> SafeString:
    """The list as `draw` renders it for `query` (the request's query string), kept for `user` if `kept_for`.
    The versions and the page are read together, in one trip to the cache; the page is kept with the versions it
    was drawn under, and is good only while they are still the current ones."""
    if not kept_for(user):
        return draw()
    digest = hashlib.sha256(query.encode()).hexdigest()[:24]
    page_key = _key("page", user.pk, timezone.localdate().isoformat(), digest)
    version_keys = [_key("version", EVERYONE), _key("version", user.pk)]
    try:
        found = cache.get_many([*version_keys, page_key])
        versions = [found.get(key) or _fresh_version(key) for key in version_keys]
    except RedisError:
        log.warning("Household list drawn without the cache: it does not answer", exc_info=True)
        return draw()
    kept = found.get(page_key)
    if kept is not None and kept[0] == versions:
        return mark_safe(kept[1])  # noqa: S308 (our own template's output, kept as it was rendered)
    page = draw()
    try:
        cache.set(page_key, (versions, str(page)), settings.HOUSEHOLD_LIST_CACHE_SECONDS)
    except RedisError:
        log.warning("Household list not kept: the cache does not answer", exc_info=True)
    return page


def _fresh_version(key: str) -> int:
    # A new value, never a default: a version the cache let go must not meet a page kept under it.
    cache.add(key, time.time_ns(), None)
    return cache.get(key)


def household_lists_changed(officer_ids: Iterable[int] | None = None) -> None:
    """The lists of these officers (None: everyone's) are drawn again from now on, and again after the commit."""
    keys = [_key("version", EVERYONE)] if officer_ids is None else [_key("version", pk) for pk in set(officer_ids)]
    if not keys:
        return

    def move() -> None:
        # A visit or a hand-over is never refused because the cache is down; a list kept before then may show
        # the old rows until it expires (HOUSEHOLD_LIST_CACHE_SECONDS).
        try:
            cache.set_many(dict.fromkeys(keys, time.time_ns()), None)
        except RedisError:
            log.error("Household lists of %s not marked changed: the cache does not answer", keys, exc_info=True)

    move()
    transaction.on_commit(move)


def _officers_of(household_id: int) -> list[int]:
    return list(HouseholdLink.objects.filter(household_id=household_id).values_list("officer_id", flat=True))


def _household_saved(sender, instance: Household, raw=False, **kwargs) -> None:
    if not raw:
        household_lists_changed(_officers_of(instance.pk))


def _link_saved(sender, instance: HouseholdLink, raw=False, **kwargs) -> None:
    if not raw:
        household_lists_changed([instance.officer_id, *_officers_of(instance.household_id)])


def _sharing_households_with(officer_id: int) -> list[int]:
    """The officers linked today to a household he is linked to today: on a hand-over day the old officer's list
    names the new one as 责任民警 (`current_officer_name`)."""
    households = HouseholdLink.objects.active().filter(officer_id=officer_id).values("household")
    links = HouseholdLink.objects.active().filter(household__in=households).exclude(officer_id=officer_id)
    return list(links.values_list("officer_id", flat=True).distinct())


def _user_saved(sender, instance: User, created=False, raw=False, update_fields=None, **kwargs) -> None:
    # A new account has no list kept yet; signing in saves `last_login`, which no list shows. His name is on his
    # own list and, on a hand-over day, on the list of the officer handing a household to him or taking one over.
    if not (raw or created) and set(update_fields or ()) != {"last_login"}:
        household_lists_changed([instance.pk, *_sharing_households_with(instance.pk)])


def _area_saved(sender, raw=False, **kwargs) -> None:
    if not raw:
        household_lists_changed()


def connect() -> None:
    """Called once, from `CoreConfig.ready`."""
    for signal in (post_save, post_delete):
        signal.connect(_household_saved, sender=Household, dispatch_uid="household_list_household")
        signal.connect(_link_saved, sender=HouseholdLink, dispatch_uid="household_list_link")
        signal.connect(_area_saved, sender=Area, dispatch_uid="household_list_area")
    post_save.connect(_user_saved, sender=User, dispatch_uid="household_list_user")
