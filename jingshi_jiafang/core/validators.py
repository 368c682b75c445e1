"""Validators for Chinese identity data."""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
_ID_PATTERN = re.compile(r"^\d{17}[\dX]$")
_MOBILE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE_PATTERN = re.compile(r"^0\d{2,3}-?\d{7,8}$")


def id_number_check_char(first17: str) -> str:
    """The GB 11643-1999 check character for the first 17 digits of a resident ID number."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def normalize_id_number(value: str) -> str:
    return value.strip().upper()


def normalize_phone(value: str) -> str:
    """A number as people write it down: full-width digits, spaces, a +86 in front, a mobile grouped with dashes
    ("138-1234-5678") are all the same number (a landline keeps its area code's dash)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or ""))
    text = re.sub(r"^(\+86|0086)", "", text)
    digits = text.replace("-", "")
    return digits if _MOBILE_PATTERN.match(digits) else text


def validate_id_number(value: str) -> None:
    value = normalize_id_number(value)
    if not _ID_PATTERN.match(value):
        raise ValidationError("身份证号码应为18位,前17位为数字,最后一位为数字或X。", code="id_format")
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号码中的出生日期无效。", code="id_birth_date") from None
    if id_number_check_char(value[:17]) != value[17]:
        raise ValidationError("身份证号码校验位不正确,请核对后重新输入。", code="id_checksum")


def validate_phone(value: str) -> None:
    value = value.strip()
    if not (_MOBILE_PATTERN.match(value) or _LANDLINE_PATTERN.match(value)):
        raise ValidationError("电话号码格式不正确:手机号为11位,固定电话如 0527-83512345。", code="phone")


def validate_unit_code(value: str) -> None:
    if not re.fullmatch(r"[A-Z][A-Z0-9]{1,7}", value):
        raise ValidationError("单位代码为2至8位大写字母或数字,以字母开头。", code="unit_code")
