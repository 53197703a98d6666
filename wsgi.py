"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from likepion import create_app

app = create_app()
