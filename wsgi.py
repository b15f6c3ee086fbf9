"""The WSGI entry point for gunicorn: `gunicorn wsgi:app`."""

from tracker.app import create_app

app = create_app()
