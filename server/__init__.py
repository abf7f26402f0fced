"""The ASGI application (the JSON API's routers and the pages' routers together) and the
process that serves it under uvicorn."""
