"""Uploading files to tickets and customers through the pages, and serving them back."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from server.models import Attachment, Customer, Ticket, TicketEvent
from tests.conftest import StaffClient, ensure_user

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
RANDOM_NAME = re.compile(r"^[0-9a-f]{32}$")


def create_customer(client: StaffClient, app: Flask, name: str = "李四") -> int:
    response = client.form("/customers/new", {"name": name, "kind": "person", "tier": "normal"})
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return Customer.get(Customer.name == name).id


def create_ticket(client: StaffClient, app: Flask) -> str:
    customer_id = create_customer(client, app)
    response = client.form(
        f"/tickets/new?customer={customer_id}",
        {
            "service": "sample:repair",
            "title": "TV dead",
            "priority": "normal",
            "channel": "phone",
            "f_serial": "AB1234",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with app.app_context():
        return Ticket.get().number


@pytest.fixture
def staff(login_as) -> StaffClient:
    return login_as("dispatcher")


@pytest.fixture
def ticket_url(app: Flask, staff: StaffClient) -> str:
    return f"/tickets/{create_ticket(staff, app)}"


@pytest.fixture
def customer_url(app: Flask, staff: StaffClient) -> str:
    return f"/customers/{create_customer(staff, app, name='王五')}"


@pytest.fixture(params=["ticket", "customer"])
def owner_url(request: pytest.FixtureRequest) -> str:
    """The page of a ticket, then of a customer: each test runs against both."""
    return request.getfixturevalue(f"{request.param}_url")


def upload(client: StaffClient, owner_url: str, data: bytes, filename: str, **kwargs: Any) -> Any:
    return client.form(
        f"{owner_url}/attachments",
        {"file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        **kwargs,
    )


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.instance_path) / "uploads"
    return sorted(folder.iterdir()) if folder.is_dir() else []


def attachments(app: Flask) -> list[Attachment]:
    with app.app_context():
        return list(Attachment.select().order_by(Attachment.id))


def flashes(response: Any) -> str:
    page = response.get_data(as_text=True)
    return " ".join(re.findall(r'<p class="flash[^"]*">(.*?)</p>', page, re.S))


def assert_nothing_stored(app: Flask) -> None:
    assert attachments(app) == []
    assert stored_files(app) == []


# --- storing ------------------------------------------------------------------------------


def test_upload_redirects_back_to_the_page(staff, owner_url):
    response = upload(staff, owner_url, PNG, "photo.png")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(owner_url)


def test_upload_confirms_with_a_message(staff, owner_url):
    response = upload(staff, owner_url, PNG, "photo.png", follow_redirects=True)
    assert response.status_code == 200
    assert "File attached." in flashes(response)


def test_upload_is_stored_under_instance_uploads_with_a_random_name(app, staff, owner_url):
    upload(staff, owner_url, PNG, "photo.png")
    [stored] = stored_files(app)
    assert stored.parent == Path(app.instance_path) / "uploads"
    assert RANDOM_NAME.match(stored.name)
    assert "photo" not in stored.name
    assert stored.read_bytes() == PNG


def test_upload_records_name_type_size_and_uploader(app, staff, owner_url):
    upload(staff, owner_url, PNG, "photo.png")
    [attachment] = attachments(app)
    assert attachment.filename == "photo.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    with app.app_context():
        assert attachment.uploaded_by.username == "dispatcher"
    assert stored_files(app)[0].name == attachment.stored_name


def test_two_uploads_of_the_same_name_get_different_files(app, staff, customer_url):
    upload(staff, customer_url, PNG, "photo.png")
    upload(staff, customer_url, PNG + b"2", "photo.png")
    first, second = attachments(app)
    assert first.stored_name != second.stored_name
    assert len(stored_files(app)) == 2


def test_ticket_upload_belongs_to_the_ticket(app, staff, ticket_url):
    upload(staff, ticket_url, PNG, "photo.png")
    [attachment] = attachments(app)
    with app.app_context():
        assert attachment.ticket.number == ticket_url.rsplit("/", 1)[1]
    assert attachment.customer_id is None


def test_customer_upload_belongs_to_the_customer(app, staff, customer_url):
    upload(staff, customer_url, PNG, "photo.png")
    [attachment] = attachments(app)
    assert attachment.customer_id == int(customer_url.rsplit("/", 1)[1])
    assert attachment.ticket_id is None


def test_ticket_upload_adds_an_attachment_event_to_the_timeline(app, staff, ticket_url):
    upload(staff, ticket_url, PNG, "photo.png")
    with app.app_context():
        [event] = TicketEvent.select().where(TicketEvent.kind == "attachment")
    assert event.data == {"filename": "photo.png", "size": len(PNG)}
    assert "attached <b>photo.png</b>" in staff.get(ticket_url).get_data(as_text=True)


def test_uploaded_file_is_linked_from_the_page(app, staff, owner_url):
    upload(staff, owner_url, PNG, "photo.png")
    [attachment] = attachments(app)
    page = staff.get(owner_url).get_data(as_text=True)
    assert f'href="/attachments/{attachment.id}"' in page
    assert "photo.png" in page


def test_chinese_file_name_is_kept_for_display(app, staff, customer_url):
    upload(staff, customer_url, PNG, "故障照片.png")
    [attachment] = attachments(app)
    assert attachment.filename == "故障照片.png"
    assert RANDOM_NAME.match(attachment.stored_name)


# --- serving ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filename", "content_type", "inline", "content"),
    [
        # the content must match the type its name claims (server/filecheck.py)
        ("photo.png", "image/png", True, b"\x89PNG\r\n\x1a\nsome content"),
        ("photo.jpg", "image/jpeg", True, b"\xff\xd8\xffsome content"),
        ("invoice.pdf", "application/pdf", True, b"%PDF-1.7 some content"),
        ("notes.txt", "text/plain", False, b"some content"),
    ],
)
def test_download_serves_the_bytes_with_the_right_content_type(
    app, staff, customer_url, filename, content_type, inline, content
):
    upload(staff, customer_url, content, filename)
    [attachment] = attachments(app)
    response = staff.get(f"/attachments/{attachment.id}")
    assert response.status_code == 200
    assert response.data == content
    assert response.mimetype == content_type
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("inline" if inline else "attachment")
    assert filename in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_anonymous_download_redirects_to_login(app, staff, owner_url):
    upload(staff, owner_url, PNG, "photo.png")
    [attachment] = attachments(app)
    response = app.test_client().get(f"/attachments/{attachment.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]
    assert PNG not in response.data


def test_download_after_logout_redirects_to_login(app, staff, customer_url):
    upload(staff, customer_url, PNG, "photo.png")
    [attachment] = attachments(app)
    staff.form("/logout")
    response = staff.get(f"/attachments/{attachment.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_download_of_an_unknown_attachment_is_404(staff):
    assert staff.get("/attachments/999").status_code == 404


def test_download_of_a_file_missing_on_disk_is_404(app, staff, customer_url):
    upload(staff, customer_url, PNG, "photo.png")
    [attachment] = attachments(app)
    stored_files(app)[0].unlink()
    assert staff.get(f"/attachments/{attachment.id}").status_code == 404


# --- refusals -----------------------------------------------------------------------------


def test_anonymous_upload_is_refused(app, owner_url):
    anonymous = app.test_client()
    response = upload(anonymous, owner_url, PNG, "photo.png")
    assert response.status_code == 401
    assert_nothing_stored(app)


def test_technician_cannot_attach_to_a_customer(app, staff, customer_url):
    technician = app.test_client()
    technician.login(ensure_user(app, "tech", "technician").username)
    response = upload(technician, customer_url, PNG, "photo.png")
    assert response.status_code == 403
    assert_nothing_stored(app)


def test_technician_cannot_attach_to_a_ticket_of_someone_else(app, staff, ticket_url):
    technician = app.test_client()
    technician.login(ensure_user(app, "tech", "technician").username)
    response = upload(technician, ticket_url, PNG, "photo.png")
    assert response.status_code == 403
    assert_nothing_stored(app)


def test_technician_downloads_files_of_their_own_jobs_only(app, staff, ticket_url):
    upload(staff, ticket_url, PNG, "photo.png")
    [attachment] = attachments(app)
    tech = ensure_user(app, "tech", "technician")
    technician = app.test_client()
    technician.login(tech.username)
    assert technician.get(f"/attachments/{attachment.id}").status_code == 403
    with app.app_context():
        Ticket.update(assignee=tech).where(Ticket.id == attachment.ticket_id).execute()
    assert technician.get(f"/attachments/{attachment.id}").status_code == 200


def test_upload_to_an_unknown_ticket_is_404(app, staff):
    assert upload(staff, "/tickets/SP-1999-99999", PNG, "photo.png").status_code == 404
    assert_nothing_stored(app)


@pytest.mark.parametrize("filename", ["page.html", "no-extension"])
def test_type_not_allowed_is_refused_with_a_message(app, staff, owner_url, filename):
    response = upload(
        staff, owner_url, b"<script>alert(1)</script>", filename, follow_redirects=True
    )
    assert response.status_code == 200
    message = flashes(response)
    assert "Not uploaded" in message
    assert "not allowed" in message
    assert_nothing_stored(app)


def test_browser_claimed_type_does_not_override_the_extension(app, staff, owner_url):
    response = staff.form(
        f"{owner_url}/attachments",
        {"file": (io.BytesIO(b"<script>alert(1)</script>"), "page.html", "image/png")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "not allowed" in flashes(response)
    assert_nothing_stored(app)


def test_allowed_types_come_from_the_config(make_app):
    app = make_app(uploads={"allowed_types": ["application/pdf"]})
    client = app.test_client()
    client.login(ensure_user(app, "dispatcher", "dispatcher").username)
    url = f"/customers/{create_customer(client, app)}"
    refused = upload(client, url, PNG, "photo.png", follow_redirects=True)
    assert "image/png are not allowed" in flashes(refused)
    assert_nothing_stored(app)
    upload(client, url, b"%PDF-1.4", "invoice.pdf")
    assert len(attachments(app)) == 1


def test_empty_file_is_refused(app, staff, owner_url):
    response = upload(staff, owner_url, b"", "photo.png", follow_redirects=True)
    assert "Not uploaded" in flashes(response)
    assert "empty" in flashes(response)
    assert_nothing_stored(app)


def test_missing_file_field_is_refused(app, staff, owner_url):
    response = staff.form(
        f"{owner_url}/attachments",
        {},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "Not uploaded: Choose a file." in flashes(response)
    assert_nothing_stored(app)


def test_file_field_without_a_name_is_refused(app, staff, customer_url):
    response = upload(staff, customer_url, b"", "", follow_redirects=True)
    assert "Not uploaded" in flashes(response)
    assert_nothing_stored(app)


# --- size limit ---------------------------------------------------------------------------

LIMIT = 1000


@pytest.fixture
def small_limit_app(make_app) -> Flask:
    return make_app(uploads={"max_bytes": LIMIT})


@pytest.fixture
def small_limit_client(small_limit_app) -> StaffClient:
    client = small_limit_app.test_client()
    client.login(ensure_user(small_limit_app, "dispatcher", "dispatcher").username)
    return client


@pytest.fixture
def small_limit_url(small_limit_app, small_limit_client) -> str:
    return f"/customers/{create_customer(small_limit_client, small_limit_app)}"


def refusal_message(response: Any) -> str:
    """The flash message after a redirect, or the error page's text for a 413."""
    if response.status_code == 413:
        return response.get_data(as_text=True)
    return flashes(response)


@pytest.mark.parametrize("size", [LIMIT + 1, 200 * 1024], ids=["flash", "413-page"])
def test_file_over_the_limit_is_refused_and_nothing_stored(
    small_limit_app, small_limit_client, small_limit_url, size
):
    response = upload(
        small_limit_client, small_limit_url, b"x" * size, "notes.txt", follow_redirects=True
    )
    assert response.status_code in (200, 413)
    assert "too large" in refusal_message(response) or "larger than" in refusal_message(response)
    assert_nothing_stored(small_limit_app)


@pytest.mark.parametrize("size", [LIMIT + 1, 200 * 1024], ids=["flash", "413-page"])
def test_size_refusal_states_the_limit_truthfully(small_limit_client, small_limit_url, size):
    response = upload(
        small_limit_client, small_limit_url, b"x" * size, "notes.txt", follow_redirects=True
    )
    message = refusal_message(response)
    # A 1000-byte limit must not be reported as "0 KiB".
    assert " 0 KiB" not in message, message


def test_file_exactly_at_the_limit_is_accepted(
    small_limit_app, small_limit_client, small_limit_url
):
    upload(small_limit_client, small_limit_url, b"x" * LIMIT, "notes.txt")
    [attachment] = attachments(small_limit_app)
    assert attachment.size == LIMIT


# --- file names with path tricks ----------------------------------------------------------


@pytest.mark.parametrize(
    "filename",
    ["../../etc/passwd.txt", "..\\..\\windows\\win.txt", "/etc/passwd.txt", "a/../../b.txt"],
)
def test_file_name_with_path_tricks_is_stored_safely(app, staff, ticket_url, tmp_path, filename):
    response = upload(staff, ticket_url, b"harmless", filename)
    assert response.status_code == 303
    [stored] = stored_files(app)
    assert RANDOM_NAME.match(stored.name)
    assert stored.read_bytes() == b"harmless"
    assert not (tmp_path / "etc").exists()
    assert not (Path(app.instance_path) / "etc").exists()
    assert [p.name for p in tmp_path.rglob("*.txt")] == []


@pytest.mark.parametrize("filename", ["../../etc/passwd.txt", "..\\..\\windows\\win.txt"])
def test_file_name_with_path_tricks_is_served_without_the_path(app, staff, customer_url, filename):
    upload(staff, customer_url, b"harmless", filename)
    [attachment] = attachments(app)
    response = staff.get(f"/attachments/{attachment.id}")
    assert response.data == b"harmless"
    disposition = response.headers["Content-Disposition"]
    # Dots alone are harmless in a name; a directory separator is what must not survive.
    assert "\\" not in disposition
    assert "../" not in disposition
    assert "/" not in disposition.replace("UTF-8''", "")
