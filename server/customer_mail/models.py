"""The ``survey_link`` table: one emailed survey link of a callback (single use)."""

from __future__ import annotations

import peewee

from server.followup.models import Callback
from server.models import BaseModel, User, utcnow


class SurveyLink(BaseModel):
    """A survey link sent to a customer for one callback.

    The link's token carries only ``nonce`` (signed); everything else is looked up here,
    so a link can expire (``expires_at``, naive UTC), be used once (``used_at``) and be
    revoked (``revoked_at``: a newer link for the same callback replaces it).
    ``sent_by`` is the staff member who sent it, or the ``@survey`` system user for an
    automatic mail; the customer's answer is recorded in their name, as the callback's agent.
    """

    nonce = peewee.CharField(max_length=64, unique=True)
    callback = peewee.ForeignKeyField(Callback, backref="survey_links", on_delete="CASCADE")
    sent_to = peewee.CharField(max_length=200)
    sent_by = peewee.ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    expires_at = peewee.DateTimeField()
    used_at = peewee.DateTimeField(null=True)
    revoked_at = peewee.DateTimeField(null=True)

    class Meta:
        table_name = "survey_link"
        indexes = ((("callback", "created_at"), False),)
