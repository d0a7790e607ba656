"""The knowledge base: who reads what, search, tickets, resolved by guidance, starters."""

from __future__ import annotations

import pytest

from server.config import ConfigError, parse_config
from server.kb.articles import save_article
from server.kb.models import GUIDANCE_OUTCOME, KbArticle, KbTicketLink
from server.kb.starters import import_starters
from server.models import Ticket, TicketEvent, User
from server.plugin_api import ArticleSpec, articles_from_folder
from server.tickets import transition_ticket
from tests.conftest import add_ticket, ensure_user, logged_in

ALL_PLUGINS = ["home_appliances", "tobacco_retail", "insurance", "power_utility", "it_outsourcing"]


def article(app, slug, **fields):
    """An article written straight through the core (published unless told otherwise)."""
    values = {
        "slug": slug,
        "title": fields.pop("title", slug),
        "body_markdown": fields.pop("body", "Some text."),
        "language": fields.pop("language", "en"),
        "visibility": fields.pop("visibility", "staff"),
        "status": fields.pop("status", "published"),
        **fields,
    }
    admin = ensure_user(app, "admin", "admin")
    with app.app_context():
        return save_article(None, values, User.get_by_id(admin.id))


def article_form(slug="new-article", **changes):
    return {
        "title": "Reset the router",
        "slug": slug,
        "language": "en",
        "visibility": "staff",
        "plugin": "",
        "category": "",
        "service": "",
        "body_markdown": "Hold **reset** for ten seconds.",
        **changes,
    }


@pytest.fixture
def public_app(make_app):
    return make_app(kb={"public": True})


# --- who reads and writes what --------------------------------------------------------


def test_supervisor_writes_a_draft_and_publishes_it(app):
    client = logged_in(app, "sup", "supervisor")
    assert client.form("/kb/new", article_form()).status_code == 303
    with app.app_context():
        stored = KbArticle.get(KbArticle.slug == "new-article")
    assert stored.status == "draft"
    response = client.form("/kb/new-article/status", {"status": "published", "version": "1"})
    assert response.status_code == 303
    with app.app_context():
        assert KbArticle.get(KbArticle.slug == "new-article").status == "published"


@pytest.mark.parametrize("path", ["/kb/new", "/kb/some-article/edit"])
def test_technician_cannot_open_the_editor(app, path):
    article(app, "some-article")
    assert logged_in(app, "tech", "technician").get(path).status_code == 403


def test_technician_cannot_save_an_edit(app):
    article(app, "some-article", title="Original")
    client = logged_in(app, "tech", "technician")
    response = client.form(
        "/kb/some-article/edit", {**article_form("some-article"), "version": "1"}
    )
    assert response.status_code == 403
    with app.app_context():
        assert KbArticle.get(KbArticle.slug == "some-article").title == "Original"


def test_technician_reads_a_staff_only_article(app):
    article(app, "inside-info", title="Only for us", visibility="staff")
    page = logged_in(app, "tech", "technician").get("/kb/inside-info")
    assert page.status_code == 200 and "Only for us" in page.get_data(as_text=True)


def test_a_draft_is_hidden_from_staff_who_do_not_edit(app):
    article(app, "unfinished", status="draft")
    assert logged_in(app, "disp", "dispatcher").get("/kb/unfinished").status_code == 404
    assert logged_in(app, "sup", "supervisor").get("/kb/unfinished").status_code == 200


def test_anonymous_visitor_is_sent_to_login_from_the_staff_pages(app):
    article(app, "inside-info")
    response = app.test_client().get("/kb/inside-info")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_public_pages_are_404_when_not_switched_on(app):
    article(app, "for-customers", visibility="public")
    client = app.test_client()
    assert client.get("/help").status_code == 404
    assert client.get("/help/for-customers").status_code == 404


def test_public_article_is_shown_without_login(public_app):
    article(public_app, "for-customers", title="Check the plug", visibility="public")
    page = public_app.test_client().get("/help/for-customers")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Check the plug" in text
    assert "Log out" not in text  # the customer layout, no staff menu


@pytest.mark.parametrize(
    ("visibility", "status"), [("staff", "published"), ("public", "draft"), ("staff", "draft")]
)
def test_anonymous_cannot_read_staff_articles_or_drafts(public_app, visibility, status):
    article(public_app, "hidden", title="Secret", visibility=visibility, status=status)
    client = public_app.test_client()
    assert client.get("/help/hidden").status_code == 404
    assert "Secret" not in client.get("/help").get_data(as_text=True)
    assert "Secret" not in client.get("/help?q=secret").get_data(as_text=True)


def test_public_pages_are_rate_limited_per_address(make_app):
    app = make_app(
        kb={"public": True, "public_rate_limit": "2/minute"}, rate_limits={"enabled": True}
    )
    client = app.test_client()
    assert [client.get("/help").status_code for _ in range(3)] == [200, 200, 429]
    assert int(client.get("/help").headers["Retry-After"]) >= 1


# --- search ---------------------------------------------------------------------------


def test_search_finds_a_chinese_substring(app):
    article(app, "ac", title="空调不制冷怎么办", language="zh_CN")
    article(app, "fridge", title="冰箱有响声", language="zh_CN")
    page = logged_in(app, "disp", "dispatcher").get("/kb?q=制冷").get_data(as_text=True)
    assert "空调不制冷怎么办" in page and "冰箱有响声" not in page


def test_search_matches_every_english_word_in_title_or_body(app):
    article(app, "washer", title="Washer", body="The machine does not DRAIN the water.")
    article(app, "dryer", title="Dryer", body="It does not heat.")
    client = logged_in(app, "disp", "dispatcher")
    page = client.get("/kb?q=drain+water").get_data(as_text=True)
    assert "/kb/washer" in page and "/kb/dryer" not in page
    assert "/kb/washer" not in client.get("/kb?q=drain+heat").get_data(as_text=True)


def test_search_filters_by_plugin_and_category(make_app):
    app = make_app(enabled=["home_appliances"])
    article(app, "ours", plugin="sample", category="general")
    article(app, "other", plugin="sample", category="sale")
    page = logged_in(app, "disp", "dispatcher").get("/kb?category=general")
    assert "/kb/ours" in page.get_data(as_text=True)
    assert "/kb/other" not in page.get_data(as_text=True)
    filtered = logged_in(app, "disp", "dispatcher").get("/kb?plugin=sample").get_data(as_text=True)
    assert "/kb/ours" in filtered and "/kb/ha-ac-not-cooling" not in filtered


def test_list_shows_the_pages_language_first(app):
    article(app, "b-en", title="English one", language="en")
    article(app, "a-zh", title="中文的一篇", language="zh_CN")
    client = logged_in(app, "disp", "dispatcher")
    english = client.get("/kb").get_data(as_text=True)
    chinese = client.get("/kb", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert english.index("English one") < english.index("中文的一篇")
    assert chinese.index("中文的一篇") < chinese.index("English one")
    assert "知识库" in chinese


def test_search_text_with_wildcards_or_control_characters_is_no_error(app):
    client = logged_in(app, "disp", "dispatcher")
    assert client.get("/kb?q=%25_*[").status_code == 200
    assert client.get("/kb?q=a%00b").status_code == 200


# --- writing --------------------------------------------------------------------------


def test_a_taken_address_is_an_error_by_its_field(app):
    article(app, "taken")
    response = logged_in(app, "sup", "supervisor").form("/kb/new", article_form("taken"))
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "Another article has this address." in page
    assert "Hold **reset** for ten seconds." in page  # what was typed is kept


@pytest.mark.parametrize("slug", ["Not A Slug!", "new", "-dash-first", "x"])
def test_a_bad_address_is_an_error_by_its_field(app, slug):
    response = logged_in(app, "sup", "supervisor").form("/kb/new", article_form(slug))
    assert response.status_code == 422 and 'id="slug-error"' in response.get_data(as_text=True)


def test_htmx_search_answers_the_results_only(app):
    article(app, "tip", title="A tip")
    client = logged_in(app, "disp", "dispatcher")
    response = client.get("/kb?q=tip", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "/kb/tip" in page and "<html" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_search_opened_from_a_ticket_offers_to_link_to_it(app):
    article(app, "tip", title="A tip")
    ticket = add_ticket(app)
    page = logged_in(app, "disp", "dispatcher").get(f"/kb?ticket={ticket.number}")
    assert f"/tickets/{ticket.number}/kb/link" in page.get_data(as_text=True)
    other = logged_in(app, "tech", "technician").get(f"/kb?ticket={ticket.number}")
    assert "/kb/link" not in other.get_data(as_text=True)  # not the technician's ticket


def test_a_stale_edit_is_refused_and_changes_nothing(app):
    article(app, "busy", title="First")
    client = logged_in(app, "sup", "supervisor")
    assert (
        client.form(
            "/kb/busy/edit", {**article_form("busy", title="Second"), "version": "1"}
        ).status_code
        == 303
    )
    response = client.form("/kb/busy/edit", {**article_form("busy", title="Third"), "version": "1"})
    assert response.status_code == 409
    with app.app_context():
        assert KbArticle.get(KbArticle.slug == "busy").title == "Second"


def test_script_in_an_article_is_shown_as_text_on_staff_and_public_pages(public_app):
    article(
        public_app,
        "xss",
        visibility="public",
        body="<script>alert(1)</script> [x](javascript:alert(1))",
    )
    staff = logged_in(public_app, "disp", "dispatcher").get("/kb/xss").get_data(as_text=True)
    customer = public_app.test_client().get("/help/xss").get_data(as_text=True)
    for page in (staff, customer):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert 'href="javascript:' not in page


# --- on tickets -----------------------------------------------------------------------


def test_ticket_page_suggests_articles_of_its_service(app):
    article(app, "consult-tip", title="Before you call", plugin="sample", service="consult")
    article(app, "repair-tip", title="Other service", plugin="sample", service="repair")
    ticket = add_ticket(app)
    page = (
        logged_in(app, "disp", "dispatcher").get(f"/tickets/{ticket.number}").get_data(as_text=True)
    )
    assert "Before you call" in page and "Other service" not in page


def test_link_and_unlink_an_article_with_timeline_entries(app):
    article(app, "tip", title="A tip")
    ticket = add_ticket(app)
    client = logged_in(app, "disp", "dispatcher")
    assert client.form(f"/tickets/{ticket.number}/kb/link", {"article": "tip"}).status_code == 303
    with app.app_context():
        assert KbTicketLink.select().where(KbTicketLink.ticket == ticket.id).count() == 1
    assert client.form(f"/tickets/{ticket.number}/kb/unlink", {"article": "tip"}).status_code == 303
    with app.app_context():
        assert KbTicketLink.select().where(KbTicketLink.ticket == ticket.id).count() == 0
        kinds = [e.kind for e in TicketEvent.select().where(TicketEvent.ticket == ticket.id)]
    assert kinds[-2:] == ["kb_linked", "kb_unlinked"]


def test_linking_a_draft_is_an_error_by_the_field(app):
    article(app, "unfinished", status="draft")
    ticket = add_ticket(app)
    client = logged_in(app, "sup", "supervisor")
    response = client.form(f"/tickets/{ticket.number}/kb/link", {"article": "unfinished"})
    assert response.status_code == 422
    assert "There is no published article unfinished." in response.get_data(as_text=True)
    with app.app_context():
        assert KbTicketLink.select().count() == 0


def test_resolved_by_guidance_resolves_links_and_records_the_article(app):
    article(app, "tip", title="Reset the gadget", plugin="sample", service="consult")
    ticket = add_ticket(app)
    client = logged_in(app, "disp", "dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/kb/resolve",
        {"article": "tip", "version": str(ticket.version), "note": "talked through"},
    )
    assert response.status_code == 303
    with app.app_context():
        fresh = Ticket.get_by_id(ticket.id)
        link = KbTicketLink.get(KbTicketLink.ticket == ticket.id)
        events = list(
            TicketEvent.select().where(TicketEvent.ticket == ticket.id).order_by(TicketEvent.id)
        )
    assert fresh.status == "resolved" and fresh.resolved_at is not None
    assert link.outcome == GUIDANCE_OUTCOME
    status_event = [e for e in events if e.kind == "status"][-1]
    assert status_event.data["new"] == "resolved"
    assert (
        "Reset the gadget" in status_event.data["note"]
        and "talked through" in status_event.data["note"]
    )
    assert events[-1].kind == "kb_guidance" and events[-1].data["article"] == "tip"


def test_resolved_by_guidance_on_a_closed_ticket_is_refused_and_writes_nothing(app):
    article(app, "tip")
    ticket = add_ticket(app)  # a consultation: no callback, so it closes by hand
    registry = app.extensions["aftersales"].registry
    actor = ensure_user(app, "dispatcher", "dispatcher")
    with app.app_context():
        ticket = transition_ticket(registry, ticket, ticket.version, "resolved", actor)
        ticket = transition_ticket(registry, ticket, ticket.version, "closed", actor)
        events_before = TicketEvent.select().where(TicketEvent.ticket == ticket.id).count()
    client = logged_in(app, "disp", "dispatcher")
    response = client.form(
        f"/tickets/{ticket.number}/kb/resolve", {"article": "tip", "version": str(ticket.version)}
    )
    assert response.status_code == 422 and "Not resolved" in response.get_data(as_text=True)
    with app.app_context():
        assert Ticket.get_by_id(ticket.id).status == "closed"
        assert KbTicketLink.select().count() == 0
        assert TicketEvent.select().where(TicketEvent.ticket == ticket.id).count() == events_before


def test_resolved_by_guidance_with_a_stale_version_is_409(app):
    article(app, "tip")
    ticket = add_ticket(app)
    client = logged_in(app, "disp", "dispatcher")
    client.form(f"/tickets/{ticket.number}/comment", {"text": "first"})
    response = client.form(
        f"/tickets/{ticket.number}/kb/resolve",
        {"article": "tip", "version": str(ticket.version - 1)},
    )
    assert response.status_code == 409
    with app.app_context():
        assert KbTicketLink.select().count() == 0


def test_technician_cannot_resolve_someone_elses_ticket_by_guidance(app):
    article(app, "tip")
    ticket = add_ticket(app)
    client = logged_in(app, "tech", "technician")
    response = client.form(
        f"/tickets/{ticket.number}/kb/resolve", {"article": "tip", "version": str(ticket.version)}
    )
    assert response.status_code == 403


# --- starter articles -----------------------------------------------------------------


def test_built_in_plugins_ship_starter_articles_in_both_languages(make_app):
    app = make_app(enabled=ALL_PLUGINS)
    with app.app_context():
        stored = {(a.plugin, a.language) for a in KbArticle.select()}
    assert {(p, lang) for p in ALL_PLUGINS for lang in ("zh_CN", "en")} <= stored


def test_every_starter_articles_service_is_in_its_plugins_catalog(make_app):
    app = make_app(enabled=ALL_PLUGINS)
    registry = app.extensions["aftersales"].registry
    with app.app_context():
        for a in KbArticle.select().where(KbArticle.origin != ""):
            service = registry.service(a.plugin, a.service)
            assert service is not None, a.slug
            assert service.category == a.category, a.slug


def test_starter_import_is_idempotent(make_app):
    app = make_app(enabled=["home_appliances"])
    spec = articles_from_folder_of("home_appliances")
    with app.app_context():
        before = KbArticle.select().count()
        report = import_starters(spec)
        assert KbArticle.select().count() == before
    assert report.lines() == []


def articles_from_folder_of(plugin):
    from pathlib import Path

    import plugins

    folder = Path(plugins.__file__).parent / plugin / "articles"
    return [(plugin, s) for s in articles_from_folder(folder)]


def _spec(version, title="Reset", slug="sample-reset"):
    return ("sample", ArticleSpec(slug, "en", title, "Hold it.", version=version))


def test_newer_starter_updates_an_unedited_article(app):
    with app.app_context():
        import_starters([_spec(1)])
        report = import_starters([_spec(2, "Reset, revised")])
        assert KbArticle.get(KbArticle.slug == "sample-reset").title == "Reset, revised"
    assert report.updated == ["sample-reset"]


def test_newer_starter_never_overwrites_an_edited_article(app):
    with app.app_context():
        import_starters([_spec(1)])
    client = logged_in(app, "sup", "supervisor")
    edit = {**article_form("sample-reset", title="Our own words"), "version": "1"}
    assert client.form("/kb/sample-reset/edit", edit).status_code == 303
    with app.app_context():
        report = import_starters([_spec(2, "Reset, revised")])
        assert KbArticle.get(KbArticle.slug == "sample-reset").title == "Our own words"
    assert report.kept_edited == ["sample-reset"]


def test_starter_never_takes_a_slug_staff_already_use(app):
    article(app, "sample-reset", title="Written by staff")
    with app.app_context():
        report = import_starters([_spec(1)])
        assert KbArticle.get(KbArticle.slug == "sample-reset").title == "Written by staff"
    assert report.slug_taken == ["sample-reset"]


def test_a_front_matter_missing_a_key_names_the_file(tmp_path):
    (tmp_path / "broken.md").write_text("---\nslug: x-y\ntitle: T\n---\nBody\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.md: front matter lacks language"):
        articles_from_folder(tmp_path)


def test_cli_imports_starters(make_app, tmp_path):
    from click.testing import CliRunner

    from server.cli import main

    app = make_app(enabled=["insurance"])
    with app.app_context():
        KbArticle.delete().execute()
    config = tmp_path / "cli.toml"
    url = app.extensions["aftersales"].config.database.url
    config.write_text(
        f'[server]\ninstance_dir = "{tmp_path / "instance"}"\n'
        f'[database]\nurl = "{url}"\n[plugins]\nenabled = ["insurance"]\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["--config", str(config), "kb", "import-starters"])
    assert result.exit_code == 0, result.output
    assert "added: ins-claim-documents" in result.output


# --- config ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("table", "key"),
    [
        ({"public": "yes"}, "kb.public"),
        ({"public_rate_limit": "lots"}, "kb.public_rate_limit"),
        ({"public_rate_limit": "0/minute"}, "kb.public_rate_limit"),
        ({"colour": "red"}, "kb.colour"),
    ],
)
def test_bad_kb_setting_is_a_one_line_error(table, key):
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_config({"kb": table})
