from django.apps import AppConfig


class DiscoveryConfig(AppConfig):
    """What a driver sees of the network: the charging points (and favorites) with distance, favorite, queue
    and wait. It composes the domain apps below it; charging points stay a leaf that knows no driver."""

    name = "discovery"
