"""The admin's broadcast-alert form (cities and points picked, not typed as JSON), its reach preview, and the
live-sessions list that refreshes itself."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from notifications.models import BroadcastAlert
from tests.factories import BroadcastAlertFactory, ChargingPointFactory, DriverFactory, FavoriteFactory, UserFactory

pytestmark = pytest.mark.django_db

ADD = "admin:notifications_broadcastalert_add"
REACH = "admin:notifications_broadcastalert_reach"


@pytest.fixture
def operator_client(client):
    client.force_login(get_user_model().objects.create_superuser("operator", "op@example.com", "operator-pass-1"))
    return client


@pytest.fixture
def network():
    spr = ChargingPointFactory(cp_id="CP-SPR", city="Springfield")
    bos = ChargingPointFactory(cp_id="CP-BOS", city="Boston")
    ChargingPointFactory(cp_id="CP-SPR2", city="springfield")  # the same city, spelled in lower case
    DriverFactory(user=UserFactory(username="home"), home_city="Springfield")
    fan = DriverFactory(user=UserFactory(username="fan"), home_city="Madrid")
    FavoriteFactory(driver=fan, charging_point=bos)
    DriverFactory(user=UserFactory(username="far"), home_city="Berlin")
    return {"spr": spr, "bos": bos}


def _form_data(**overrides):
    data = {
        "title": "Works on Main St",
        "message": "Expect delays",
        "severity": "WARN",
        "effective_at_0": "2026-01-01",
        "effective_at_1": "10:00:00",
        "expires_at_0": "",
        "expires_at_1": "",
    }
    data.update(overrides)
    return data


def test_add_form_offers_the_networks_cities_once_each_and_the_points(operator_client, network):
    response = operator_client.get(reverse(ADD))
    assert response.status_code == 200
    html = response.content.decode()
    cities = response.context["adminform"].form.fields["cities"].choices
    assert list(cities) == [("Boston", "Boston"), ("Springfield", "Springfield")]
    selects = re.findall(r"<select [^>]*>", html)
    for name in ("cities", "charging_points"):
        (tag,) = [tag for tag in selects if f'name="{name}"' in tag]
        assert " multiple " in tag and 'class="selectfilter"' in tag  # Django's two-box multi-select
    assert 'name="cities"' not in "".join(re.findall(r"<textarea [^>]*>", html))
    assert 'id="alert-reach"' in html and reverse(REACH) in html
    assert "notifications/admin/alert_reach.js" in html


def test_saving_the_form_stores_the_cities_as_a_json_list(operator_client, network):
    response = operator_client.post(
        reverse(ADD), _form_data(cities=["Springfield", "Boston"], charging_points=[network["spr"].pk])
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    alert = BroadcastAlert.objects.get(title="Works on Main St")
    assert sorted(alert.cities) == ["Boston", "Springfield"]
    assert list(alert.charging_points.all()) == [network["spr"]]


def test_a_city_outside_the_network_is_refused_with_a_message(operator_client, network):
    response = operator_client.post(reverse(ADD), _form_data(cities=["Atlantis"]))
    assert response.status_code == 200
    assert "Select a valid choice. Atlantis is not one of the available choices." in response.content.decode()
    assert not BroadcastAlert.objects.exists()


def test_an_alert_keeps_a_city_already_on_it_that_the_network_no_longer_has(operator_client, network):
    alert = BroadcastAlertFactory(cities=["Gotham"])
    url = reverse("admin:notifications_broadcastalert_change", args=[alert.pk])
    form = operator_client.get(url).context["adminform"].form
    assert ("Gotham", "Gotham") in list(form.fields["cities"].choices)
    assert form.initial["cities"] == ["Gotham"]


def test_reach_counts_the_drivers_the_scope_reaches(operator_client, network):
    url = reverse(REACH)
    assert operator_client.get(url).json() == {"drivers": 3, "everyone": True}
    assert operator_client.get(url, {"cities": ["Springfield"]}).json() == {"drivers": 1, "everyone": False}
    both = operator_client.get(url, {"cities": ["Springfield"], "charging_points": [network["bos"].pk]})
    assert both.status_code == 200 and both.json() == {"drivers": 2, "everyone": False}
    assert "no-cache" in both["Cache-Control"]


def test_reach_refuses_a_bad_scope_with_400(operator_client, network):
    response = operator_client.get(reverse(REACH), {"cities": ["Atlantis"], "charging_points": ["x"]})
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "Invalid alert scope"
    assert set(body) == {"detail", "cities", "charging_points"}


def test_reach_is_for_staff_who_manage_alerts_only(client, network):
    url = reverse(REACH)
    assert client.get(url).status_code == 403  # anonymous
    driver_user = UserFactory(username="driver")
    client.force_login(driver_user)
    response = client.get(url)
    assert response.status_code == 403
    assert response.json() == {"detail": "Staff who manage alerts only."}
    staff = UserFactory(username="viewer", is_staff=True)
    client.force_login(staff)
    assert client.get(url).status_code == 403  # staff without the alert permissions
    staff.user_permissions.add(Permission.objects.get(codename="add_broadcastalert"))
    client.force_login(get_user_model().objects.get(pk=staff.pk))
    assert client.get(url).json() == {"drivers": 3, "everyone": True}


def test_live_sessions_list_shows_its_age_and_refreshes_itself(operator_client):
    response = operator_client.get(reverse("admin:sessions_app_chargingsession_changelist"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="live-refresh"' in html and 'data-seconds="10"' in html
    assert "Updated <span data-age>just now</span>" in html
    assert "sessions_app/admin/live_refresh.js" in html
