"""The knowledge base: articles per plugin and service, rendered safely, searchable."""
