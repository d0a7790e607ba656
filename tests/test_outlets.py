"""Outlets and technicians' profiles: admin pages, validation, permissions."""

from __future__ import annotations

import pytest

from server.dispatch.models import Outlet, TechnicianRegion, TechnicianSkill
from server.dispatch.outlets import save_outlet, technician_profile
from tests.conftest import ensure_user


@pytest.fixture
def admin(login_as):
    return login_as("supervisor")


def test_an_outlet_is_created_and_listed(app, admin):
    response = admin.form(
        "/admin/outlets/new",
        {
            "name": "浦东服务网点",
            "kind": "own",
            "region": "上海浦东",
            "contact_name": "周经理",
            "contact_phone": "021-5888 0000",
            "grade": "A",
            "active": "y",
        },
    )
    assert response.status_code == 303
    page = admin.get("/admin/outlets").get_data(as_text=True)
    assert "浦东服务网点" in page and "上海浦东" in page
    with app.app_context():
        outlet = Outlet.get(Outlet.name == "浦东服务网点")
    assert (outlet.grade, outlet.active) == ("A", True)


def test_an_outlet_can_be_deactivated(app, admin):
    with app.app_context():
        outlet = save_outlet(None, {"name": "老网点", "kind": "agent"})
    response = admin.form(
        f"/admin/outlets/{outlet.id}", {"name": "老网点", "kind": "agent", "grade": "C"}
    )
    assert response.status_code == 303
    with app.app_context():
        assert Outlet.get_by_id(outlet.id).active is False


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"kind": "franchise"}, "kind"),
        ({"grade": "Z"}, "grade"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"region": "bad\x00region"}, "region"),
    ],
)
def test_bad_outlet_input_is_refused_next_to_its_field(app, admin, data, field):
    payload = {"name": "网点", "kind": "own", "grade": "B", **data}
    response = admin.form("/admin/outlets/new", payload)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    with app.app_context():
        assert Outlet.select().count() == 0


def test_a_taken_outlet_name_is_refused(app, admin):
    with app.app_context():
        save_outlet(None, {"name": "唯一网点"})
    response = admin.form("/admin/outlets/new", {"name": "唯一网点", "kind": "own", "grade": "B"})
    assert response.status_code == 422
    assert "already exists" in response.get_data(as_text=True)


def test_a_technicians_outlet_skills_and_regions_are_saved(app, admin):
    tech = ensure_user(app, "tech", "technician")
    with app.app_context():
        outlet = save_outlet(None, {"name": "徐汇网点"})
    page = admin.get(f"/admin/technicians/{tech.id}").get_data(as_text=True)
    assert 'value="sample:repair"' in page and 'value="sample:*"' in page
    response = admin.post(
        f"/admin/technicians/{tech.id}",
        data={
            "csrf_token": admin.csrf_token(),
            "outlet": str(outlet.id),
            "skills": ["sample:repair", "sample:consult"],
            "regions": "徐汇, 闵行\n长宁，徐汇",
        },
    )
    assert response.status_code == 303
    with app.app_context():
        saved_outlet, skills, regions = technician_profile(tech)
    assert saved_outlet.id == outlet.id
    assert skills == ["sample:consult", "sample:repair"]
    assert regions == sorted(["徐汇", "闵行", "长宁"])
    listing = admin.get("/admin/technicians").get_data(as_text=True)
    assert "徐汇网点" in listing and "sample:repair" in listing


def test_saving_again_replaces_skills_and_regions(app, admin):
    tech = ensure_user(app, "tech", "technician")
    for skills, regions in ((["sample:repair"], "A区"), (["sample:*"], "")):
        admin.post(
            f"/admin/technicians/{tech.id}",
            data={
                "csrf_token": admin.csrf_token(),
                "outlet": "",
                "skills": skills,
                "regions": regions,
            },
        )
    with app.app_context():
        assert [s.skill for s in TechnicianSkill.select()] == ["sample:*"]
        assert TechnicianRegion.select().count() == 0


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"skills": ["nowhere:repair"]}, "skills"),
        ({"outlet": "9999"}, "outlet"),
        ({"regions": "x" * 101}, "regions"),
    ],
)
def test_bad_technician_input_is_refused(app, admin, data, field):
    tech = ensure_user(app, "tech", "technician")
    response = admin.post(
        f"/admin/technicians/{tech.id}", data={"csrf_token": admin.csrf_token(), **data}
    )
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)


def test_only_technicians_have_a_technician_page(app, admin):
    other = ensure_user(app, "someone", "dispatcher")
    assert admin.get(f"/admin/technicians/{other.id}").status_code == 404


@pytest.mark.parametrize("role", ["dispatcher", "technician"])
def test_outlets_are_managed_by_supervisors_and_admins_only(login_as, role):
    assert login_as(role).get("/admin/outlets").status_code == 403
