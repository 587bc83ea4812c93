"""Send the e-mail alerts and digests that are due (tracker.alerts).

Run it every few minutes from cron or any scheduler (README, "E-mail alerts"). It is safe to
run twice at once or after a crash: every alert is sent once. Each step runs even if an
earlier one failed (a confirmation is sent even when reading the log failed); a failure is
logged, and the command then exits with an error, so that cron reports it.
"""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tracker.alerts import following, news, planning
from tracker.alerts.sending import Outbox

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def handle(self, *args, **options):
        started = timezone.now()
        outbox = Outbox()
        steps = (
            ("expired", lambda: following.expire_pending(started)),
            ("changes", news.read_log),
            ("items", planning.plan),
            ("sent", lambda: outbox.send_due().sent),
        )
        done, failed = {}, []
        for name, step in steps:
            try:
                done[name] = step()
            except Exception:
                log.exception("send_alerts: the step “%s” failed", name)
                failed.append(name)
        took = (timezone.now() - started).total_seconds()
        self.stdout.write(
            f"{done.get('changes', '?')} new change(s), {done.get('items', '?')} alert item(s) "
            f"planned; sent {outbox.sent}, retrying {outbox.retried}, failed {outbox.failed}, "
            f"dropped {outbox.dropped}; {done.get('expired', '?')} unconfirmed request(s) "
            f"expired; {took:.1f} s"
        )
        if failed:
            raise CommandError(f"send_alerts: {', '.join(failed)} failed (see the log).")
