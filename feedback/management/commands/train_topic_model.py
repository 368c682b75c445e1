from django.core.management.base import BaseCommand

from feedback.services import topic_model_train
from jingshi_jiafang.core.actors import system_actor


class Command(BaseCommand):
    help = (
        "Train a new version of the topic model from the bundled examples and the legal department's confirmed "
        "topics, measure it on the held-out set, and put it in use."
    )

    def handle(self, *args, **options):
        model = topic_model_train(actor=system_actor())
        self.stdout.write(
            f"Topic model v{model.version}: {model.bundled_examples} bundled + {model.confirmed_examples} confirmed "
            f"examples, held-out accuracy {model.accuracy:.3f} on {model.heldout_size}; file {model.file}"
        )
