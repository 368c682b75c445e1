import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jingshi_jiafang.core.models import AuditEntry, HouseholdAttachment
from tests.core.factories import PNG_BYTES, AreaLinkFactory, png_upload

pytestmark = pytest.mark.django_db


def upload(client, household, file, description="户口簿首页"):
    return client.post(
        reverse("households:attachment_upload", args=[household.pk]), {"file": file, "description": description}
    )


def test_officer_uploads_a_photo_and_downloads_it_through_the_checked_view(client, alice, alice_household):
    client.force_login(alice)
    response = upload(client, alice_household, png_upload())
    assert response.status_code == 302
    attachment = HouseholdAttachment.objects.get()
    assert attachment.content_type == "image/png"
    assert "户口簿" not in attachment.file.name  # stored under a random name
    download = client.get(attachment.get_absolute_url())
    assert b"".join(download.streaming_content) == PNG_BYTES
    assert download["Content-Disposition"].startswith("attachment")
    assert download["X-Content-Type-Options"] == "nosniff"
    actions = AuditEntry.objects.exclude(action="login").order_by("id").values_list("action", flat=True)
    assert list(actions) == ["upload", "download"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("page.png", b"<html><script>alert(1)</script>"),
        ("page.html", PNG_BYTES),
        ("scan.pdf", PNG_BYTES),
        ("empty.png", b""),
    ],
)
def test_uploads_are_checked_by_content_and_extension(client, alice, alice_household, name, content):
    client.force_login(alice)
    response = upload(client, alice_household, SimpleUploadedFile(name, content, content_type="image/png"))
    assert response.status_code == 400
    assert not HouseholdAttachment.objects.exists()


def test_oversized_upload_is_refused_with_the_limit_in_the_message(client, alice, alice_household, settings):
    settings.MAX_UPLOAD_BYTES = 1024 * 1024
    client.force_login(alice)
    big = SimpleUploadedFile("big.png", PNG_BYTES + b"\x00" * (1024 * 1024), content_type="image/png")
    response = upload(client, alice_household, big)
    assert response.status_code == 400
    assert "最大 1 MB" in response.content.decode()


def test_rejected_upload_keeps_the_description_typed(client, alice, alice_household):
    client.force_login(alice)
    response = upload(client, alice_household, SimpleUploadedFile("x.txt", b"hello"), description="门牌照片")
    assert 'value="门牌照片"' in response.content.decode()


def test_cadre_may_download_but_not_upload(client, alice, alice_household):
    client.force_login(alice)
    upload(client, alice_household, png_upload())
    cadre = AreaLinkFactory(area=alice_household.village).user
    client.force_login(cadre)
    assert client.get(HouseholdAttachment.objects.get().get_absolute_url()).status_code == 200
    assert upload(client, alice_household, png_upload()).status_code == 400
    assert HouseholdAttachment.objects.count() == 1


def test_other_station_cannot_download(client, alice, charlie, alice_household):
    client.force_login(alice)
    upload(client, alice_household, png_upload())
    client.force_login(charlie)
    assert client.get(HouseholdAttachment.objects.get().get_absolute_url()).status_code == 404
    assert not AuditEntry.objects.filter(action="download").exists()


def test_uploads_are_not_under_the_static_root(settings):
    from pathlib import Path

    private = Path(settings.PRIVATE_STORAGE_ROOT).resolve()
    assert not private.is_relative_to(Path(settings.STATIC_ROOT).resolve())
    assert all(not private.is_relative_to(Path(d).resolve()) for d in settings.STATICFILES_DIRS)
