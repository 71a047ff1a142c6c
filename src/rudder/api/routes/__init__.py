"""FastAPI routers of ``rudder server``, one module per area; assembled by rudder.api.server."""
