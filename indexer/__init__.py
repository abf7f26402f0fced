"""Follow the registry by logical replication and keep Elasticsearch in step."""
