import sys

from django.core.management.base import BaseCommand

from feedback.services.classification import topic_model_in_use, topic_suggest


class Command(BaseCommand):
    help = (
        "Read one text per line on standard input; write one line per text, in the same order: "
        "<topic in Chinese>\\t<confidence 0..1>. Works on an empty database (the bundled model is trained on "
        "first need)."
    )
    # call_command(..., stdin=...) in tests, as a pipe is in use.
    stealth_options = ("stdin",)

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        using = topic_model_in_use()
        for line in stdin:
            suggestion = topic_suggest(line.rstrip("\r\n"), using=using)
            self.stdout.write(f"{suggestion.label}\t{suggestion.confidence:.4f}")
