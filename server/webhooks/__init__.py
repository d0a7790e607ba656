"""Webhooks: signed HTTP POSTs to integrators' URLs when tickets change (issue 8, item 5).

``outbox`` writes pending deliveries inside the change's own transaction, ``delivery``
sends them later (the periodic round and a huey task), ``signing`` is the HMAC recipe,
``registry`` the admin's write paths. Nothing here imports at package level, so
``server.config`` can read ``settings`` without pulling in the database.
"""
