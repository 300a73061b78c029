"""The HTTP benchmark: the service against a hand-written FastAPI endpoint."""
