"""Residents' matters (诉求/意见) and, as issue 5 lands, echo cards, talk rooms and the report → close flow."""
