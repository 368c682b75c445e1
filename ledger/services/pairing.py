"""Writes of 结对联建: the contacts a leader or cadre records with their paired household."""

from datetime import date

from django.db import transaction

from jingshi_jiafang.core.dates import recent_date_error
from jingshi_jiafang.core.errors import DomainError
from jingshi_jiafang.core.models import PairingLink, User
from ledger.models import PairingContact

# A contact is recorded soon after it was made; a month back is the most a busy cadre needs, and keeps anybody from
# filling a year of missed weeks in at once.
CONTACT_PAST_DAYS = 31


class PairingError(DomainError):
    """A contact that cannot be recorded as given; the message is shown to the user."""


@transaction.atomic
def pairing_contact_record(
    *, pairing: PairingLink, actor: User, day: date, method: str, note: str = ""
) -> PairingContact:
    """The contact as recorded; the same contact recorded again (the form sent twice: a double tap, 后退 and 保存
    again) is the one recorded first."""
    if pairing.user_id != actor.pk:
        raise PairingError("只能记录您本人结对户的联系。")
    if error := recent_date_error(day, past_days=CONTACT_PAST_DAYS, day_label="联系日期", record="联系"):
        raise PairingError(error)
    if day < pairing.start_date or (pairing.end_date and day > pairing.end_date):
        raise PairingError("联系日期不在结对期间内。")
    # The form carries no submission key (the model has no field for one): a contact of the same day, way and words
    # is the same contact. The pairing's row lock makes two sends at the same moment wait for each other.
    PairingLink.objects.select_for_update().get(pk=pairing.pk)
    fields = {"pairing": pairing, "date": day, "method": method, "note": note, "recorded_by": actor}
    return PairingContact.objects.filter(**fields).first() or PairingContact.objects.create(**fields)
