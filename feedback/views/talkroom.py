"""Talk rooms (群众说事厅): walk-in intake by the duty officer and its printed slip, the duty roster, and
scheduled callbacks."""

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from feedback import selectors, services
from feedback.errors import CardError
from feedback.forms import CallbackForm, DutyShiftForm, RosterQueryForm, ShiftHoursQueryForm, WalkInForm
from feedback.models import TalkRoomCallback
from feedback.models.talkroom import SHIFT_UNDO_MINUTES
from feedback.permissions import may_contact_resident
from feedback.scopes import callback_already_recorded, get_due_callback_for_user, get_shift_for_user
from feedback.views.public import public_echo_url
from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.forms import RevealForm
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.pagination import paginate
from jingshi_jiafang.core.permissions import capability_required
from jingshi_jiafang.core.privacy import mask_phone
from jingshi_jiafang.core.qr import qr_data_url


def _slip_password_key(pk: int) -> str:
    return f"slip-password-{pk}"


@capability_required(can.may_receive_walk_ins, "群众说事厅设在中心警务室,只有警务室民警接待来访。")
@require_http_methods(["GET", "POST"])
def walk_in(request):
    """首问责任制: whoever takes a matter in the talk room (in person, by phone or from the post box) owns it
    until they hand it on. The officer then prints the resident's slip, or, when the resident's echo card was
    answered before, is told what was added to the card's matter."""
    form = WalkInForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            walk_in = services.walk_in_register(actor=request.user, request=request, **form.cleaned_data)
        except CardError as error:
            form.add_error("card_number", str(error))
        except services.MatterError as error:
            form.add_error(None, str(error))
        else:
            if walk_in.follow_up is not None:
                return _follow_up_page(request, walk_in.follow_up)
            matter = walk_in.matter
            # The password is shown once, on the slip; it never goes into a URL or the database in clear.
            request.session[_slip_password_key(matter.pk)] = walk_in.password
            if walk_in.created:
                messages.success(request, f"已登记,查询编号 {matter.reference}。您是这件事的首问责任人。")
                if walk_in.used_up is not None:
                    messages.info(
                        request,
                        f"这张回音卡反映的事已经办结(查询编号 {walk_in.used_up.reference}),卡已用过:"
                        f"这件新事另行登记在{matter.household}名下,不记在卡上。",
                    )
            else:
                messages.info(request, f"这次登记已经保存过(查询编号 {matter.reference}),没有重复登记。")
            return redirect("feedback:walk_in_slip", pk=matter.pk)
    return render(request, "feedback/walk_in.html", {"form": form}, status=400 if form.errors else 200)


def _follow_up_page(request, result):
    """What a card answered before came to, shown at once rather than after a redirect: there is no new matter
    whose page or slip to go to, and the card's matter may be out of this officer's sight (another room's or
    unit's), so the page says what to tell the resident. Sent again, the form finds the follow-up made."""
    context = {
        "result": result,
        "may_open": selectors.matters_visible_to(request.user).filter(pk=result.answer.pk).exists(),
    }
    return render(request, "feedback/walk_in_follow_up.html", context)


@login_required
def walk_in_slip(request, pk: int):
    """The slip the resident takes home: the reference, the one-time query password and where to look."""
    matter = selectors.get_slip_matter_for_user(request.user, pk)
    status_url = public_echo_url(request, status=True)
    context = {
        "matter": matter,
        "password": request.session.pop(_slip_password_key(matter.pk), None),
        "phone": mask_phone(matter.resident_phone),
        "status_url": status_url,
        "qr": qr_data_url(status_url),
    }
    return render(request, "feedback/walk_in_slip.html", context)


@post_only("feedback:walk_in_slip")
@login_required
def walk_in_slip_password(request, pk: int):
    """A resident lost the slip, or the page was left before printing: a new password; the old one stops."""
    matter = selectors.get_slip_matter_for_user(request.user, pk)
    password = services.query_password_reissue(matter=matter, actor=request.user, request=request)
    request.session[_slip_password_key(matter.pk)] = password
    messages.success(request, "已重新生成查询密码,原来的密码已作废。请打印新的回执交给群众。")
    return redirect("feedback:walk_in_slip", pk=matter.pk)


def _roster_query(request):
    """The room and the first day of the week shown; a wrong or far-off value gives the default and a message."""
    rooms = selectors.police_rooms_for(request.user)
    form = RosterQueryForm(request.GET, rooms=rooms)
    if not form.is_valid():
        messages.warning(request, "查询条件不正确,已显示您的警务室本周的值班表。")
        room, day = None, None
    else:
        room, day = form.cleaned_data["room"], form.cleaned_data["start"]
    room = room or rooms.first()
    if room is None:
        raise Http404("您的单位下没有中心警务室。")
    return rooms, room, day or timezone.localdate()


def _week_showing(day, shift) -> date:
    """The first day of the roster page to land on after adding `shift`: the week the head was looking at when the
    shift is in it, else the shift's own week, so the shift just added is on the page that says it was added."""
    start = timezone.localdate(shift.starts_at)
    return day if day <= start < day + timedelta(days=7) else start


def _roster_entries(room, day, *, may_arrange: bool) -> list[dict]:
    """The week's shifts and, between them, the hours from now on that nobody covers, each with a link that puts
    its hours (a shift's longest at most) into the add form."""
    shifts = list(selectors.duty_roster(police_room=room, day=day))
    entries = [{"at": shift.starts_at, "shift": shift} for shift in shifts]
    for start, end in selectors.roster_gaps(shifts, day):
        gap = {"at": start, "gap": (start, end)}
        if may_arrange:
            query = {"room": room.pk, "from": day, **ShiftHoursQueryForm.query(start, end)}
            gap["add_url"] = f"{reverse('feedback:roster')}?{urlencode(query)}#add-shift"
        entries.append(gap)
    return sorted(entries, key=lambda entry: entry["at"])


def _roster_page(request, *, rooms, room, day, form, status=200):
    context = {
        "room": room,
        "rooms": rooms,
        "day": day,
        "previous": day - timedelta(days=7),
        "next": day + timedelta(days=7),
        "entries": _roster_entries(room, day, may_arrange=form is not None),
        "on_duty": selectors.on_duty_now(police_room=room),
        "form": form,
        "undo_minutes": SHIFT_UNDO_MINUTES,
    }
    return render(request, "feedback/roster.html", context, status=status)


@capability_required(can.may_work_roster, "值班表只对警务室和派出所的民警开放。")
def roster(request):
    rooms, room, day = _roster_query(request)
    form = None
    if can.may_arrange_duty(request.user, room):
        form = DutyShiftForm(police_room=room, initial=ShiftHoursQueryForm(request.GET).initial_hours())
    return _roster_page(request, rooms=rooms, room=room, day=day, form=form)


@post_only(lambda request: f"{reverse('feedback:roster')}?{request.GET.urlencode()}".rstrip("?"))
@capability_required(can.may_work_roster, "值班表只对警务室和派出所的民警开放。")
def roster_add(request):
    rooms, room, day = _roster_query(request)
    form = DutyShiftForm(request.POST, police_room=room)
    if form.is_valid():
        try:
            shift = services.duty_shift_add(police_room=room, actor=request.user, **form.cleaned_data)
        except services.MatterError as error:
            form.add_error(None, str(error))
        else:
            starts, ends = timezone.localtime(shift.starts_at), timezone.localtime(shift.ends_at)
            said = f"已添加{shift.officer}的班次({starts:%m-%d %H:%M}—{ends:%m-%d %H:%M})。"
            if shift.starts_at <= timezone.now():
                # Begun at once (排班 on a gap that began now): the one moment a begun shift can still go.
                said += f"排错了人,{SHIFT_UNDO_MINUTES} 分钟内可以在下方删除。"
            messages.success(request, said)
            return redirect(f"{reverse('feedback:roster')}?room={room.pk}&from={_week_showing(day, shift):%Y-%m-%d}")
    return _roster_page(request, rooms=rooms, room=room, day=day, form=form, status=400)


@post_only(lambda request, pk: reverse("feedback:roster"))
@capability_required(can.may_work_roster, "值班表只对警务室和派出所的民警开放。")
def roster_remove(request, pk: int):
    _rooms, _room, day = _roster_query(request)
    shift = get_shift_for_user(request.user, pk)
    try:
        gaps = services.duty_shift_remove(shift=shift, actor=request.user, request=request)
        messages.success(request, f"已删除{shift.officer}的班次({timezone.localtime(shift.starts_at):%m-%d %H:%M}起)。")
        if gaps:
            # The room would be unattended then: said at once, not found at 20:00 by a resident at a locked door.
            local = timezone.localtime
            hours = "、".join(f"{local(a):%m-%d %H:%M}—{local(b):%m-%d %H:%M}" for a, b in gaps)
            messages.warning(request, f"{hours} 现在无人值班,请在下方添加班次。")
    except services.MatterError as error:
        messages.error(request, str(error))
    return redirect(f"{reverse('feedback:roster')}?room={shift.police_room_id}&from={day:%Y-%m-%d}")


def _callback_form(callback: TalkRoomCallback, data=None) -> CallbackForm:
    # Ids of its own for each callback's form: the list holds several, and a label must lead to its own field.
    return CallbackForm(data, auto_id=f"callback-{callback.pk}-%s")


def _callback_page(
    request, refused: CallbackForm | None = None, refused_pk: int | None = None, revealed_pk: int | None = None
):
    """The due callbacks, each with its form and, for those who may call the resident, the phone they left (in
    full on the row just revealed); one sent and refused comes back as it was typed."""
    listing = paginate(request, selectors.callbacks_to_make(user=request.user))
    rows = [
        (
            callback,
            refused if callback.pk == refused_pk else _callback_form(callback),
            may_contact_resident(request.user, callback.matter),
        )
        for callback in listing["page"].object_list
    ]
    context = {
        "rows": rows,
        "refused_pk": refused_pk,
        "revealed_pk": revealed_pk,
        "may_reveal": can.may_reveal(request.user, "phone"),
        "today": timezone.localdate(),
        **listing,
    }
    return render(request, "feedback/callback_list.html", context, status=400 if refused is not None else 200)


@login_required
def callback_list(request):
    return _callback_page(request)


@post_only("feedback:callback_list", url_kwargs=())
@login_required
def callback_record(request, pk: int):
    # A double tap on a slow line, or 后退 and 记录 again: the first one recorded it, and the list says so
    # instead of a page that is not found.
    if callback_already_recorded(request.user, pk):
        messages.success(request, "这次回访已经记录过了,没有重复记录。")
        return redirect("feedback:callback_list")
    callback = get_due_callback_for_user(request.user, pk)
    form = _callback_form(callback, request.POST)
    if not form.is_valid():
        return _callback_page(request, refused=form, refused_pk=callback.pk)
    try:
        services.callback_record(callback=callback, actor=request.user, request=request, **form.cleaned_data)
    except services.MatterError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _recorded_message(callback, form.cleaned_data["outcome"]))
    return redirect("feedback:callback_list")


@post_only("feedback:callback_list", url_kwargs=())
@login_required
def callback_phone_reveal(request, pk: int):
    """The resident's phone in full on its row of the list, to call them from there; audited as on the matter's
    page, by the same rule of who may."""
    # A colleague recorded it while this list was open, or the page shown after a reveal was reloaded once its
    # callback was recorded: no number is needed any more, and the list says why instead of a page not found.
    if callback_already_recorded(request.user, pk):
        messages.info(request, "这次回访已经记录过了,不需要再拨打。")
        return redirect("feedback:callback_list")
    callback = get_due_callback_for_user(request.user, pk)
    form = RevealForm(request.POST)
    if not form.is_valid() or form.cleaned_data["field"] != "phone":
        return HttpResponseBadRequest("无效的请求。")
    try:
        services.matter_phone_reveal(matter=callback.matter, actor=request.user, request=request)
    except services.MatterError as error:
        raise PermissionDenied(str(error)) from error
    return _callback_page(request, revealed_pk=callback.pk)


def _recorded_message(callback: TalkRoomCallback, outcome: str) -> str:
    if outcome == TalkRoomCallback.Outcome.NOT_SATISFIED:
        # The matter leaves this list for its handler's: the message names it, and who has it now.
        matter = callback.matter
        matter.refresh_from_db()
        handler = matter.assignee or matter.assigned_unit
        return f"回访已记录。群众不满意,诉求 {matter.reference} 已重新办理,由{handler}承办。"
    if outcome == TalkRoomCallback.Outcome.UNREACHABLE:
        if not callback.matter.resident_phone:
            return "回访已记录:群众没有留电话,无法电话回访,不再回访。"
        tries = services.unreachable_tries(callback)
        if tries < services.CALLBACK_TRIES:
            return f"回访已记录:未联系上,明天再打(第 {tries} 次,共 {services.CALLBACK_TRIES} 次)。"
        return f"回访已记录:连续 {services.CALLBACK_TRIES} 次未联系上,不再回访。"
    return "回访已记录。"
