from django.apps import AppConfig

from events.publish import events_builder_register


class DiscoveryConfig(AppConfig):
    """What a driver sees of the network: the charging points (and favorites) with distance, favorite, queue
    and wait. It composes the domain apps below it; charging points stay a leaf that knows no driver."""

    name = "discovery"

    def ready(self):
        from discovery.events import point_events
        from discovery.waits import connect_history_receivers

        connect_history_receivers()
        # Charging points publish their status changes by key; the `point` event's queue and wait are built here.
        events_builder_register("point", point_events)
