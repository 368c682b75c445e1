"""Topic classification (issue 13): the classifier's quality and explanations, the versioned model in private
storage, learning from the legal department's confirmed topics, the suggestion at registration and on the 研判
form, the monthly job, and the classify_topic contract on an empty database."""

import io
import json
import os
import re
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone

from feedback import services
from feedback.classification.model import TopicClassifier
from feedback.classification.text import features
from feedback.models import Category, Matter, MatterEvent, TopicModel
from feedback.services import classification
from feedback.services.classification import (
    BUNDLED_EXAMPLES,
    HELDOUT_EXAMPLES,
    previous_month,
    read_labelled,
    topic_model_in_use,
    topic_suggest,
)
from feedback.tasks import classify_month_task, train_topic_model_task
from jingshi_jiafang.core.actors import system_actor
from jingshi_jiafang.core.models import AuditEntry, User
from tests.core.factories import UserFactory
from tests.feedback.helpers import walk_in

SAMPLE = Path(__file__).parent / "data" / "topics-sample.tsv"
LABELS = set(Category.labels)


@pytest.fixture(scope="module")
def bundled():
    return TopicClassifier.fit(*read_labelled(BUNDLED_EXAMPLES))


@pytest.fixture
def duty(village_a):
    return UserFactory(username="duty", name="孙明", role=User.Role.DUTY_OFFICER, unit=village_a.unit)


@pytest.fixture
def legal(station_a):
    return UserFactory(username="legal", name="法制科", role=User.Role.LEGAL, unit=station_a.parent)


# The classifier itself: no database.


def test_the_bundled_examples_are_plenty_and_cover_every_topic():
    texts, categories = read_labelled(BUNDLED_EXAMPLES)
    assert len(texts) >= 500 and len(set(texts)) == len(texts)
    assert all(categories.count(category) >= 80 for category in Category.values)
    heldout, _ = read_labelled(HELDOUT_EXAMPLES)
    assert len(heldout) >= 150 and not set(heldout) & set(texts)


def test_the_classifier_gets_at_least_nine_in_ten_of_the_shared_sample_right(bundled):
    texts, categories = read_labelled(SAMPLE)
    assert len(texts) == 50
    right = sum(bundled.predict(text).label == category for text, category in zip(texts, categories, strict=True))
    assert right / len(texts) >= 0.9


def test_a_suggestion_names_the_words_that_decided_it(bundled):
    text = "俺家电动车昨晚上叫人偷了,锁都撬坏了,求你们晚上多来巡逻"
    prediction = bundled.predict(text)
    assert prediction.label == Category.PUBLIC_SECURITY
    assert 1 <= len(prediction.words) <= 5
    # Stretches of the text itself, never across its punctuation.
    assert all(len(word) > 1 and word in text and "," not in word for word in prediction.words)
    assert any("电动车" in word or "巡逻" in word or "偷" in word for word in prediction.words)
    # No word says the same as another inside it.
    assert not any(a != b and a in b for a in prediction.words for b in prediction.words)


def test_overlapping_pieces_are_shown_as_the_word_they_make(bundled):
    words = bundled.predict("孩子出生三个月了还没上户口,材料不知道咋准备").words
    assert "没上户口" in words and "上户" not in words and "户口" not in words


def test_the_confidence_is_the_probability_of_the_chosen_topic(bundled):
    prediction = bundled.predict("身份证丢了补办要带啥材料")
    assert prediction.label == Category.LAW_ENFORCEMENT
    assert 0 < prediction.confidence <= 1
    assert prediction.confidence == max(prediction.probabilities.values())
    assert sum(prediction.probabilities.values()) == pytest.approx(1)


def test_features_read_full_width_text_as_half_width_and_never_span_punctuation():
    assert features("打１１０,没人来") == features("打110，没人来")
    assert "0没" not in features("打110,没人来") and "110" in features("打110,没人来")


def test_a_model_read_back_from_json_answers_as_the_one_written(bundled):
    again = TopicClassifier.from_dict(json.loads(json.dumps(bundled.to_dict())))
    text = "派出所那个辅警说话太冲了"
    assert again.predict(text).label == bundled.predict(text).label
    assert again.predict(text).confidence == pytest.approx(bundled.predict(text).confidence, abs=1e-3)


WORDS_IN_A_FRESH_PROCESS = """
import json, sys
from feedback.classification.model import TopicClassifier
data = json.load(sys.stdin)
model = TopicClassifier.from_dict(data["model"])
json.dump([model.predict(text).words for text in data["texts"]], sys.stdout, ensure_ascii=False)
"""


def test_the_deciding_words_are_the_same_in_every_process(bundled):
    """The monthly job rewrites a suggestion whose words differ, and each run is a new process with its own string
    hash seed: n-grams that pull equally (a stored model's log-probabilities are rounded, so many do) must not be
    ordered by a set's iteration order, or a second run "changes" the month again."""
    texts = read_labelled(HELDOUT_EXAMPLES)[0]
    payload = json.dumps({"model": bundled.to_dict(), "texts": texts}, ensure_ascii=False)
    answers = []
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", WORDS_IN_A_FRESH_PROCESS],
            input=payload,
            capture_output=True,
            text=True,
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
        answers.append(json.loads(done.stdout))
    assert answers[0] == answers[1] == answers[2]


# The versioned model in private storage.


@pytest.mark.django_db
def test_an_empty_database_gets_the_bundled_model_on_first_need_stored_and_measured():
    assert not TopicModel.objects.exists()
    row, classifier = topic_model_in_use()
    assert row.version == 1 and row.confirmed_examples == 0
    assert row.bundled_examples == len(read_labelled(BUNDLED_EXAMPLES)[0])
    assert row.heldout_size == len(read_labelled(HELDOUT_EXAMPLES)[0])
    assert 0.9 <= row.accuracy <= 1
    stored = json.loads(storages["private"].open(row.file).read())
    assert row.file.startswith("topic-models/") and stored["labels"] == classifier.labels
    # Asked again, the same version: nothing is trained twice.
    assert topic_model_in_use()[0].pk == row.pk and TopicModel.objects.count() == 1


@pytest.mark.django_db
def test_training_again_makes_a_new_version_the_one_in_use():
    first = services.topic_model_train()
    second = call_command_output("train_topic_model")
    assert "v2" in second and "held-out accuracy" in second
    assert topic_model_in_use()[0].version == 2 and first.version == 1
    assert train_topic_model_task() == 3


@pytest.mark.django_db
def test_a_model_whose_file_is_gone_is_trained_again_not_left_broken():
    row = services.topic_model_train()
    storages["private"].delete(row.file)
    classification._loaded.clear()  # a process started after the file went
    again, classifier = topic_model_in_use()
    assert again.version == row.version + 1 and storages["private"].exists(again.file)
    assert classifier.predict("身份证丢了").label == Category.LAW_ENFORCEMENT


# Learning from the legal department.

DRONE_COMPLAINTS = [
    "有人天天开无人机在俺家院子上头转,拍来拍去",
    "无人机老在村里飞,嗡嗡响,也不知道谁放的",
    "邻居家的娃放无人机拍女生洗澡间的窗户",
    "一大早就有无人机在房顶上悬停,吓得鸡都不下蛋",
    "晚上还有无人机带着灯在地里飞来飞去",
    "那个无人机飞得很低,差点撞到老人头上",
    "无人机掉到俺家院子里砸坏了花盆,主人也不来认",
    "好几个无人机一起在学校上空飞,老师说影响上课",
]


@pytest.mark.django_db
def test_retraining_follows_the_legal_departments_confirmed_topics(duty, legal):
    # The bureau decides that drone complaints are 队伍建设 (say, its own drone team's conduct). However odd,
    # next month's suggestions must follow its decisions.
    for text in DRONE_COMPLAINTS:
        matter = walk_in(duty, text)
        services.matter_topic_confirm(matter=matter, actor=legal, category=Category.FORCE_CONDUCT)
    new_text = "今天又有无人机在俺们村上空飞了一下午"
    assert topic_suggest(new_text).category != Category.FORCE_CONDUCT
    model = services.topic_model_train(actor=legal)
    assert model.confirmed_examples == len(DRONE_COMPLAINTS) and model.trained_by == legal
    suggestion = topic_suggest(new_text)
    assert suggestion.category == Category.FORCE_CONDUCT and suggestion.model_version == model.version
    assert any("无人机" in word for word in suggestion.words)


@pytest.mark.django_db
def test_only_the_legal_department_confirms_a_topic_with_a_history_row_and_an_audit_entry(duty, legal):
    matter = walk_in(duty, "派出所窗口中午不办公,上班的人没法去办户口")
    with pytest.raises(services.MatterError, match="法制部门"):
        services.matter_topic_confirm(matter=matter, actor=duty, category=Category.OTHER)
    with pytest.raises(services.MatterError, match="请选择类别"):
        services.matter_topic_confirm(matter=matter, actor=legal, category="nonsense")
    services.matter_topic_confirm(matter=matter, actor=legal, category=Category.FORCE_CONDUCT)
    matter.refresh_from_db()
    assert matter.category == Category.FORCE_CONDUCT
    assert matter.category_confirmed_by == legal and matter.category_confirmed_at is not None
    assert matter.category_suggested == Category.LAW_ENFORCEMENT  # the suggestion stays what it was
    note = "法制部门更正类别:队伍建设(原为执法服务)"
    assert MatterEvent.objects.filter(matter=matter, note=note, actor=legal).exists()
    entry = AuditEntry.objects.filter(object_id=str(matter.pk), actor=legal).latest("created_at")
    assert entry.detail == {"category": "force_conduct", "was": "", "suggested": "law_enforcement"}


@pytest.mark.django_db
def test_keeping_the_category_set_at_analysis_is_a_confirmation_whatever_the_suggestion(duty, legal):
    matter = walk_in(duty, "派出所窗口中午不办公,上班的人没法去办户口")
    Matter.objects.filter(pk=matter.pk).update(category=Category.FORCE_CONDUCT)
    matter.refresh_from_db()
    assert matter.category_suggested == Category.LAW_ENFORCEMENT
    services.matter_topic_confirm(matter=matter, actor=legal, category=Category.FORCE_CONDUCT)
    assert matter.events.last().note == "法制部门确认类别:队伍建设"


# The suggestion at registration and on the 研判 form.


@pytest.mark.django_db
def test_a_matter_is_registered_with_a_suggestion_and_the_analysis_form_opens_on_it(client, duty):
    matter = walk_in(duty, "村里最近老丢电动车,晚上黑灯瞎火的,希望多来巡逻")
    assert matter.category_suggested == Category.PUBLIC_SECURITY and matter.category == ""
    assert 0 < matter.category_confidence <= 1 and matter.category_words
    assert matter.category_model_version == TopicModel.objects.get().version
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    category = re.search(r'<select[^>]*name="analyse-category"[^>]*>.*?</select>', page, re.S).group(0)
    assert '<option value="public_security" selected>治安防范</option>' in category
    assert f"系统建议“治安防范”,把握 {matter.suggestion_percent}%" in page
    shown = re.search(r'data-testid="topic-suggestion">(.*?)</dd>', page, re.S).group(1)
    assert "治安防范" in shown and all(f'<mark class="px-1">{word}</mark>' in shown for word in matter.category_words)


@pytest.mark.django_db
def test_a_doubtful_suggestion_says_so_on_the_form(client, duty):
    matter = walk_in(duty, "这个事情想问问")
    Matter.objects.filter(pk=matter.pk).update(category_confidence=0.41)
    client.force_login(duty)
    page = client.get(matter.get_absolute_url()).content.decode()
    assert "把握 41%(把握不大,请仔细判断)" in page


@pytest.mark.django_db
def test_the_matter_page_names_a_confirmed_topic(client, duty, legal):
    matter = walk_in(duty, "被人打伤报了警,说是民事纠纷不给立案,我不服")
    services.matter_topic_confirm(matter=matter, actor=legal, category=Category.LITIGATION)
    client.force_login(duty)
    shown = re.search(
        r'data-testid="topic-suggestion">(.*?)</dd>', client.get(matter.get_absolute_url()).content.decode(), re.S
    )
    assert "法制部门已确认" in shown.group(1) and "涉法涉诉(法制科" in shown.group(1)


# The monthly job.


def _in_month(matter, day: date):
    moment = timezone.make_aware(datetime(day.year, day.month, day.day, 10, 0))
    Matter.objects.filter(pk=matter.pk).update(created_at=moment)


def _month_state():
    return list(
        Matter.objects.order_by("pk").values_list(
            "pk", "category", "category_suggested", "category_confidence", "category_words", "category_confirmed_at"
        )
    )


@pytest.fixture
def october(duty, legal):
    """Three matters of October 2026: one without a suggestion (registered before the classifier), one with a
    stale one, one the legal department corrected; and one of November the job for October must not touch."""
    unsuggested = walk_in(duty, "孩子出生三个月了还没上户口,材料不知道咋准备")
    stale = walk_in(duty, "有民警在饭店喝多了穿着警服闹事")
    confirmed = walk_in(duty, "村里那条水泥路坏了好几年,一下雨就没法走")
    november = walk_in(duty, "法院判了对方赔钱,对方一直不执行")
    Matter.objects.filter(pk=unsuggested.pk).update(category_suggested="", category_confidence=None, category_words=[])
    Matter.objects.filter(pk=stale.pk).update(category_suggested=Category.OTHER, category_confidence=0.3)
    services.matter_topic_confirm(matter=confirmed, actor=legal, category=Category.PUBLIC_SECURITY)
    # Its suggestion, too, is one the job would change, were it allowed to touch a confirmed matter.
    Matter.objects.filter(pk=confirmed.pk).update(category_suggested=Category.LITIGATION, category_confidence=0.2)
    Matter.objects.filter(pk=november.pk).update(category_suggested="")
    for matter in (unsuggested, stale, confirmed):
        _in_month(matter, date(2026, 10, 15))
    _in_month(november, date(2026, 11, 1))
    return {"unsuggested": unsuggested, "stale": stale, "confirmed": confirmed, "november": november}


@pytest.mark.django_db
def test_the_monthly_job_suggests_for_every_unconfirmed_matter_once_and_never_touches_a_confirmed_topic(october):
    confirmed_before = Matter.objects.get(pk=october["confirmed"].pk)
    assert classify_month_task("2026-10") == 2
    unsuggested = Matter.objects.get(pk=october["unsuggested"].pk)
    stale = Matter.objects.get(pk=october["stale"].pk)
    assert unsuggested.category_suggested == Category.LAW_ENFORCEMENT and unsuggested.category_words
    assert stale.category_suggested == Category.FORCE_CONDUCT and stale.category_confidence > 0.3
    confirmed = Matter.objects.get(pk=october["confirmed"].pk)
    assert confirmed.category == Category.PUBLIC_SECURITY
    assert confirmed.category_suggested == confirmed_before.category_suggested == Category.LITIGATION
    assert confirmed.category_confirmed_at == confirmed_before.category_confirmed_at
    assert Matter.objects.get(pk=october["november"].pk).category_suggested == ""
    after_first = _month_state()
    # Again, through the task and through the command: nothing changes.
    assert classify_month_task("2026-10") == 0
    assert "0 suggestions changed" in call_command_output("classify_month", "--month", "2026-10")
    assert _month_state() == after_first


@pytest.mark.django_db
def test_the_command_run_twice_changes_nothing_the_second_time(october):
    assert "Topics of 2026-10: 2 suggestions changed" in call_command_output("classify_month", "--month", "2026-10")
    after_first = _month_state()
    assert "Topics of 2026-10: 0 suggestions changed" in call_command_output("classify_month", "--date", "2026-11-01")
    assert _month_state() == after_first


@pytest.mark.django_db
def test_the_monthly_job_is_the_systems_alone(duty):
    with pytest.raises(services.MatterError):
        services.topics_classify_month(month=date(2026, 10, 1), actor=duty)
    assert services.topics_classify_month(month=date(2026, 10, 1), actor=system_actor()) == 0


def test_the_job_on_the_first_classifies_the_month_before_and_is_scheduled():
    assert previous_month(date(2026, 11, 1)) == date(2026, 10, 1)
    assert previous_month(date(2026, 1, 1)) == date(2025, 12, 1)
    entry = settings.CELERY_BEAT_SCHEDULE["classify-month-topics"]
    assert entry["task"] == "feedback.tasks.classify_month_task"
    assert entry["schedule"].day_of_month == {1}


def test_the_month_command_refuses_a_malformed_month():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("classify_month", "--month", "2026-13")


# The quick-check contract.


@pytest.mark.django_db
def test_classify_topic_reads_lines_and_writes_a_label_and_confidence_per_line_on_an_empty_database():
    assert not TopicModel.objects.exists()
    lines = [
        "村东头最近老丢电动车,希望晚上多派人巡逻",
        "身份证丢了,补办要跑县城好几趟",
        "",
        "那个辅警说话很冲,态度恶劣",
        "法院判决对方赔偿,可对方一直不执行",
        "村里那条路坏了好几年,一下雨就没法走",
    ]
    out = io.StringIO()
    call_command("classify_topic", stdin=io.StringIO("\n".join(lines) + "\n"), stdout=out)
    answers = out.getvalue().splitlines()
    assert len(answers) == len(lines)
    for answer in answers:
        label, confidence = answer.split("\t")
        assert label in LABELS and 0 <= float(confidence) <= 1 and re.fullmatch(r"\d\.\d{4}", confidence)
    labels = [answer.split("\t")[0] for answer in answers]
    assert labels[:2] == ["治安防范", "执法服务"] and labels[3:] == ["队伍建设", "涉法涉诉", "其他"]
    assert TopicModel.objects.count() == 1


def call_command_output(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.django_db
def test_analysis_cannot_change_a_topic_the_legal_department_confirmed(client, duty, legal):
    matter = walk_in(duty, "身份证丢了,补办要跑县城好几趟")
    services.matter_topic_confirm(matter=matter, actor=legal, category=Category.LAW_ENFORCEMENT)
    client.force_login(duty)
    assert "法制部门已确认类别为“执法服务”,研判不能更改。" in client.get(matter.get_absolute_url()).content.decode()
    with pytest.raises(services.MatterError, match="法制部门已确认类别为“执法服务”"):
        services.matter_analyse(matter=matter, actor=duty, category=Category.OTHER, urgency="normal")
    matter.refresh_from_db()
    assert matter.state == Matter.State.REPORTED and matter.category == Category.LAW_ENFORCEMENT
    services.matter_analyse(matter=matter, actor=duty, category=Category.LAW_ENFORCEMENT, urgency="urgent")
    matter.refresh_from_db()
    assert matter.state == Matter.State.ANALYSED and matter.urgency == "urgent"


@pytest.mark.django_db
def test_a_matter_is_registered_without_a_suggestion_when_the_model_cannot_be_read(duty, monkeypatch, caplog):
    def unreadable(*args, **kwargs):
        raise OSError("private storage is not writable")

    monkeypatch.setattr("feedback.services.matters.topic_suggest", unreadable)
    matter = walk_in(duty, content="邻居半夜装修吵得睡不着")
    assert Matter.objects.filter(pk=matter.pk).exists()
    assert (matter.category_suggested, matter.category_confidence) == ("", None)
    assert "Topic suggestion failed" in caplog.text
