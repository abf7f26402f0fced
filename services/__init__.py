"""Install and run the local stack (Elasticsearch, PostgreSQL, Redis) without Docker.

Entry points: ``services.stack.up()``, ``down()``, ``status()`` behind ``regsearch services``.
"""
