"""No view fetches an object carrying residents' data by a bare `.get()` or `get_object_or_404`: each goes through
its app's scopes (`get_<thing>_for_user`), which authorise while they fetch."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIEW_MODULES = [
    *ROOT.glob("jingshi_jiafang/households/*.py"),
    ROOT / "jingshi_jiafang" / "home.py",
    *ROOT.glob("visits/views/*.py"),
    *ROOT.glob("feedback/views/*.py"),
    *ROOT.glob("ledger/views*.py"),
    *ROOT.glob("ledger/views/*.py"),
    *ROOT.glob("evaluation/views*.py"),
    *ROOT.glob("evaluation/views/*.py"),
]
RESIDENTS_DATA = (
    "Household",
    "HouseholdAttachment",
    "HouseholdLink",
    "Organisation",
    "Visit",
    "RegistrationCorrection",
    "Finding",
    "NightVisitPlan",
    "Matter",
    "MatterEvent",
    "EchoCard",
    "CardBatch",
    "TalkRoomCallback",
    "TopicVisit",
    "TopicVisitMatter",
)
BARE_FETCH = re.compile(
    r"\b(?:" + "|".join(RESIDENTS_DATA) + r")\.objects\b[^\n]*\.get\((?![\"'])|get_object_or_404\(|\.get\(pk=pk"
)


def test_the_rule_catches_a_bare_fetch_and_not_a_dict_lookup():
    assert BARE_FETCH.search('plan = NightVisitPlan.objects.select_related("village").get(pk=pk, unit__in=units)')
    assert BARE_FETCH.search("callback = selectors.callbacks_due(user=request.user).get(pk=pk)")
    assert BARE_FETCH.search("household = get_object_or_404(Household, pk=pk)")
    assert not BARE_FETCH.search('matter = Matter.objects.filter(pk=opened.get("pk")).first()')


def test_views_fetch_residents_data_only_through_scoped_getters():
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in VIEW_MODULES
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if BARE_FETCH.search(line)
    ]
    assert VIEW_MODULES and not offenders, "\n".join(offenders)
