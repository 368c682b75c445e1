"""数据导入: the system and security administrators move a county in (jingshi_jiafang/core/imports/).

Upload → the dry run's report, row by row → confirm (or give up) → the write run's progress and result."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jingshi_jiafang.core.capabilities import may_import
from jingshi_jiafang.core.exports import XLSX_CONTENT_TYPE
from jingshi_jiafang.core.imports import services
from jingshi_jiafang.core.imports.changes import change_lines
from jingshi_jiafang.core.imports.forms import ImportConfirmForm, ImportUploadForm
from jingshi_jiafang.core.imports.kinds import KINDS, import_kind, kinds_for, kinds_of_others
from jingshi_jiafang.core.imports.workbooks import write_problems, write_template
from jingshi_jiafang.core.pagination import CappedPaginator, paginate
from jingshi_jiafang.core.permissions import capability_required

importers_only = capability_required(may_import, "只有系统管理员和安全管理员可以导入数据。")
RECENT_RUNS = 20


def _list_context(request, form=None) -> dict:
    return {
        "kinds": kinds_for(request.user),
        "others_import": kinds_of_others(request.user),
        "form": form or ImportUploadForm(user=request.user),
        "runs": services.import_runs_of(request.user)[:RECENT_RUNS],
    }


@importers_only
def import_list(request):
    if request.method != "POST":
        return render(request, "core/imports/import_list.html", _list_context(request))
    form = ImportUploadForm(request.POST, request.FILES, user=request.user)
    if form.is_valid():
        try:
            run = services.import_upload(
                kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], actor=request.user, request=request
            )
        except services.ImportRefused as error:
            form.add_error("file", str(error))
        else:
            return redirect(run)
    return render(request, "core/imports/import_list.html", _list_context(request, form), status=400)


@importers_only
def import_template(request, kind: str):
    if kind not in KINDS or not KINDS[kind].may(request.user):
        raise Http404("没有这种导入模板。")
    spec = import_kind(kind, request.user)
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_template(file, spec)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"{spec.title}导入模板.xlsx", content_type=XLSX_CONTENT_TYPE)


def _changes_context(request, run) -> dict:
    """The values the run would change (checked) or changed (done), paged apart from the problems by
    `changes_page`, so each list keeps its page while the other is turned."""
    if not run.rows_changed:
        return {}
    if run.status == run.Status.DONE:
        items = run.corrections.order_by("row_number", "id")
    elif run.status == run.Status.CHECKED:
        items = run.changes.order_by("row_number", "id")
    else:
        return {}
    pages = CappedPaginator(items, settings.PAGE_SIZE, capped=False)
    changes_page = pages.get_page(request.GET.get("changes_page"))
    query = request.GET.copy()
    query.pop("changes_page", None)
    return {
        "changes_page": changes_page,
        "change_lines": change_lines(changes_page.object_list),
        "changes_query": query.urlencode(),
    }


@importers_only
def import_detail(request, pk: int):
    run = services.get_import_for_user(request.user, pk)
    context = {
        "run": run,
        "spec": import_kind(run.kind, request.user),
        "confirm_form": ImportConfirmForm(),
        "same_before": services.same_file_imported_before(run),
        **paginate(request, run.problems.order_by("row_number", "id")),
        **_changes_context(request, run),
    }
    return render(request, "core/imports/import_detail.html", context)


@importers_only
def import_progress(request, pk: int):
    """What the progress script polls: the counts and whether the run is still going."""
    run = services.get_import_for_user(request.user, pk)
    fields = ("status", "rows_read", "rows_total", "rows_written", "rows_skipped", "error_rows")
    data = {name: getattr(run, name) for name in fields}
    return JsonResponse({**data, "status_label": run.get_status_display(), "in_progress": run.in_progress})


@require_POST
@importers_only
def import_confirm(request, pk: int):
    run = services.get_import_for_user(request.user, pk)
    form = ImportConfirmForm(request.POST)
    skip_errors = form.is_valid() and form.cleaned_data["skip_errors"]
    try:
        services.import_confirm(run=run, actor=request.user, skip_errors=skip_errors)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已确认导入:写入在后台进行,完成后本页显示结果。")
    return redirect(run)


@require_POST
@importers_only
def import_cancel(request, pk: int):
    run = services.get_import_for_user(request.user, pk)
    try:
        services.import_cancel(run=run, actor=request.user)
    except services.ImportRefused as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "已放弃该导入,什么也没有写入。")
    return redirect("core:import_list")


@importers_only
def import_problems_download(request, pk: int):
    run = services.get_import_for_user(request.user, pk)
    file = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    problems, changes = services.problems_report(run=run, actor=request.user, request=request)
    title = "已更新" if run.status == run.Status.DONE else "将更新"
    write_problems(file, problems, key_header=import_kind(run.kind).key_header, changes=changes, changes_title=title)
    file.seek(0)
    return FileResponse(file, as_attachment=True, filename=f"检查结果-{run.filename}", content_type=XLSX_CONTENT_TYPE)
