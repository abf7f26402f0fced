"""The ground every package may import: the one settings module, the one way to make an
Elasticsearch client, and the garbage-collector settings of long-running processes."""
