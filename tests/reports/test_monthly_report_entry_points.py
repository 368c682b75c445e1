"""The monthly report through the doors people use: the legal department's page (started as a job, followed on
我的导出, downloaded, audited) and `manage.py export_monthly_report`."""

from datetime import timedelta
from io import BytesIO, StringIO
from urllib.parse import unquote

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from feedback.models import TopicMonth
from jingshi_jiafang.core.actors import SYSTEM_USERNAME
from jingshi_jiafang.core.audit import Action
from jingshi_jiafang.core.models import AuditEntry, ExportJob, User
from jingshi_jiafang.reports.forms import last_month
from tests.conftest import MAX_PAGE_QUERIES, log_in_as
from tests.core.factories import HouseholdFactory, UserFactory
from tests.reports.helpers import matter, moment

pytestmark = pytest.mark.django_db

URL = reverse("reports:monthly_report")


@pytest.fixture
def legal(client):
    return log_in_as(client, UserFactory(username="fazhi", role=User.Role.LEGAL))


@pytest.fixture
def matters(village_a, village_b):
    east, west = HouseholdFactory(village=village_a), HouseholdFactory(village=village_b)
    matter(at=moment(2), household=east, category="public_security")
    matter(at=moment(3), household=east, category="litigation", state="closed", deadline=moment(9))
    matter(at=moment(4), household=west)
    return village_a, village_b


def month_param() -> str:
    return f"{last_month():%Y-%m}"


# The page.


@pytest.mark.parametrize(
    "role", [User.Role.OFFICER, User.Role.LEADER, User.Role.CADRE, User.Role.EVALUATOR, User.Role.AUDITOR]
)
def test_only_the_legal_department_has_the_page(client, role):
    log_in_as(client, UserFactory(role=role))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"month": month_param()}).status_code == 403
    assert not ExportJob.objects.exists()
    assert "月度分类报表" not in {item.label for item in client.get(reverse("home")).context["nav_items"]}


def test_a_signed_out_visitor_is_sent_to_log_in(client):
    assert client.get(URL)["Location"].startswith(reverse("login"))


def test_the_page_defaults_to_last_month_and_says_how_many_matters(client, legal, matters):
    page = client.get(URL)
    body = page.content.decode()
    assert page.status_code == 200 and page.context["scope"].month == last_month()
    assert f'value="{month_param()}"' in body and "全县" in body
    assert page.context["preview"] == {"total": 3, "unclassified": 1, "unconfirmed": 3, "final": False}
    assert "将列在“未分类”表中" in body
    # before the legal department closes the month, what is made is a draft, and the page says so
    assert "3 件诉求的类别还未经法制部门确认" in body and "现在生成的是草稿" in body
    menu = {item.label: item.url for item in client.get(reverse("home")).context["nav_items"]}
    assert menu["月度分类报表"] == URL and menu["我的导出"] == reverse("core:export_job_list")


def test_a_closed_month_makes_the_final_report(client, legal, matters, django_capture_on_commit_callbacks):
    TopicMonth.objects.create(month=last_month(), closed_by=legal, matters=3)
    page = client.get(URL)
    assert page.context["preview"]["final"] and "草稿" not in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"month": month_param()})
    assert ExportJob.objects.get().filename == f"月度分类报表-{last_month():%Y年%m月}.xlsx"


def test_an_empty_month_says_so_and_still_offers_the_report(client, legal, matters):
    earlier = (last_month() - timedelta(days=1)).replace(day=1)
    body = client.get(URL, {"month": f"{earlier:%Y-%m}"}).content.decode()
    assert "没有登记的诉求" in body and "生成报表" in body


def test_a_town_narrows_the_preview(client, legal, matters):
    village_a, _ = matters
    page = client.get(URL, {"month": month_param(), "area": village_a.parent.code})
    assert page.context["preview"]["total"] == 2 and "东关镇" in page.content.decode()


def test_a_bad_month_or_area_is_refused_in_words(client, legal):
    following = (timezone.localdate().replace(day=1) + timedelta(days=40)).replace(day=1)
    page = client.post(URL, {"month": f"{following:%Y-%m}"})
    assert page.status_code == 400 and "还没有开始" in page.content.decode()
    page = client.post(URL, {"month": month_param(), "area": "NOPE"})
    assert page.status_code == 400 and "选择一个有效的选项" in page.content.decode()
    assert not ExportJob.objects.exists()


def test_the_page_has_a_bounded_number_of_queries(client, legal, matters, django_assert_max_num_queries):
    # A page's, and the area choices and the preview's one count each.
    with django_assert_max_num_queries(MAX_PAGE_QUERIES + 2):
        client.get(URL)


def test_start_then_follow_then_download_all_audited(client, legal, matters, django_capture_on_commit_callbacks):
    village_a, _ = matters
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"month": month_param(), "area": village_a.parent.code})
    assert response.status_code == 302 and response["Location"] == reverse("core:export_job_list")
    job = ExportJob.objects.get()
    assert (job.kind, job.requested_by, job.status, job.rows_expected, job.row_count) == (
        "monthly_report", legal, "ready", 2, 2
    )  # fmt: skip
    assert job.filename == f"月度分类报表-{last_month():%Y年%m月}-东关镇(草稿).xlsx"
    export = AuditEntry.objects.get(action=Action.EXPORT, actor=legal)
    assert export.detail == {
        "what": "monthly_report",
        "filters": {"month": month_param(), "area": village_a.parent.code},
    }

    page = client.get(reverse("core:export_job_list"))
    body = page.content.decode()
    assert "正在生成" in body and "月度分类报表" in body and job.filename in body
    download_url = reverse("core:export_job_download", args=[job.pk])
    assert download_url in body

    download = client.get(download_url)
    assert download.status_code == 200 and job.filename in unquote(download["Content-Disposition"])
    workbook = load_workbook(BytesIO(download.getvalue()))
    assert workbook.sheetnames[:2] == ["汇总", "治安防范"]
    assert AuditEntry.objects.filter(action=Action.DOWNLOAD, object_id=str(job.pk), actor=legal).exists()

    # Another member of the legal department neither sees nor downloads it.
    log_in_as(client, UserFactory(role=User.Role.LEGAL))
    assert client.get(download_url).status_code == 404


def test_a_job_in_progress_shows_its_progress_and_a_second_tap_starts_no_other(client, legal, matters):
    params = {"month": month_param(), "area": ""}
    waiting = ExportJob.objects.create(
        kind="monthly_report", params=params, requested_by=legal, filename="x.xlsx", rows_expected=3
    )
    response = client.post(URL, params)
    assert response.status_code == 302 and ExportJob.objects.get() == waiting
    body = client.get(reverse("core:export_job_list")).content.decode()
    assert 'http-equiv="refresh"' in body and "0 / 3" in body and "下载 Excel" not in body


def test_an_empty_month_makes_a_report_of_zeros(client, legal, village_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, {"month": month_param()})
    job = ExportJob.objects.get()
    assert (job.status, job.row_count) == ("ready", 0)
    workbook = load_workbook(BytesIO(client.get(reverse("core:export_job_download", args=[job.pk])).getvalue()))
    assert workbook.sheetnames == ["汇总", "治安防范", "执法服务", "队伍建设", "涉法涉诉", "其他"]


# The command.


def test_the_command_writes_the_workbook_and_audits_as_the_system(tmp_path, matters):
    out = tmp_path / "report.xlsx"
    stdout = StringIO()
    call_command("export_monthly_report", "--month", month_param(), "--out", str(out), stdout=stdout)
    assert "3 matters written" in stdout.getvalue()
    workbook = load_workbook(out)
    assert workbook.sheetnames == ["汇总", "治安防范", "执法服务", "队伍建设", "涉法涉诉", "其他", "未分类"]
    entry = AuditEntry.objects.get(action=Action.EXPORT)
    assert entry.actor.username == SYSTEM_USERNAME
    assert entry.detail["filters"] == {"month": month_param(), "area": ""} and entry.detail["file"] == str(out)


def test_the_command_narrows_to_a_village(tmp_path, matters):
    _, village_b = matters
    out = tmp_path / "west.xlsx"
    stdout = StringIO()
    call_command(
        "export_monthly_report", "--month", month_param(), "--out", str(out), "--area", village_b.code, stdout=stdout
    )
    assert "1 matters written" in stdout.getvalue() and "西湖村" in stdout.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--month", "2026-13"], "YYYY-MM"),
        (["--month", "2026/10"], "YYYY-MM"),
        (["--month", "2999-01"], "还没有开始"),
        (["--area", "NOPE"], "NOPE"),
    ],
)
def test_the_command_refuses_a_bad_month_or_area(tmp_path, args, message):
    options = {"--month": month_param(), "--out": str(tmp_path / "x.xlsx")}
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError, match=message):
        call_command("export_monthly_report", *[part for pair in options.items() for part in pair])
    assert not (tmp_path / "x.xlsx").exists() and not AuditEntry.objects.filter(action=Action.EXPORT).exists()


def test_the_command_refuses_a_file_that_is_not_xlsx_or_a_missing_folder(tmp_path):
    with pytest.raises(CommandError, match=".xlsx"):
        call_command("export_monthly_report", "--month", month_param(), "--out", str(tmp_path / "x.csv"))
    with pytest.raises(CommandError, match="does not exist"):
        call_command("export_monthly_report", "--month", month_param(), "--out", str(tmp_path / "no" / "x.xlsx"))
