from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

# (username, password, group or None for the superuser, what the account is for)
ACCOUNTS = [
    ("admin", "admin", None, "superuser: everything"),
    ("analyst", "analyst-demo", "Analyst", "enters records and drafts status updates"),
    ("editor", "editor-demo", "Editor", "publishes, keeps follow-ups current at the desk"),
    ("researcher", "researcher-demo", "Researcher", "reads work in progress, changes nothing"),
]


class Command(BaseCommand):
    help = (
        "Create local demo accounts, a superuser and one per role (Analyst, Editor, "
        "Researcher), and print their credentials. Refuses unless the tracker runs on its "
        "default SQLite file, in the demo (DEMO=1) or with DEBUG on, so it can never reach a "
        "shared or production database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--url", default="", help="The site's address, to print the sign-in links."
        )

    def handle(self, *args, url, **options):
        if not demo_accounts_allowed():
            raise CommandError(
                "Demo accounts are only created on the default SQLite database, in the demo "
                "(DEMO=1) or with DEBUG on."
            )
        User = get_user_model()
        base = url.rstrip("/")
        self.stdout.write(
            f"Demo accounts (sign in at {base}/accounts/login/, admin {base}/admin/):"
        )
        for username, password, group_name, purpose in ACCOUNTS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"is_staff": True, "is_superuser": group_name is None},
            )
            if created:
                user.set_password(password)
                user.save()
            if group_name:
                # The groups come from a migration (outcomes.roles); the account joins its own.
                user.groups.set([Group.objects.get(name=group_name)])
            shown = password if user.check_password(password) else "(changed locally)"
            line = f"  {username:<11} {shown:<18} {purpose}"
            self.stdout.write(self.style.SUCCESS(line) if created else line)


def demo_accounts_allowed() -> bool:
    # USING_DEFAULT_DATABASE: no DATABASE_URL, so the embedded SQLite file beside manage.py.
    return (settings.DEBUG or settings.DEMO) and settings.USING_DEFAULT_DATABASE
