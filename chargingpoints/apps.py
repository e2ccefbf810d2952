from django.apps import AppConfig


class ChargingpointsConfig(AppConfig):
    name = "chargingpoints"
