from django.apps import AppConfig


class DriversConfig(AppConfig):
    name = "drivers"

    def ready(self):
        # Every process that may delete a token or change a user or driver drops its cached token at once.
        from drivers.authentication import connect_token_cache_invalidation

        connect_token_cache_invalidation()
