import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from drivers.models import Driver

pytestmark = pytest.mark.django_db

NAMES = ["alice", "bob", "charlie", "david", "eve"]


def test_seed_demo_creates_drivers_with_passwords_and_tokens(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert sorted(Driver.objects.values_list("driver_id", flat=True)) == sorted(f"driver-{n}" for n in NAMES)
    for name in NAMES:
        driver = Driver.objects.get(driver_id=f"driver-{name}")
        token = Token.objects.get(user=driver.user)
        password = f"{name}-charge-2026"
        assert authenticate(username=name, password=password) == driver.user
        assert token.key in out and password in out and driver.driver_id in out


def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    tokens = dict(Token.objects.values_list("user__username", "key"))
    passwords = dict(Driver.objects.values_list("driver_id", "user__password"))
    call_command("seed_demo")
    assert Driver.objects.count() == 5
    assert dict(Token.objects.values_list("user__username", "key")) == tokens
    assert dict(Driver.objects.values_list("driver_id", "user__password")) == passwords
    assert "(existing)" in capsys.readouterr().out


def test_seed_demo_gives_each_driver_a_home_city_and_keeps_an_operators_choice():
    call_command("seed_demo")
    homes = dict(Driver.objects.values_list("driver_id", "home_city"))
    assert homes == {
        "driver-alice": "Springfield",
        "driver-bob": "Boston",
        "driver-charlie": "Madrid",
        "driver-david": "Barcelona",
        "driver-eve": "Berlin",
    }
    Driver.objects.filter(driver_id="driver-alice").update(home_city="Cambridge")  # an operator moved her
    Driver.objects.filter(driver_id="driver-bob").update(home_city="")  # seeded before home cities existed
    call_command("seed_demo")
    homes = dict(Driver.objects.values_list("driver_id", "home_city"))
    assert homes["driver-alice"] == "Cambridge" and homes["driver-bob"] == "Boston"
