"""Outlet grading: a grade and settlement factor per outlet per period, from its figures."""
