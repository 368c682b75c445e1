"""The one error a service raises when the rules refuse what someone asked for.

Its message is written for the person who asked, in Chinese, and views show it as it is; each app subclasses it
(`MatterError`, `CardError`) so a view catches only its own app's refusals.
"""


class DomainError(Exception):
    """A request the rules refuse; the message is shown to the user."""
