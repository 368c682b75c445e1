"""The evaluation centre's menu entries."""

from jingshi_jiafang.core import capabilities as can
from jingshi_jiafang.core.navigation import NavItem

NAV_ITEMS = (
    NavItem("考核排名", "evaluation:score_ranking", can.may_read_scores),
    NavItem("我的考核", "evaluation:my_scores", can.may_read_own_score),
)
