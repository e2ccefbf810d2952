from django.core.management.base import BaseCommand

from drivers.services import drivers_seed_demo


class Command(BaseCommand):
    help = "Create the demo drivers (alice, bob, charlie, david, eve) with passwords and API tokens, and print them."

    def handle(self, *args, **options):
        self.stdout.write(f"{'driver_id':<16} {'username':<9} {'password':<20} API token")
        for demo in drivers_seed_demo():
            self.stdout.write(
                f"{demo.driver.driver_id:<16} {demo.driver.user.username:<9} {demo.password:<20} {demo.token}"
                + ("" if demo.created else "   (existing)")
            )
        self.stdout.write('Use the token as:  -H "Authorization: Token <token>"')
