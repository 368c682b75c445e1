"""An error summary at the top of a form: on a phone the first error may be a long scroll down, so the page
says at once that nothing was saved, and each line links to its field."""

from django import template

register = template.Library()


@register.inclusion_tag("core/_error_summary.html")
def error_summary(*forms, title: str = "没有保存,请改正以下问题:", anchor: str = ""):
    """Every error of the given bound forms, in page order: errors of the whole form first (linked to `anchor`,
    the form's own id, when given), then each field's, linked to the field."""
    errors = []
    for form in forms:
        if form is None or not form.is_bound:
            continue
        errors += [("", "", str(error)) for error in form.non_field_errors()]
        errors += [
            ("" if field.is_hidden else field.auto_id, field.label, str(error))
            for field in form
            for error in field.errors
        ]
    return {"errors": errors, "title": title, "anchor": anchor}
