import string

from django.core.exceptions import ValidationError

_CLASSES = (
    ("小写字母", set(string.ascii_lowercase)),
    ("大写字母", set(string.ascii_uppercase)),
    ("数字", set(string.digits)),
)


class CharacterClassValidator:
    """At least `min_classes` of: lower case, upper case, digits, other characters (symbols, Chinese)."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def _classes_in(self, password: str) -> int:
        found = sum(1 for _, chars in _CLASSES if chars & set(password))
        other = any(not any(c in chars for _, chars in _CLASSES) for c in password)
        return found + other

    def validate(self, password, user=None):
        if self._classes_in(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return f"密码须包含小写字母、大写字母、数字、符号中的至少 {self.min_classes} 类。"
