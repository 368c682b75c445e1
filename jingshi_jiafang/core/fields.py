from django import forms
from django.db import models

from jingshi_jiafang.core.crypto import decrypt, encrypt, keyed_hash


class EncryptedCharField(models.TextField):
    """A short string kept encrypted in the database and plain in Python. It cannot be filtered on:
    pair it with a KeyedHashField for exact search."""

    def __init__(self, *args, form_max_length: int | None = None, **kwargs):
        self.form_max_length = form_max_length
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.form_max_length is not None:
            kwargs["form_max_length"] = self.form_max_length
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection):
        return value if value in (None, "") else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        return value if value in (None, "") else encrypt(value)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": forms.CharField, "max_length": self.form_max_length, **kwargs})


class KeyedHashField(models.CharField):
    """The keyed hash of another field of the same model, computed on every save and bulk insert."""

    def __init__(self, *args, source: str, **kwargs):
        self.source = source
        kwargs["max_length"] = 64
        kwargs["editable"] = False
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        del kwargs["max_length"]
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.source)
        digest = keyed_hash(value) if value else ""
        setattr(model_instance, self.attname, digest)
        return digest
