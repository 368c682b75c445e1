from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator


class CappedPaginator(Paginator):
    """A paginator whose last page is settings.MAX_PAGES at most (a later page number gives that page): the
    database reads every row before a page to reach it, so page 2,000 of the county's households took seconds,
    and no one clicks 下一页 a hundred times — past it the list asks for a search. `capped=False` for a list
    that must be read to its end (an import's changes, checked before they are applied)."""

    def __init__(self, *args, capped: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.capped = capped

    @cached_property
    def num_pages(self) -> int:
        pages = super().num_pages
        return min(pages, settings.MAX_PAGES) if self.capped else pages

    def _get_page(self, *args, **kwargs) -> "CappedPage":
        return CappedPage(*args, **kwargs)


class CappedPage(Page):
    @property
    def is_cut(self) -> bool:
        """The list has more rows than its pages offered hold."""
        return self.paginator.count > self.paginator.num_pages * self.paginator.per_page

    @property
    def stops_short(self) -> bool:
        """The last page offered, with rows left after it: `_pagination.html` asks for a search."""
        return not self.has_next() and self.is_cut


def paginate(request, object_list) -> dict:
    """The page asked for, and the query string without `page` so that page links keep the filters."""
    page: Page = CappedPaginator(object_list, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "query": _query_without_page(request)}


@dataclass
class UncountedPage:
    """A page of a list too long to count on every load (every overdue household of a county): it knows whether
    another page follows by reading one row more, and `_pagination.html` shows 上一页/下一页 without a total."""

    object_list: list
    number: int
    has_next_row: bool
    stops_short: bool = False
    paginator = None

    def has_next(self) -> bool:
        return self.has_next_row

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def paginate_uncounted(request, object_list) -> dict:
    """Like `paginate`, without the count: a page number past the end (or not a number) gives the first page."""
    size = settings.PAGE_SIZE
    number = request.GET.get("page", "1")
    number = int(number) if number.isdigit() and 0 < int(number) < 100_000 else 1
    number = min(number, settings.MAX_PAGES)
    rows = list(object_list[(number - 1) * size : number * size + 1])
    if not rows and number > 1:
        number, rows = 1, list(object_list[: size + 1])
    more, last = len(rows) > size, number == settings.MAX_PAGES
    page = UncountedPage(rows[:size], number, has_next_row=more and not last, stops_short=more and last)
    return {"page": page, "query": _query_without_page(request)}


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
