"""Managing outlets and technicians' profiles (outlet, skills, regions)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import peewee

from server import audit
from server.db import write_transaction
from server.dispatch.models import Outlet, Technician, TechnicianRegion, TechnicianSkill
from server.i18n import gettext
from server.models import User

OUTLET_FIELDS = ("name", "kind", "region", "contact_name", "contact_phone", "grade", "active")


class OutletError(Exception):
    """An outlet cannot be saved as asked (its name is taken)."""


def save_outlet(outlet: Outlet | None, values: Mapping[str, Any]) -> Outlet:
    """Create (``outlet`` None) or update an outlet; a taken name is refused."""
    try:
        with write_transaction():
            if outlet is None:
                created = Outlet.create(**values)
                audit.record("outlet.create", "outlet", created.id, {"name": created.name})
                return created
            changed = sorted(k for k, v in values.items() if getattr(outlet, k) != v)
            for name, value in values.items():
                setattr(outlet, name, value)
            outlet.save()
            audit.record(
                "outlet.update", "outlet", outlet.id, {"name": outlet.name, "fields": changed}
            )
            return outlet
    except peewee.IntegrityError:
        raise OutletError(
            gettext("an outlet named '%(name)s' already exists", name=values.get("name"))
        ) from None


def technician_profile(user: User) -> tuple[Outlet | None, list[str], list[str]]:
    """The technician's outlet, skills and regions (empty for one never set up)."""
    profile = Technician.get_or_none(Technician.user == user)
    skills = [row.skill for row in TechnicianSkill.select().where(TechnicianSkill.user == user)]
    regions = [row.region for row in TechnicianRegion.select().where(TechnicianRegion.user == user)]
    return (
        profile.outlet if profile and profile.outlet_id else None,
        sorted(skills),
        sorted(regions),
    )


def save_technician(
    user: User, outlet: Outlet | None, skills: Iterable[str], regions: Iterable[str]
) -> None:
    """Replace the technician's outlet, skills and regions in one transaction."""
    with write_transaction():
        Technician.insert(user=user, outlet=outlet).on_conflict(
            conflict_target=[Technician.user], update={Technician.outlet: outlet}
        ).execute()
        TechnicianSkill.delete().where(TechnicianSkill.user == user).execute()
        TechnicianRegion.delete().where(TechnicianRegion.user == user).execute()
        unique_skills = sorted(set(skills))
        unique_regions = sorted(set(regions))
        if unique_skills:
            TechnicianSkill.insert_many(
                [{"user": user, "skill": s} for s in unique_skills]
            ).execute()
        if unique_regions:
            TechnicianRegion.insert_many(
                [{"user": user, "region": r} for r in unique_regions]
            ).execute()
        audit.record(
            "technician.update",
            "user",
            user.id,
            {
                "username": user.username,
                "outlet": outlet.name if outlet else "",
                "skills": unique_skills,
                "regions": unique_regions,
            },
        )


def outlets_with_counts() -> list[tuple[Outlet, int]]:
    """Every outlet with how many technicians belong to it, by name."""
    counts = dict(
        Technician.select(Technician.outlet, peewee.fn.COUNT(Technician.user))
        .group_by(Technician.outlet)
        .tuples()
    )
    return [(outlet, counts.get(outlet.id, 0)) for outlet in Outlet.select().order_by(Outlet.name)]
