"""Callbacks (回访) after a ticket is resolved, their surveys and outcome categories."""
