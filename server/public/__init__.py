"""Customer self-service: the public request form and the ticket status lookup."""
