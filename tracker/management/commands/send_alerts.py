"""Send the e-mail alerts and digests that are due (tracker.alerts).

Run it every few minutes from cron or any scheduler (README, "E-mail alerts"). It is safe to
run twice at once or after a crash: every alert is sent once.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from tracker.alerts import following, news, planning
from tracker.alerts.sending import Outbox


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        started = timezone.now()
        expired = following.expire_pending(started)
        changes = news.read_log(started)
        items = planning.plan(started)
        outbox = Outbox().send_due()
        took = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{changes} new change(s), {items} alert item(s) planned; sent {outbox.sent}, "
            f"retrying {outbox.retried}, failed {outbox.failed}, dropped {outbox.dropped}; "
            f"{expired} unconfirmed request(s) expired; {took:.1f} s"
        )
