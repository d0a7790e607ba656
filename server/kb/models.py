"""The knowledge base's tables: articles and the tickets they were used on (migration 19)."""

from __future__ import annotations

import peewee

from server.models import BaseModel, Ticket, User, utcnow

LANGUAGES = ("zh_CN", "en")
VISIBILITIES = ("public", "staff")
STATUSES = ("draft", "published")
# A link made by "resolved by guidance" carries this outcome; a plain link carries "".
GUIDANCE_OUTCOME = "resolved_by_guidance"


class KbArticle(BaseModel):
    """One article in one language: Markdown, for customers (public) or staff only."""

    slug = peewee.CharField(max_length=80, unique=True)
    # The industry it is about, and optionally a service category or one service of it.
    plugin = peewee.CharField(max_length=50, null=True)
    category = peewee.CharField(max_length=50, null=True)
    service = peewee.CharField(max_length=50, null=True)
    language = peewee.CharField(max_length=5, default="zh_CN")
    title = peewee.CharField(max_length=200)
    body_markdown = peewee.TextField(default="")
    visibility = peewee.CharField(max_length=10, default="staff")
    status = peewee.CharField(max_length=10, default="draft")
    # Lower-cased title and body: what the search box matches (substring, any script).
    search_text = peewee.TextField(default="")
    # A plugin's starter article: which plugin shipped it and at which version; edited
    # becomes True once a person saves it, and a newer starter never overwrites it then.
    origin = peewee.CharField(max_length=50, default="")
    starter_version = peewee.IntegerField(null=True)
    edited = peewee.BooleanField(default=False)
    created_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    created_at = peewee.DateTimeField(default=utcnow)
    updated_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    updated_at = peewee.DateTimeField(default=utcnow)
    version = peewee.IntegerField(default=1)

    class Meta:
        table_name = "kb_article"
        legacy_table_names = False
        indexes = ((("status", "visibility", "plugin"), False),)


class KbTicketLink(BaseModel):
    """An article used on a ticket (told to the customer, or sent to them)."""

    ticket = peewee.ForeignKeyField(Ticket, backref="+", on_delete="CASCADE")
    article = peewee.ForeignKeyField(KbArticle, backref="ticket_links", on_delete="CASCADE")
    outcome = peewee.CharField(max_length=30, default="")
    linked_by = peewee.ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    linked_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "kb_ticket_link"
        legacy_table_names = False
        indexes = ((("ticket", "article"), True),)


KB_MODELS = [KbArticle, KbTicketLink]
