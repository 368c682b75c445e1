from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, object_list) -> dict:
    """The page asked for, and the query string without `page` so that page links keep the filters."""
    page: Page = Paginator(object_list, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return {"page": page, "query": _query_without_page(request)}


@dataclass
class UncountedPage:
    """A page of a list too long to count on every load (every overdue household of a county): it knows whether
    another page follows by reading one row more, and `_pagination.html` shows 上一页/下一页 without a total."""

    object_list: list
    number: int
    has_next_row: bool
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
    rows = list(object_list[(number - 1) * size : number * size + 1])
    if not rows and number > 1:
        number, rows = 1, list(object_list[: size + 1])
    page = UncountedPage(object_list=rows[:size], number=number, has_next_row=len(rows) > size)
    return {"page": page, "query": _query_without_page(request)}


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()
