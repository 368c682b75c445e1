"""The evaluation centre's menu entries."""

NAV_ITEMS: tuple = ()
