from django.apps import AppConfig
from django.conf import settings


class EventsConfig(AppConfig):
    """What carries changes: the page's live events and the data versions the API's response cache reads."""

    name = "events"

    def ready(self):
        from events.versions import versions_install

        # Every process that writes moves the versions, so an answer cached by any web worker is dropped.
        if settings.API_RESPONSE_CACHE_SECONDS > 0:
            versions_install()
