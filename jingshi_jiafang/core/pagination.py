from django.conf import settings
from django.core.paginator import Page, Paginator


def paginate(request, object_list) -> dict:
    """The page asked for, and the query string without `page` so that page links keep the filters."""
    page: Page = Paginator(object_list, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return {"page": page, "query": query.urlencode()}
