"""The complaint ledger (投诉台账): owned, staged, escalated, answered complaints."""
