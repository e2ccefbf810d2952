"""The settings, read from one place: DJANGO_SETTINGS_MODULE=config.settings everywhere (manage.py, WSGI/ASGI,
Celery, the Procfile, docker-compose, the processes the tests start).

Laid out as cookiecutter-django's: base.py holds what every environment shares and is the only module that reads
the environment; DJANGO_DEBUG picks local.py (development, which `make run` asks for) or production.py (the
default, so a process started with nothing set serves no debug page). test.py is pytest's (pytest.ini).
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import env, env_bool

# Python runs this file before any module of the package: when DJANGO_SETTINGS_MODULE names one of them (pytest's
# config.settings.test), pick nothing here and let that module decide; test.py turns DJANGO_DEBUG on first, which
# would come too late for a choice made here.
if not env.str("DJANGO_SETTINGS_MODULE", default="").startswith(f"{__name__}."):
    if env_bool("DJANGO_DEBUG", default=False):
        from config.settings.local import *  # noqa: F403
    else:
        from config.settings.production import *  # noqa: F403
