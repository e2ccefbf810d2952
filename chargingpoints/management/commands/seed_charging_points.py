from django.core.management.base import BaseCommand, CommandError

from chargingpoints.services import (
    DEFAULT_NETWORK_FILE,
    ChargingPointImportError,
    charging_points_import,
    charging_points_read_file,
)


class Command(BaseCommand):
    help = "Load charging points from the default network shipped in the repository, or from a JSON/CSV file."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="JSON list or CSV file (default: the shipped network)")

    def handle(self, *args, **options):
        path = options["file"] or DEFAULT_NETWORK_FILE
        try:
            result = charging_points_import(charging_points_read_file(path))
        except ChargingPointImportError as exc:
            raise CommandError(f"{exc}. Nothing was imported; fix the file and run again.") from exc
        self.stdout.write(
            f"Charging points from {path}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
