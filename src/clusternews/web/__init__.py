"""The HTTP side: FastAPI app factory and routes."""
