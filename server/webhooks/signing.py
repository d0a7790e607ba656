"""The signature recipe receivers check: HMAC-SHA256 over ``"<timestamp>.<body>"``."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_PREFIX = "sha256="


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The ``X-Aftersales-Signature`` value for ``body`` sent at ``timestamp`` (unix seconds)."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def delivery_headers(
    secret: str, event: str, delivery_uuid: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """Every header of one delivery attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": "aftersales-webhooks/1",
        "X-Aftersales-Event": event,
        "X-Aftersales-Delivery": delivery_uuid,
        "X-Aftersales-Timestamp": str(timestamp),
        "X-Aftersales-Signature": signature(secret, timestamp, body),
    }
