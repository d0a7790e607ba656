"""The proof-of-purchase check: ticked on the ticket, but no file attached to it."""

from __future__ import annotations

from server.plugin_api import Label, Panel, TicketInfo, label

TITLE = label("购机凭证未上传", "Proof of purchase not attached")
ROW = (
    Label("注意", "Note"),
    Label(
        "已勾选“已提供购机凭证”，但本工单没有附件：请上传发票或收据的照片。",
        "Proof of purchase is ticked, but nothing is attached to this ticket:"
        " upload a photo of the invoice or receipt.",
    ),
)


def panels(ticket: TicketInfo) -> list[Panel]:
    """A warning panel when the proof is ticked and the ticket has no attachment."""
    if ticket.attributes.get("proof_of_purchase") is True and ticket.attachment_count == 0:
        return [Panel(TITLE, (ROW,))]
    return []
