"""Talk rooms (群众说事厅): walk-in intake by the duty officer, the duty roster, and scheduled callbacks."""

from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from feedback import selectors, services
from feedback.forms import CallbackForm, DutyShiftForm, WalkInForm
from feedback.models import TalkRoomCallback
from visits.models import Unit, User
from visits.pagination import paginate
from visits.permissions import role_required


@role_required(User.Role.DUTY_OFFICER, User.Role.OFFICER)
@require_http_methods(["GET", "POST"])
def walk_in(request):
    """首问责任制: whoever takes a matter in the talk room (in person, by phone or from the post box) owns it
    until they hand it on."""
    if request.user.unit is None or request.user.unit.kind != Unit.Kind.POLICE_ROOM:
        raise PermissionDenied("群众说事厅设在中心警务室,只有警务室民警接待来访。")
    form = WalkInForm(request.POST or None)
    if form.is_valid():
        matter = services.matter_register(
            unit=request.user.unit,
            actor=request.user,
            owner=request.user,
            request=request,
            **form.cleaned_data,
        )
        messages.success(request, f"已登记,查询编号 {matter.reference}。您是这件事的首问责任人。")
        return redirect(matter)
    return render(request, "feedback/walk_in.html", {"form": form}, status=400 if form.errors else 200)


def _room(request) -> Unit:
    rooms = selectors.police_rooms_for(request.user)
    room = rooms.filter(pk=request.GET.get("room") or 0).first() or rooms.first()
    if room is None:
        raise Http404("您的单位下没有中心警务室。")
    return room


@login_required
def roster(request):
    room = _room(request)
    try:
        day = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        day = timezone.localdate()
    context = {
        "room": room,
        "rooms": selectors.police_rooms_for(request.user),
        "day": day,
        "previous": day - timedelta(days=7),
        "next": day + timedelta(days=7),
        "shifts": selectors.duty_roster(police_room=room, day=day),
        "on_duty": selectors.on_duty_now(police_room=room),
        "form": DutyShiftForm(police_room=room) if request.user.is_unit_head else None,
    }
    return render(request, "feedback/roster.html", context)


@require_POST
@login_required
def roster_add(request):
    room = _room(request)
    form = DutyShiftForm(request.POST, police_room=room)
    if form.is_valid():
        try:
            services.duty_shift_add(police_room=room, actor=request.user, **form.cleaned_data)
            messages.success(request, "班次已添加。")
        except services.MatterError as error:
            messages.error(request, str(error))
    else:
        messages.error(request, "请选择值班民警并填写开始、结束时间。")
    return redirect(f"{reverse('feedback:roster')}?room={room.pk}")


@login_required
def callback_list(request):
    callbacks = selectors.callbacks_due(user=request.user)
    return render(request, "feedback/callback_list.html", {"form": CallbackForm(), **paginate(request, callbacks)})


@require_POST
@login_required
def callback_record(request, pk: int):
    try:
        callback = selectors.callbacks_due(user=request.user).get(pk=pk)
    except TalkRoomCallback.DoesNotExist:
        raise Http404("没有找到该回访,或已经回访过。") from None
    form = CallbackForm(request.POST)
    if form.is_valid():
        services.callback_record(callback=callback, actor=request.user, request=request, **form.cleaned_data)
        reopened = form.cleaned_data["outcome"] == TalkRoomCallback.Outcome.NOT_SATISFIED
        messages.success(request, "回访已记录,群众不满意,诉求已重新办理。" if reopened else "回访已记录。")
    else:
        messages.error(request, "请选择回访结果。")
    return redirect("feedback:callback_list")
