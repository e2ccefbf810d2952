from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from drivers.models import Favorite
from tests.factories import ChargingPointFactory, DriverFactory, FavoriteFactory

pytestmark = pytest.mark.django_db


def test_cp_id_is_unique():
    ChargingPointFactory(cp_id="CP-900")
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingPointFactory(cp_id="CP-900")


@pytest.mark.parametrize(
    "field,value",
    [("power_kw", 0), ("price_eur_per_kwh", Decimal("-0.01")), ("latitude", 91), ("longitude", -181)],
)
def test_database_refuses_impossible_point_data(field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        ChargingPointFactory(**{field: value})


def test_a_point_is_favorite_once_per_driver():
    driver, point = DriverFactory(), ChargingPointFactory()
    FavoriteFactory(driver=driver, charging_point=point)
    with pytest.raises(IntegrityError), transaction.atomic():
        Favorite.objects.create(driver=driver, charging_point=point)
