"""The evaluation centre's records, fetched for a person: out of their scope is a 404, never a bare `.get()`."""

from django.http import Http404

from evaluation.models import Callback
from evaluation.selectors.callbacks import callback_with_details, callbacks_for_user
from jingshi_jiafang.core.models import User


def get_callback_for_user(user: User, pk: int) -> Callback:
    try:
        return callback_with_details(callbacks_for_user(user)).get(pk=pk)
    except Callback.DoesNotExist:
        raise Http404("没有找到该回访。") from None
