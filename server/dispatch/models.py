"""Outlets (service branches, contracted firms, regional agents) and the technicians' profiles."""

from __future__ import annotations

import peewee

from server.models import BaseModel, User, utcnow

OUTLET_KINDS = ("own", "contracted", "agent")
OUTLET_GRADES = ("A", "B", "C", "D")


class Outlet(BaseModel):
    name = peewee.CharField(max_length=200, unique=True)
    kind = peewee.CharField(max_length=20, default="own")
    region = peewee.CharField(max_length=100, default="")
    contact_name = peewee.CharField(max_length=100, default="")
    contact_phone = peewee.CharField(max_length=40, default="")
    grade = peewee.CharField(max_length=2, default="B")
    active = peewee.BooleanField(default=True)
    created_at = peewee.DateTimeField(default=utcnow)

    class Meta:
        table_name = "outlet"

    def __str__(self) -> str:
        return self.name


class Technician(BaseModel):
    """A technician's place: the outlet they belong to (skills and regions beside)."""

    user = peewee.ForeignKeyField(User, primary_key=True, backref="technician", on_delete="CASCADE")
    outlet = peewee.ForeignKeyField(Outlet, null=True, backref="technicians", on_delete="SET NULL")

    class Meta:
        table_name = "technician"


class TechnicianSkill(BaseModel):
    """What a technician can do: ``industry:service`` or ``industry:*`` for all of it."""

    user = peewee.ForeignKeyField(User, backref="skills", on_delete="CASCADE")
    skill = peewee.CharField(max_length=140)

    class Meta:
        table_name = "technician_skill"
        indexes = ((("skill", "user"), True),)


class TechnicianRegion(BaseModel):
    user = peewee.ForeignKeyField(User, backref="regions", on_delete="CASCADE")
    region = peewee.CharField(max_length=100)

    class Meta:
        table_name = "technician_region"
        indexes = ((("region", "user"), True),)


DISPATCH_MODELS = (Outlet, Technician, TechnicianSkill, TechnicianRegion)
