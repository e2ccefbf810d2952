"""ChargingSession.price_eur_per_kwh: the point's price in force when the request was made.

Sessions that exist already get their point's current price: the best figure there is for them.
"""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def backfill_price_from_point(apps, schema_editor):
    ChargingSession = apps.get_model("sessions_app", "ChargingSession")
    ChargingPoint = apps.get_model("chargingpoints", "ChargingPoint")
    price = ChargingPoint.objects.filter(pk=OuterRef("charging_point_id")).values("price_eur_per_kwh")[:1]
    ChargingSession.objects.filter(price_eur_per_kwh__isnull=True).update(price_eur_per_kwh=Subquery(price))


class Migration(migrations.Migration):
    dependencies = [
        ("chargingpoints", "0001_initial"),
        ("sessions_app", "0005_waiting_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="chargingsession",
            name="price_eur_per_kwh",
            field=models.DecimalField(decimal_places=4, max_digits=8, null=True),
        ),
        migrations.RunPython(backfill_price_from_point, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="chargingsession",
            name="price_eur_per_kwh",
            field=models.DecimalField(decimal_places=4, max_digits=8),
        ),
        migrations.AddConstraint(
            model_name="chargingsession",
            constraint=models.CheckConstraint(
                condition=models.Q(price_eur_per_kwh__gte=0), name="session_price_not_negative"
            ),
        ),
    ]
