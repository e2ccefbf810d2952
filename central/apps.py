from django.apps import AppConfig


class CentralConfig(AppConfig):
    """Everything that speaks central's protocol: the gateway (HTTP client, Kafka producer, topics, message
    types) and, on top, the sync layer that turns central's messages and poll into domain service calls."""

    name = "central"
    verbose_name = "Central controller"

    def ready(self):
        # The domain apps record intent and call central only through this port (they never import this app).
        from central.port import CentralAdapter
        from sessions_app.ports import central_port_register

        central_port_register(CentralAdapter())
