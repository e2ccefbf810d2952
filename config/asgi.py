"""The events process: `uvicorn config.asgi:application` (Procfile `events`, docker-compose `events`).

The whole Django project under ASGI, for the one path that needs it: `GET /drivers/{driver_id}/events`, the
live events streamed by an async view (dashboard/stream.py) that holds no thread per open connection. The web
process (gunicorn, config/wsgi.py) keeps serving the page and the REST API.
"""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_asgi_application()
