"""factory-boy factories for every model, in one place."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from chargingpoints.models import ChargingPoint, ConnectorType, PointStatus
from drivers.models import Driver, Favorite
from notifications.models import BroadcastAlert, Notification
from sessions_app.models import ChargingSession
from sessions_app.status import FINISHED_STATUSES, SessionStatus


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("secret-pass-123")


class DriverFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Driver

    user = factory.SubFactory(UserFactory)
    driver_id = factory.LazyAttribute(lambda o: f"driver-{o.user.username}")
    display_name = factory.LazyAttribute(lambda o: o.user.username.capitalize())


class ChargingPointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChargingPoint

    cp_id = factory.Sequence(lambda n: f"CP-T{n:03d}")
    name = factory.Sequence(lambda n: f"Test Charger {n}")
    address = "1 Test Street"
    city = "Springfield"
    latitude = 42.1015
    longitude = -72.5898
    connector_type = ConnectorType.CCS
    power_kw = 50.0
    price_eur_per_kwh = Decimal("0.4200")
    amenities = factory.LazyFunction(lambda: ["WiFi"])
    status = PointStatus.FREE
    last_updated = factory.LazyFunction(timezone.now)


class FavoriteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Favorite

    driver = factory.SubFactory(DriverFactory)
    charging_point = factory.SubFactory(ChargingPointFactory)


class ChargingSessionFactory(factory.django.DjangoModelFactory):
    """A session row as stored; status set directly only to build fixtures (code uses the service)."""

    class Meta:
        model = ChargingSession

    driver = factory.SubFactory(DriverFactory)
    charging_point = factory.SubFactory(ChargingPointFactory)
    vehicle_id = "vehicle-1"
    status = SessionStatus.PENDING
    # As stored: a finished session has its end time (the status writer stamps it).
    completed_at = factory.LazyAttribute(lambda s: timezone.now() if s.status in FINISHED_STATUSES else None)


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    driver = factory.SubFactory(DriverFactory)
    type = Notification.Type.SESSION
    message = factory.Sequence(lambda n: f"Notification {n}")


class BroadcastAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BroadcastAlert

    title = factory.Sequence(lambda n: f"Alert {n}")
    message = "Something operators want drivers to know"
    severity = BroadcastAlert.Severity.INFO
    effective_at = factory.LazyFunction(lambda: timezone.now() - timezone.timedelta(minutes=1))
