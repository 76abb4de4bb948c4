"""The local dashboard: FastAPI, server-rendered pages, no scripts, nothing from the internet."""
