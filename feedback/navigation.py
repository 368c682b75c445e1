"""The feedback app's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("诉求", "feedback:matter_list", can.may_read_residents_data),
    NavItem("说事厅接待", "feedback:walk_in", can.may_staff_talk_room),
    # The duty officers work the roster every day; the heads arrange it.
    NavItem("值班表", "feedback:roster", lambda user: can.may_staff_talk_room(user) or can.may_arrange_duty(user)),
    NavItem("说事厅回访", "feedback:callback_list", can.may_staff_talk_room),
    NavItem("回音卡", "feedback:card_overview", can.may_manage_cards),
    NavItem("类别研判", "feedback:topic_review", can.may_review_topics),
    NavItem("专题家访", "feedback:topic_visit_list", can.may_read_topic_visits),
)
