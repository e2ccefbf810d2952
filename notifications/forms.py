"""The admin's broadcast-alert form: the scope picked from the network's cities and points, not typed as JSON."""

from django import forms
from django.contrib.admin.widgets import FilteredSelectMultiple

from chargingpoints.models import ChargingPoint
from notifications.models import BroadcastAlert


def network_city_choices() -> list[tuple[str, str]]:
    """The cities of the charging points, each once (case-insensitively), sorted."""
    seen: dict[str, str] = {}
    for city in ChargingPoint.objects.order_by("city").values_list("city", flat=True).distinct():
        seen.setdefault(city.lower(), city)
    return [(city, city) for city in sorted(seen.values(), key=str.lower)]


def _cities_field() -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        choices=network_city_choices,
        required=False,
        widget=FilteredSelectMultiple("cities", is_stacked=False),
        help_text=BroadcastAlert._meta.get_field("cities").help_text,
    )


def _points_field() -> forms.ModelMultipleChoiceField:
    return forms.ModelMultipleChoiceField(
        queryset=ChargingPoint.objects.order_by("cp_id"),
        required=False,
        widget=FilteredSelectMultiple("charging points", is_stacked=False),
        help_text=BroadcastAlert._meta.get_field("charging_points").help_text,
    )


class AlertScopeForm(forms.Form):
    """A scope on its own (the admin's reach preview reads it from the query string)."""

    cities = _cities_field()
    charging_points = _points_field()

    def scope(self) -> tuple[set[int], set[str]]:
        return {point.pk for point in self.cleaned_data["charging_points"]}, set(self.cleaned_data["cities"])


class BroadcastAlertAdminForm(forms.ModelForm):
    """The model keeps `cities` as a JSON list; here it is a multi-select of the network's cities."""

    cities = _cities_field()
    charging_points = _points_field()

    class Meta:
        model = BroadcastAlert
        fields = ("title", "message", "severity", "effective_at", "expires_at", "cities", "charging_points")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The admin's date and time boxes have no label of their own (its one label names the pair).
        for name in ("effective_at", "expires_at"):
            boxes = getattr(self.fields[name].widget, "widgets", ())
            for box, part in zip(boxes, ("date", "time"), strict=False):
                box.attrs["aria-label"] = f"{self.fields[name].label}: {part}"
        # A city already on the alert (typed before this form, or sent by central) stays selectable.
        known = {value.lower() for value, _ in network_city_choices()}
        extra = [(city, city) for city in (self.instance.cities or []) if str(city).lower() not in known]
        if extra:
            self.fields["cities"].choices = network_city_choices() + extra

    def clean_cities(self) -> list[str]:
        return list(self.cleaned_data["cities"])
