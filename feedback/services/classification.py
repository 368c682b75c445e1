"""Topic suggestions for residents' matters, the versioned topic model, and the legal department's confirmation.

How the three fields relate:
- `Matter.category_suggested` (with its confidence, its deciding words and the model version) is the classifier's
  suggestion. It is made when a matter is registered and renewed by the monthly job (`topics_classify_month`)
  while the legal department has not confirmed the matter's topic; it is never the topic of record.
- `Matter.category` is the topic of record. The dispatcher sets it at 研判 (the form opens on the suggestion);
  when the legal department confirms or corrects the topic (`matter_topic_confirm`) its word becomes the
  category, with `category_confirmed_by`/`_at`. A confirmed topic is never touched by the job again.
- The model learns from the bundled examples plus every confirmed topic (`topic_model_train`): the legal
  department's decisions are what next month's suggestions follow.

The model in use is the newest `TopicModel` version; its file (JSON, never pickle) lives in private storage. A
database without any version trains one from the bundled examples on first need, which takes well under a second:
no download, no network, ever.
"""

import csv
import json
import logging
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import IntegrityError, transaction
from django.utils import timezone

from feedback import classification
from feedback.classification.model import Evaluation, TopicClassifier, evaluate
from feedback.errors import MatterError
from feedback.models import Category, Matter, TopicModel, TopicMonth
from feedback.workflows import MATTER_FLOW
from jingshi_jiafang.core.actors import is_system_actor
from jingshi_jiafang.core.audit import Action, audit_record
from jingshi_jiafang.core.capabilities import may_review_topics
from jingshi_jiafang.core.dates import add_months, month_bounds
from jingshi_jiafang.core.models import User
from jingshi_jiafang.core.queueing import queue_after_commit

logger = logging.getLogger(__name__)

DATA = Path(classification.__file__).parent
BUNDLED_EXAMPLES = DATA / "examples.tsv"
HELDOUT_EXAMPLES = DATA / "heldout.tsv"
MODEL_DIRECTORY = "topic-models"
CATEGORY_BY_LABEL = {category.label: category.value for category in Category}
# What the software writes before a resident's words when it registers them itself: where they came from, not
# what they are about. Left out of what the classifier reads ("次日回访" pulled towards 队伍建设).
CALLBACK_COMMENT_LABEL = "次日回访群众意见:"
SOURCE_LABELS = (CALLBACK_COMMENT_LABEL,)


@dataclass(frozen=True)
class Suggestion:
    category: str
    confidence: float
    words: list[str]
    model_version: int

    @property
    def label(self) -> str:
        return Category(self.category).label

    def fields(self) -> dict:
        """The matter's suggestion fields, as this suggestion sets them."""
        return {
            "category_suggested": self.category,
            "category_confidence": round(self.confidence, 4),
            "category_words": self.words,
            "category_model_version": self.model_version,
        }


def read_labelled(path: Path) -> tuple[list[str], list[str]]:
    """A labelled TSV (`label<TAB>text`, the label in Chinese, a header row): its texts and their categories."""
    texts, categories = [], []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in list(csv.reader(handle, delimiter="\t"))[1:]:
            if row:
                categories.append(CATEGORY_BY_LABEL[row[0]])
                texts.append(row[1])
    return texts, categories


def confirmed_examples() -> tuple[list[str], list[str]]:
    """Every matter whose topic the legal department confirmed, in its confirmed category."""
    rows = Matter.objects.filter(category_confirmed_at__isnull=False).values_list("content", "category")
    texts, categories = [], []
    for content, category in rows.iterator():
        texts.append(content)
        categories.append(category)
    return texts, categories


def heldout_evaluation(model: TopicClassifier) -> Evaluation:
    texts, categories = read_labelled(HELDOUT_EXAMPLES)
    return evaluate(model, texts, categories)


@cache
def _bundled_model() -> tuple[TopicClassifier, Evaluation]:
    """Trained from the bundled examples alone, which are the same every time: once per process."""
    model = TopicClassifier.fit(*read_labelled(BUNDLED_EXAMPLES))
    return model, heldout_evaluation(model)


def topic_model_train(*, actor: User | None = None) -> TopicModel:
    """Train a new version from the bundled examples and the legal department's confirmed topics, measure it on
    the held-out set, write its file and make it the one in use."""
    texts, categories = read_labelled(BUNDLED_EXAMPLES)
    confirmed_texts, confirmed_categories = confirmed_examples()
    if confirmed_texts:
        model = TopicClassifier.fit(texts + confirmed_texts, categories + confirmed_categories)
        measured = heldout_evaluation(model)
    else:
        model, measured = _bundled_model()
    version = (TopicModel.objects.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    name = storages["private"].save(
        f"{MODEL_DIRECTORY}/topic-model-v{version}.json",
        ContentFile(json.dumps(model.to_dict(), ensure_ascii=False).encode("utf-8")),
    )
    try:
        with transaction.atomic():
            row = TopicModel.objects.create(
                version=version,
                trained_by=None if actor is None or is_system_actor(actor) else actor,
                bundled_examples=len(texts),
                confirmed_examples=len(confirmed_texts),
                heldout_size=measured.size,
                accuracy=measured.accuracy,
                file=name,
            )
    except IntegrityError:
        # Another process trained the same version at the same moment (two workers at first need): theirs is in
        # use, and this file is not needed.
        storages["private"].delete(name)
        return TopicModel.objects.order_by("-version").first()
    _loaded.clear()
    _loaded[(row.version, row.file)] = model
    logger.info("Topic model v%s trained on %s examples, held-out accuracy %.3f", version, row.examples, row.accuracy)
    return row


# The classifier of the version in use, read once per process: (version, file) → classifier.
_loaded: dict[tuple[int, str], TopicClassifier] = {}


def topic_model_in_use() -> tuple[TopicModel, TopicClassifier]:
    """The newest version and its classifier. A database with no version yet, or whose file is gone, gets one
    trained from what is at hand."""
    row = TopicModel.objects.order_by("-version").first()
    if row is None:
        row = topic_model_train()
    key = (row.version, row.file)
    if key not in _loaded:
        storage = storages["private"]
        if not storage.exists(row.file):
            logger.warning("Topic model file %s is missing; training a new version", row.file)
            row = topic_model_train()
            return row, _loaded[(row.version, row.file)]
        with storage.open(row.file, "rb") as handle:
            classifier = TopicClassifier.from_dict(json.loads(handle.read().decode("utf-8")))
        _loaded.clear()
        _loaded[key] = classifier
    return row, _loaded[key]


def topic_suggest(text: str, *, using: tuple[TopicModel, TopicClassifier] | None = None) -> Suggestion:
    row, classifier = using or topic_model_in_use()
    prediction = classifier.predict(_without_source_label(text))
    return Suggestion(
        category=prediction.label,
        confidence=prediction.confidence,
        words=prediction.words,
        model_version=row.version,
    )


def _without_source_label(text: str) -> str:
    for label in SOURCE_LABELS:
        if text.startswith(label):
            return text[len(label) :]
    return text


def month_of(matter: Matter) -> date:
    """The month a matter belongs to: the one it was registered in, in the bureau's time zone."""
    return timezone.localtime(matter.created_at).date().replace(day=1)


def previous_month(day: date) -> date:
    """The month the job run on `day` classifies: the one before."""
    return add_months(day, -1)


def topics_classify_month(*, month: date, actor: User) -> int:
    """Suggest a topic for every matter registered in `month` whose topic the legal department has not confirmed,
    with the model in use; returns how many suggestions changed. Each is written by a compare-and-set that
    requires the matter still unconfirmed, so a confirmation made meanwhile is never overwritten, and a second run
    with the same model changes nothing. A job's work: `actor` is the system actor."""
    if not is_system_actor(actor):
        raise MatterError("每月类别研判由系统按时自动执行。")
    using = topic_model_in_use()
    start, end = month_bounds(month)
    listed = Matter.objects.filter(created_at__gte=start, created_at__lt=end, category_confirmed_at__isnull=True)
    changed = 0
    for pk, content in listed.values_list("pk", "content").iterator():
        fields = topic_suggest(content, using=using).fields()
        changed += (
            Matter.objects.filter(pk=pk, category_confirmed_at__isnull=True)
            .exclude(**fields)
            .update(**fields, updated_at=timezone.now())
        )
    logger.info("Topics of %s: %s suggestions changed", month.strftime("%Y-%m"), changed)
    return changed


@transaction.atomic
def matter_topic_confirm(*, matter: Matter, actor: User, category: str, request=None) -> Matter:
    """The legal department confirms the suggested topic or corrects it: its word becomes the topic of record and
    a training example for the next version."""
    if not may_review_topics(actor):
        raise MatterError("只有法制部门可以确认诉求类别。")
    if category not in Category.values:
        raise MatterError("请选择类别。")
    matter = MATTER_FLOW.lock(matter)
    month = month_of(matter)
    if TopicMonth.objects.filter(month=month).exists():
        raise MatterError(f"{month:%Y年%m月}的类别研判已经关闭,不能再更改。")
    earlier = matter.category
    matter.category = category
    matter.category_confirmed_by = actor
    matter.category_confirmed_at = timezone.now()
    matter.save(update_fields=["category", "category_confirmed_by", "category_confirmed_at", "updated_at"])
    note = _confirmation_note(category, shown=earlier or matter.category_suggested)
    MATTER_FLOW.record(matter, actor=actor, note=note)
    audit_record(
        action=Action.STATE_CHANGED,
        actor=actor,
        request=request,
        target=matter,
        detail={"category": category, "was": earlier, "suggested": matter.category_suggested},
    )
    return matter


def _confirmation_note(category: str, *, shown: str) -> str:
    """Against the category the matter showed (its own, or else the suggestion): keeping a category set at 研判
    is a confirmation even where the model suggested another."""
    label = Category(category).label
    if shown and shown != category:
        return f"法制部门更正类别:{label}(原为{Category(shown).label})"
    return f"法制部门确认类别:{label}"


def topic_month_close(*, month: date, actor: User, retrain: bool = True, request=None) -> TopicMonth:
    """The legal department closes a month once every matter of it has a confirmed topic; the topic model is then
    retrained on them, after the commit, so next month's suggestions follow this month's decisions. (`retrain`
    is False only for a caller that closes several months and trains once itself: the demo.)"""
    if not may_review_topics(actor):
        raise MatterError("只有法制部门可以关闭类别研判月份。")
    first = month.replace(day=1)
    if first >= timezone.localdate().replace(day=1):
        raise MatterError(f"{first:%Y年%m月}尚未结束,月底之后才能关闭。")
    start, end = month_bounds(first)
    with transaction.atomic():
        # As the review lists them (`selectors.matters_of_month`): a merged duplicate waits for no confirmation.
        matters = Matter.objects.filter(created_at__gte=start, created_at__lt=end).exclude(state=Matter.State.MERGED)
        total = matters.count()
        if total == 0:
            raise MatterError(f"{first:%Y年%m月}没有诉求,无需关闭。")
        pending = matters.filter(category_confirmed_at__isnull=True).count()
        if pending:
            raise MatterError(f"还有 {pending} 件诉求的类别没有确认,全部确认后才能关闭{first:%Y年%m月}。")
        try:
            with transaction.atomic():
                closed = TopicMonth.objects.create(month=first, closed_by=actor, matters=total)
        except IntegrityError as error:
            raise MatterError(f"{first:%Y年%m月}的类别研判已经关闭。") from error
        audit_record(
            action=Action.STATE_CHANGED,
            actor=actor,
            request=request,
            target=closed,
            detail={"month": f"{first:%Y-%m}", "matters": total, "closed": True},
        )
        if retrain:
            # Imported here: the tasks module is built on these services.
            from feedback.tasks import train_topic_model_task

            queue_after_commit(train_topic_model_task)
    return closed
