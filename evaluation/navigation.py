"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("问卷调查", "evaluation:questionnaire_list", can.may_read_questionnaire_results),
    NavItem("实地考核", "evaluation:field_check_list", can.may_record_field_checks),
)
