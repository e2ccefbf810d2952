from django.core.management.base import BaseCommand, CommandError

from chargingpoints.services import (
    DEFAULT_NETWORK_FILE,
    ChargingPointImportError,
    charging_points_import,
    charging_points_read_file,
)


class Command(BaseCommand):
    help = (
        "Create the charging points of the default network shipped in the repository, or of a JSON/CSV file, "
        "that do not exist yet. Existing points are left as they are unless --update is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="JSON list or CSV file (default: the shipped network)")
        parser.add_argument(
            "--update",
            action="store_true",
            help="Also overwrite existing points whose name, place, connector, power, price or amenities differ "
            "from the file (this reverts edits made in the admin).",
        )

    def handle(self, *args, update=False, **options):
        path = options["file"] or DEFAULT_NETWORK_FILE
        try:
            result = charging_points_import(charging_points_read_file(path), update_existing=update)
        except ChargingPointImportError as exc:
            raise CommandError(f"{exc}. Nothing was imported; fix the file and run again.") from exc
        self.stdout.write(
            f"Charging points from {path}: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged."
        )
        if result.kept:
            self.stdout.write(
                f"{len(result.kept)} existing point(s) differ from the file and were left as stored "
                f"({', '.join(result.kept)}); run with --update to overwrite them from the file."
            )
