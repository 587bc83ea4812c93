from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"
PASSWORD = "admin"


class Command(BaseCommand):
    help = (
        "Create a local demo superuser (admin/admin) for trying the admin. Refuses unless the "
        "tracker runs on its default SQLite file with DEBUG on, so it can never reach a "
        "shared or production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="/admin/", help="Admin address to print.")

    def handle(self, *args, url, **options):
        if not demo_accounts_allowed():
            raise CommandError(
                "Demo accounts are only created on the default SQLite database with DEBUG on."
            )
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=USERNAME, defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            user.set_password(PASSWORD)
            user.save()
            self.stdout.write(f"Created the demo superuser “{USERNAME}”.")
        self.stdout.write(
            self.style.SUCCESS(f"Admin: {url}  user “{USERNAME}”, password “{PASSWORD}”")
            if created or user.check_password(PASSWORD)
            else f"Admin: {url}  user “{USERNAME}” (its password was changed locally)"
        )


def demo_accounts_allowed() -> bool:
    # USING_DEFAULT_DATABASE: no DATABASE_URL, so the embedded SQLite file beside manage.py.
    return settings.DEBUG and settings.USING_DEFAULT_DATABASE
