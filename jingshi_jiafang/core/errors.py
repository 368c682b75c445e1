"""The one error a service raises when the rules refuse what someone asked for.

Its message is written for the person who asked, in Chinese, and views show it as it is. Each app subclasses it
so a view catches only its own app's refusals: core's `LinkError`, `AttachmentError`, `RevealError`,
`AuditError`, `ExportError`; visits' `VisitError`; feedback's `MatterError`, `CardError`, `FeedbackError`. A
service that finds its actor lacks the capability (`core.capabilities`) raises one too, with words that say who
may.
"""


class DomainError(Exception):
    """A request the rules refuse; the message is shown to the user."""


def bounded_text(text: str, limit: int, what: str, *, error: type[DomainError] = DomainError) -> str:
    """The forms bound every text; services call this so any other caller (a job, an import) keeps the same
    bound and reads the same words."""
    if len(text) > limit:
        raise error(f"{what}最多 {limit} 个字(现有 {len(text)} 个字),请精简后再提交。")
    return text
