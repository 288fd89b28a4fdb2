"""Entry point: `gunicorn wsgi:app` and `flask --app wsgi ...`."""

from learning_platform import create_app

app = create_app()
