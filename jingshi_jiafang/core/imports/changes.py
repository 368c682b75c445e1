"""What an import changes on existing records, in words: the dry run's `ImportChange` (what confirming would
overwrite) and the written run's `ImportCorrection` (what it did overwrite) read alike on the import's page, in its
report and on the household's timeline. ID numbers and phones are masked here, once, for all of them; a reference to
another record (a village, a unit) is shown by its name, looked up in one query per kind of record for a page."""

from collections import defaultdict
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist

from jingshi_jiafang.core.privacy import mask_id_number, mask_phone

MASKS = {"head_id_number": mask_id_number, "phone": mask_phone}


@dataclass(frozen=True)
class ChangeLine:
    row_number: int
    record_key: str
    label: str
    old: str
    new: str

    def __str__(self) -> str:
        return f"{self.label} {self.old} → {self.new}"


def _field(object_type: str, name: str):
    try:
        return apps.get_model(object_type)._meta.get_field(name)
    except (LookupError, FieldDoesNotExist):
        return None


def _referenced(field, name: str) -> bool:
    """A foreign key kept by its id (village_id, unit_id, parent_id), whose values are ids to be named; a link's
    handed-over officer is kept by username already."""
    return field is not None and field.is_relation and field.many_to_one and name == field.attname != field.name


def change_lines(items) -> list[ChangeLine]:
    """`items`: ImportChange or ImportCorrection rows (a page of them)."""
    items = list(items)
    fields = {(item.object_type, item.field): _field(item.object_type, item.field) for item in items}
    wanted = defaultdict(set)
    for item in items:
        field = fields[(item.object_type, item.field)]
        if _referenced(field, item.field):
            wanted[field.related_model].update(v for v in (item.old_value, item.new_value) if v.isdigit())
    names = {model: model.objects.in_bulk([int(pk) for pk in pks]) for model, pks in wanted.items()}

    def shown(item, value: str) -> str:
        if not value:
            return "(空)"
        field = fields[(item.object_type, item.field)]
        if _referenced(field, item.field):
            record = names[field.related_model].get(int(value)) if value.isdigit() else None
            return str(record) if record is not None else f"#{value}"
        if item.field in MASKS:
            return MASKS[item.field](value)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return value

    lines = []
    for item in items:
        field = fields[(item.object_type, item.field)]
        label = str(field.verbose_name) if field is not None else item.field
        old, new = shown(item, item.old_value), shown(item, item.new_value)
        if old == new:
            # The mask hides exactly what changed (two ID numbers alike but for the birth date): say so.
            new = f"{new}(已更正)"
        lines.append(ChangeLine(item.row_number, item.record_key, label, old, new))
    return lines


def all_change_lines(items, chunk: int = 2000):
    """Every line of a (large) queryset, named a chunk at a time, for the downloaded report."""
    batch = []
    for item in items.iterator(chunk_size=chunk):
        batch.append(item)
        if len(batch) == chunk:
            yield from change_lines(batch)
            batch = []
    yield from change_lines(batch)
