"""Who may do what: the one permission table, and the checks views use."""

from __future__ import annotations

from typing import Any

ALL_PERMISSIONS = (
    "ticket.view",
    "ticket.create",
    "ticket.edit",
    "ticket.assign",
    "ticket.transition",
    "ticket.comment",
    "ticket.attach",
    "customer.view",
    "customer.edit",
    "customer.import",
    "user.manage",
    # every user's API tokens: list and revoke (admins)
    "token.manage",
    "sla.calculate",
    "dispatch.manage",
    "report.file",
    "appointment.set",
    "callback.make",
    "complaint.manage",
    "complaint.reassign",
    # everyone sees their own merit statement; supervisors see everyone's and enter points
    "merit.view",
    "merit.manage",
    "kpi.view",
    # registering webhooks and reading their delivery log: admins only
    "webhook.manage",
    # the knowledge base: every role reads it (staff-only articles too); supervisors and
    # admins write, publish and withdraw articles
    "kb.view",
    "kb.edit",
    # reading the audit log of administrative actions: admins only
    "audit.view",
)

_STAFF = {
    "ticket.view",
    "ticket.create",
    "ticket.edit",
    "ticket.assign",
    "ticket.transition",
    "ticket.comment",
    "ticket.attach",
    "customer.view",
    "customer.edit",
    "appointment.set",
    # Calling customers back after resolution (回访): the desk's job, not the technician's.
    "callback.make",
    # Record and work complaints (the ledger); technicians may not.
    "complaint.manage",
    "merit.view",
    "kb.view",
}

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset(ALL_PERMISSIONS),
    "supervisor": frozenset(
        _STAFF
        | {
            "sla.calculate",
            "dispatch.manage",
            "report.file",
            "complaint.reassign",
            "customer.import",
            "merit.manage",
            "kpi.view",
            "kb.edit",
        }
    ),
    "dispatcher": frozenset(_STAFF),
    # Technicians work their own jobs: see OWN_TICKETS_ONLY.
    "technician": frozenset(
        {
            "ticket.view",
            "ticket.edit",
            "ticket.transition",
            "ticket.comment",
            "ticket.attach",
            "customer.view",
            "report.file",
            "appointment.set",
            "merit.view",
            "kb.view",
        }
    ),
}

# For these roles, ticket write permissions apply only to tickets assigned to them.
# Technicians see and work only their own jobs; supervisors and dispatchers see all.
OWN_TICKETS_ONLY = {
    "technician": {
        "ticket.view",
        "ticket.edit",
        "ticket.transition",
        "ticket.comment",
        "ticket.attach",
        "report.file",
        "appointment.set",
    }
}


def sees_only_own_tickets(user: Any) -> bool:
    """Lists of tickets show this user only the tickets assigned to them."""
    return user is not None and "ticket.view" in OWN_TICKETS_ONLY.get(user.role, set())


def role_can(role: str, permission: str) -> bool:
    if permission not in ALL_PERMISSIONS:
        raise KeyError(f"unknown permission {permission!r}")
    return permission in PERMISSIONS.get(role, frozenset())


def user_can(user: Any, permission: str, ticket: Any = None) -> bool:
    """``user`` may use ``permission``; on ``ticket`` when the rule depends on ownership."""
    if user is None or not user.active or not role_can(user.role, permission):
        return False
    own_only = OWN_TICKETS_ONLY.get(user.role, set())
    if ticket is not None and permission in own_only:
        return ticket.assignee_id == user.id
    return True
