"""Who may do what, named once.

Every check of a role or of the unit-head flag is one of these predicates: views (through
`core.permissions.capability_required`), services (which raise their app's `DomainError` when one says no),
scopes, the menu, the home page and the templates (through the `capabilities` context processor) all ask the same
question by the same name, so a page, its button, its menu entry and the service behind it cannot drift apart.

A capability says what a person's post allows; *which* objects they may do it to is the scopes' answer
(`core.scopes`, each app's `scopes.py`). A capability that depends on the object takes it as a second argument
(`may_dispatch_matters_of(user, unit)`). Every predicate is false for a signed-out or deactivated account and for
the system actor (`core.actors`), which acts only where a service names it explicitly.
"""

from jingshi_jiafang.core.models import Unit, User

Role = User.Role

# Roles whose work covers the whole county (法制部门 classifies everything, 民意访评中心 calls everyone back).
COUNTY_WIDE_ROLES = frozenset({Role.LEGAL, Role.EVALUATOR})
# The three administrators (三权分立): reference data, security, audit. None of them reads residents' data.
ADMINISTRATOR_ROLES = frozenset({Role.ADMIN, Role.SECURITY_ADMIN, Role.AUDITOR})
CASE_ROLES = frozenset(Role) - ADMINISTRATOR_ROLES
# Whose reach includes their unit's area. A leader or cadre belongs to the bureau but heads none of the county's
# areas: they reach what they are linked to, whatever their unit or unit-head flag.
JURISDICTION_ROLES = frozenset({Role.OFFICER, Role.DUTY_OFFICER})
# 分层昼访: leader → town, cadre → village, officer → household.
VISITOR_ROLES = frozenset({Role.LEADER, Role.CADRE, Role.OFFICER})
# The police rooms' duty officers and officers, and the heads and staff of the stations above them.
ROSTER_ROLES = frozenset({Role.DUTY_OFFICER, Role.OFFICER})
# Who may see a number in full (for households in their scope): the ID number is for those who correct household
# registration data and handle cases; the phone is for everyone who visits or calls residents back.
REVEAL_ROLES = {
    "id_number": frozenset({Role.OFFICER, Role.DUTY_OFFICER, Role.LEGAL}),
    "phone": frozenset({Role.OFFICER, Role.DUTY_OFFICER, Role.CADRE, Role.LEADER, Role.LEGAL, Role.EVALUATOR}),
}
# 局领导联系镇(乡), 中层干部联系村(居); nobody else links to an area.
AREA_LINK_KINDS = {Role.LEADER: "town", Role.CADRE: "village"}


def _acting(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role)


def _role_in(user, roles) -> bool:
    return _acting(user) and user.role in roles


def _in_unit_tree(user: User, unit: Unit | int | None) -> bool:
    # Imported here: scopes build on these capabilities.
    from jingshi_jiafang.core.scopes import unit_subtree_ids

    unit_id = unit.pk if isinstance(unit, Unit) else unit
    if unit_id is None or user.unit_id is None:
        return False
    return unit_id == user.unit_id or unit_id in unit_subtree_ids(user)


# Reading.


def may_read_residents_data(user: User) -> bool:
    """Everyone with a role except the three administrators (三权分立) may read residents' data, each within
    their scope: households, matters, areas."""
    return _role_in(user, CASE_ROLES)


def sees_whole_county(user: User) -> bool:
    """法制部门 and 民意访评中心 work on the whole county: every household, matter and topic visit."""
    return _role_in(user, COUNTY_WIDE_ROLES)


def sees_unit_area(user: User) -> bool:
    """A unit head or a duty officer (officers' roles only) sees their unit's area: a police room's villages, a
    station's, or for the bureau all of them. An officer without the flag sees only their own households."""
    if not _role_in(user, JURISDICTION_ROLES) or user.unit_id is None:
        return False
    return user.is_unit_head or user.role == Role.DUTY_OFFICER


def sees_own_households_only(user: User) -> bool:
    """A community officer without a unit head's flag: their reach is the households linked to them."""
    return _role_in(user, {Role.OFFICER}) and not sees_unit_area(user)


def may_read_all_units(user: User) -> bool:
    """The unit tree is reference data: the county-wide departments, the leaders and the administrators of
    reference data and security see every unit; everyone else their own unit and those under it."""
    return _role_in(user, COUNTY_WIDE_ROLES | {Role.ADMIN, Role.SECURITY_ADMIN, Role.LEADER})


def may_reveal(user: User, field: str) -> bool:
    """Whether `user` may show a resident's `field` (`id_number`, `phone`) in full, by the audited reveal, for a
    household in their scope. Everywhere else the number is masked."""
    return _role_in(user, REVEAL_ROLES.get(field, ()))


def may_view_coverage(user: User) -> bool:
    """走访覆盖: the leaders, cadres, the county-wide departments and unit heads read how much of their area was
    visited."""
    return _role_in(user, {Role.LEADER, Role.CADRE, Role.LEGAL, Role.EVALUATOR}) or may_head_unit(user)


def may_view_night_compliance(user: User) -> bool:
    """夜访考核: whether the night-visit plans were kept; for unit heads, leaders and the county-wide
    departments."""
    return _role_in(user, {Role.LEADER, Role.EVALUATOR, Role.LEGAL}) or may_head_unit(user)


def may_view_dashboard(user: User) -> bool:
    """数据看板/指挥大屏: the leaders, cadres, unit heads and the county-wide departments read their area's
    figures (the scopes say which area); officers and duty officers have their to-do lists instead."""
    return _role_in(user, {Role.LEADER, Role.CADRE, Role.LEGAL, Role.EVALUATOR}) or may_head_unit(user)


# Visiting and households.


def may_head_unit(user: User) -> bool:
    """A station or police-room head (所长, 主任): an officer with the unit-head flag and a unit. Their home page
    is the unit's to-do list; they plan night visits and re-assign households."""
    return _role_in(user, {Role.OFFICER}) and user.is_unit_head and user.unit_id is not None


def may_visit(user: User) -> bool:
    """分层昼访: leaders, cadres and officers log visits (and keep the 民情日记); where, the scopes say."""
    return _role_in(user, VISITOR_ROLES)


def may_be_linked_to_households(user: User) -> bool:
    """Only an officer (民警) is the responsible officer of a household."""
    return _role_in(user, {Role.OFFICER})


def area_link_kind(user: User) -> str | None:
    """The kind of area (`town`, `village`) this person links to, or None when their role links to none."""
    return AREA_LINK_KINDS.get(getattr(user, "role", ""))


def may_be_paired(user: User) -> bool:
    """结对联建: every leader and cadre is paired with one household in hardship."""
    return _role_in(user, {Role.LEADER, Role.CADRE})


def may_hold_area_links(user: User) -> bool:
    """Leaders link to towns, cadres to villages; the security administrator sets those links."""
    return area_link_kind(user) is not None


def may_plan_night_visits(user: User) -> bool:
    """A unit head plans who visits where on the night-visit evenings (警民夜谈)."""
    return may_head_unit(user)


def may_reassign_households(user: User) -> bool:
    """A unit head changes a household's responsible officer (among the officers of their unit)."""
    return may_head_unit(user)


def may_upload_attachments(user: User) -> bool:
    """Officers and duty officers attach documents (a photo of the 户口簿) to a household in their scope."""
    return _role_in(user, JURISDICTION_ROLES)


# Matters, cards, talk rooms.


def works_unit_desk(user: User) -> bool:
    """The head or a duty officer of a unit: they analyse and dispatch the unit's matters, manage its echo cards
    and print its talk-room slips. (The unit head of a bureau department counts too.)"""
    return _acting(user) and user.unit_id is not None and (user.is_unit_head or user.role == Role.DUTY_OFFICER)


def may_dispatch_matters_of(user: User, unit: Unit | int | None) -> bool:
    """研判 and 分流 a matter belonging to `unit`: the head or a duty officer of that unit or of one above it."""
    return works_unit_desk(user) and _in_unit_tree(user, unit)


def may_handle_matters_of(user: User, unit: Unit | int | None) -> bool:
    """Handle a matter dispatched to `unit` (not to a named officer): that unit's (or a unit above's) head,
    duty officers and officers."""
    if not _acting(user) or not (user.is_unit_head or user.role in JURISDICTION_ROLES):
        return False
    return _in_unit_tree(user, unit)


def may_manage_cards(user: User) -> bool:
    """Issue, print, void echo cards and print contact cards of the unit: its head or its duty officers."""
    return works_unit_desk(user)


def may_manage_cards_of(user: User, unit: Unit | int | None) -> bool:
    """Issue or void the echo cards of `unit`: the head or a duty officer of that unit or of one above it."""
    return may_manage_cards(user) and _in_unit_tree(user, unit)


def may_receive_walk_ins(user: User) -> bool:
    """首问责任制 in a 群众说事厅: the duty officers and officers of a central police room take matters in."""
    return _role_in(user, ROSTER_ROLES) and user.unit is not None and user.unit.kind == Unit.Kind.POLICE_ROOM


def may_staff_talk_room(user: User) -> bool:
    """The duty officer (值班民警) keeps the talk room's desk: intake, callbacks and the roster are their daily
    work, so their menu leads to them (an officer of a police room may take a walk-in too)."""
    return _role_in(user, {Role.DUTY_OFFICER})


def may_work_roster(user: User) -> bool:
    """The duty roster is for the people who work it: the duty officers and officers of the police rooms and of
    the stations above them."""
    return _role_in(user, ROSTER_ROLES) and user.unit_id is not None


def may_arrange_duty(user: User, police_room: Unit | None = None) -> bool:
    """A unit head among the roster's people adds shifts, for a police room of their unit (when one is named)."""
    if not (may_work_roster(user) and user.is_unit_head):
        return False
    return police_room is None or _in_unit_tree(user, police_room)


def may_read_topic_visits(user: User) -> bool:
    """专题家访 are read by the leaders who lead them and by the county-wide departments."""
    return _role_in(user, {Role.LEADER} | COUNTY_WIDE_ROLES)


def may_review_topics(user: User) -> bool:
    """法制部门 confirms or corrects the topic of each month's matters, which the topic model then learns from."""
    return _role_in(user, {Role.LEGAL})


def may_lead_topic_visits(user: User) -> bool:
    """A bureau leader (局领导) creates and leads a topic visit."""
    return _role_in(user, {Role.LEADER})


# The administrators.


def may_administer_reference_data(user: User) -> bool:
    """Django admin (units, areas, accounts) is the system administrator's only."""
    return bool(user.is_active and user.is_staff and (user.is_superuser or user.role == Role.ADMIN))


def may_administer_security(user: User) -> bool:
    """Roles, unit heads, area links and second-factor resets: the security administrator's only."""
    return _role_in(user, {Role.SECURITY_ADMIN})


def may_read_audit_log(user: User) -> bool:
    """The audit log (and its export) is read by the auditor only."""
    return _role_in(user, {Role.AUDITOR})


def may_export_audit_log(user: User) -> bool:
    """Exporting the audit log, and downloading an export of it later: the auditor, while still one."""
    return may_read_audit_log(user)


def may_export_monthly_report(user: User) -> bool:
    """The monthly categorised report of residents' matters (月度分类报表) is the legal department's own work:
    it classifies the matters and answers for the report. Leaders read their towns' figures on their own pages;
    the report covers the county (or one town or village of it), which only the county-wide legal department
    reads whole."""
    return _role_in(user, {Role.LEGAL})


# The ledger (销号整改制).


def may_read_ledgers(user: User) -> bool:
    """Reads the ledger of what they see: officers, duty officers, leaders, cadres, legal and evaluation."""
    return _role_in(user, CASE_ROLES)


def may_open_ledger_items(user: User) -> bool:
    """Opens an item by hand for a household they reach: those who visit and answer households."""
    return _role_in(user, VISITOR_ROLES | JURISDICTION_ROLES) and user.unit_id is not None


def may_answer_for_ledger_items(user: User) -> bool:
    """May be named responsible for items, so has 我的台账: whoever visits or answers households (heads too)."""
    return _role_in(user, VISITOR_ROLES | JURISDICTION_ROLES)


def works_unit_items(user: User) -> bool:
    """Works a unit's items that name no responsible person: the unit's officers and duty officers."""
    return _role_in(user, JURISDICTION_ROLES) and user.unit_id is not None


def may_call_residents_back(user: User) -> bool:
    """The evaluation centre (民意访评中心): calls residents back and reopens what they find undelivered."""
    return _role_in(user, {Role.EVALUATOR})


def may_read_callback_figures(user: User) -> bool:
    """回访统计 (callbacks due, made, reached, per day and per evaluator): the evaluation centre, and the leaders for
    the towns they see."""
    return _role_in(user, {Role.EVALUATOR, Role.LEADER})


# The daily review and its notice (每日研判, 通报).


def may_read_daily_reviews(user: User) -> bool:
    """每日通报: the county's notice, published inside the bureau to the leaders, the cadres, the county-wide
    departments and the heads of units, who pass it on to their officers. It names units and officers (false
    visits, missed night plans) but no household, so every reader sees the whole county's notice."""
    return _role_in(user, {Role.LEADER, Role.CADRE, Role.LEGAL, Role.EVALUATOR}) or may_head_unit(user)


def may_build_daily_reviews(user: User) -> bool:
    """The evaluation centre builds a day's notice by hand and rebuilds one (audited) after records changed."""
    return _role_in(user, {Role.EVALUATOR})


# Pairing (结对联建) and the community police service teams (社区公安服务队).


def may_read_pairing(user: User) -> bool:
    """The pairing compliance page: leaders and cadres (their own pair), and the evaluation centre."""
    return _role_in(user, {Role.LEADER, Role.CADRE, Role.EVALUATOR})


def sees_all_pairs(user: User) -> bool:
    """Every pair of the county: the bureau's leaders run the pairing, the evaluation centre assesses it."""
    return _role_in(user, {Role.LEADER, Role.EVALUATOR})


def may_read_service_teams(user: User) -> bool:
    """The service teams of the villages they see: the police, leaders, cadres, legal and evaluation."""
    return _role_in(user, CASE_ROLES)


def may_record_team_activities(user: User) -> bool:
    """Records a team's members and activities: the community officers who lead the teams."""
    return _role_in(user, {Role.OFFICER})


# Questionnaires (问卷调查) and field checks (实地考核) of the evaluation centre.


def may_run_questionnaires(user: User) -> bool:
    """The evaluation centre makes questionnaires, draws their samples and records the answers."""
    return _role_in(user, {Role.EVALUATOR})


def may_read_questionnaire_results(user: User) -> bool:
    """The indices of a questionnaire: the evaluation centre, and leaders for the areas they see."""
    return _role_in(user, {Role.EVALUATOR, Role.LEADER})


def may_record_field_checks(user: User) -> bool:
    """实地考核: the evaluation centre checks visits and ledger items on the spot, anywhere in the county."""
    return _role_in(user, {Role.EVALUATOR})


# Scores (考核).


def may_read_scores(user: User) -> bool:
    """考核排名: the evaluation centre and the bureau's leaders (the county), unit heads (their unit's officers and
    units)."""
    return _role_in(user, {Role.EVALUATOR, Role.LEADER}) or may_head_unit(user)


def sees_all_scores(user: User) -> bool:
    """Every score of the county: the evaluation centre, which scores, and the bureau's leaders, who award."""
    return _role_in(user, {Role.EVALUATOR, Role.LEADER})


def may_manage_scores(user: User) -> bool:
    """Sets the weights, closes a month and recomputes a closed one: the evaluation centre (民意访评中心)."""
    return _role_in(user, {Role.EVALUATOR})


def may_read_own_score(user: User) -> bool:
    """我的考核: whoever is scored as a person (officers, cadres, leaders) sees their own score."""
    return _role_in(user, {Role.OFFICER, Role.CADRE, Role.LEADER})


_NAMED = ("sees_", "works_")


class CapabilitiesOf:
    """The capabilities that take only the user, for templates: `{% if may.lead_topic_visits %}` asks
    `may_lead_topic_visits(user)`. An unknown name raises AttributeError."""

    def __init__(self, user: User):
        self._user = user

    def __getattr__(self, name: str) -> bool:
        predicate = globals().get(f"may_{name}") or (globals().get(name) if name.startswith(_NAMED) else None)
        if predicate is None:
            raise AttributeError(f"no capability named {name!r}")
        return predicate(self._user)


# Moving a county in (core/imports/): each administrator imports what they keep by hand.


def may_import_reference_data(user: User) -> bool:
    """Units, areas, households and organisations (单位) are imported by the system administrator, who keeps the
    organisation and the land; they read no household page, but the registration export is theirs to load."""
    return _role_in(user, {Role.ADMIN})


def may_import_people(user: User) -> bool:
    """User accounts with their roles, and links (leader ↔ town, cadre ↔ village, officer ↔ household or
    organisation) are imported by the security administrator, who assigns roles and scopes."""
    return _role_in(user, {Role.SECURITY_ADMIN})


def may_import(user: User) -> bool:
    """Whoever may import some kind has the 数据导入 page."""
    return may_import_reference_data(user) or may_import_people(user)
