"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("回访队列", "evaluation:callback_queue", can.may_call_residents_back),
    NavItem("回访统计", "evaluation:callback_figures", can.may_read_callback_figures),
    NavItem("每日通报", "evaluation:review_list", can.may_read_daily_reviews),
    NavItem("问卷调查", "evaluation:questionnaire_list", can.may_read_questionnaire_results),
    NavItem("实地考核", "evaluation:field_check_list", can.may_record_field_checks),
    # The wall mode (指挥大屏) is a button on the dashboard, for the command centre's screen.
    NavItem("数据看板", "evaluation:dashboard", can.may_view_dashboard),
    NavItem("考核排名", "evaluation:score_ranking", can.may_read_scores),
    NavItem("我的考核", "evaluation:my_scores", can.may_read_own_score),
)
