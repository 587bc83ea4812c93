"""Never send alerts to an address again: after a complaint, or a bounce reported by the mail
provider rather than by the SMTP server itself. Deletes the address and its subscriptions,
and keeps only a keyed digest of it."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from tracker.alerts.following import suppress


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        parser.add_argument("address")
        parser.add_argument(
            "--complaint", action="store_true", help="A complaint (default: a hard bounce)."
        )

    def handle(self, *args, address, complaint, **options):
        try:
            validate_email(address.strip())
        except ValidationError as error:
            raise CommandError(f"“{address[:80]}” is not an e-mail address.") from error
        suppress(address, "complaint" if complaint else "bounce")
        self.stdout.write("Suppressed: nothing will be sent to it again.")
