"""Uploaded files: checked by size and by their first bytes (not by the name or the browser's word), stored
under a random name outside the web root, and served only through a view that checks scope."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import storages

# content type → (magic bytes at the start of the file, extensions a file of that type may carry)
ALLOWED_TYPES = {
    "image/jpeg": (b"\xff\xd8\xff", {".jpg", ".jpeg"}),
    "image/png": (b"\x89PNG\r\n\x1a\n", {".png"}),
    "application/pdf": (b"%PDF-", {".pdf"}),
}


def private_storage():
    return storages["private"]


def random_upload_path(instance, filename: str) -> str:
    return f"households/{instance.household_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


def validate_upload(upload) -> str:
    """The upload's real content type, or a ValidationError saying what is allowed."""
    limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    if upload.size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(f"文件过大:最大 {limit_mb} MB。", code="too_large")
    if upload.size == 0:
        raise ValidationError("文件是空的。", code="empty")
    head = upload.read(16)
    upload.seek(0)
    suffix = PurePath(upload.name).suffix.lower()
    for content_type, (magic, suffixes) in ALLOWED_TYPES.items():
        if head.startswith(magic) and suffix in suffixes:
            return content_type
    raise ValidationError("只能上传 JPG、PNG 图片或 PDF 文件,且扩展名须与内容一致。", code="file_type")
