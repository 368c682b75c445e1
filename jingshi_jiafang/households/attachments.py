from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render

from jingshi_jiafang.core import services as core_services
from jingshi_jiafang.core.forms import AttachmentForm
from jingshi_jiafang.core.http import post_only
from jingshi_jiafang.core.scopes import get_attachment_for_user, get_household_for_user
from jingshi_jiafang.households.views import household_context


@post_only("households:household_detail")
@login_required
def attachment_upload(request, pk: int):
    household = get_household_for_user(request.user, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            core_services.household_attachment_add(
                household=household,
                actor=request.user,
                upload=form.cleaned_data["file"],
                content_type=form.content_type,
                description=form.cleaned_data["description"],
                request=request,
            )
        except core_services.AttachmentError as error:
            form.add_error(None, str(error))
    if not form.is_valid():
        context = household_context(request, household, attachment_form=form)
        return render(request, "households/household_detail.html", context, status=400)
    messages.success(request, "附件已上传。")
    return redirect(household)


@login_required
def attachment_download(request, pk: int):
    attachment = get_attachment_for_user(request.user, pk)
    try:
        file = core_services.household_attachment_open(attachment=attachment, actor=request.user, request=request)
    except core_services.RevealError as error:
        raise PermissionDenied(str(error)) from error
    response = FileResponse(
        file,
        as_attachment=True,
        filename=attachment.original_name,
        content_type=attachment.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
