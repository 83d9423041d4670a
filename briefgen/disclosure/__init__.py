"""Proactive disclosure: the lists the Access to Information Act has departments publish
on the Open Government Portal (briefing note titles each month, QP notes after each
sitting period), exported from the briefs as the portal's CSV."""
