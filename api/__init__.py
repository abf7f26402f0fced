"""The HTTP surface of regsearch (FastAPI)."""
