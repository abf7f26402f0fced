"""Public web pages: search, offline API docs (server-rendered, Jinja2)."""
