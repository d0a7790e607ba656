"""The main flow end to end through the test client."""

from server.models import Customer, Ticket


def test_login_create_customer_and_ticket_and_move_it(app, login_as):
    client = login_as("dispatcher")
    response = client.form("/customers/new", {"name": "李四", "kind": "person", "tier": "normal"})
    assert response.status_code == 303
    with app.app_context():
        customer = Customer.get(Customer.name == "李四")
    response = client.form(
        f"/tickets/new?customer={customer.id}",
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
        ticket = Ticket.get()
    assert ticket.number.startswith("SP-")
    assert ticket.attributes["serial"] == "AB1234"
