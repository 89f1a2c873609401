"""Run one scheduling pass now and send what is due, in this process.

For operators and cron users; beat does the same every hour through Celery.
The caps hold all the same: the ledger decides, not the caller."""

from collections import Counter

from django.core.management.base import BaseCommand
from django.utils import timezone

from fans import delivery, digests
from fans.models import DigestDelivery
from posts.models import HubSettings


class Command(BaseCommand):
    help = "Send the digests that are due now. --dry-run lists them and sends nothing."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List, don't send.")

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            self._dry_run()
            return
        looked_at: list[int] = []
        retry: list[int] = []

        def send(ids: list[int]) -> None:
            looked_at.extend(ids)
            retry.extend(delivery.send_batch(ids))

        delivery.plan(send=send)
        # What happened, from the ledger: rows with nothing new (or whose fan opted
        # out meanwhile) are deleted, so they are what is left unaccounted for.
        outcome = Counter(
            DigestDelivery.objects.filter(pk__in=looked_at).values_list("status", flat=True)
        )
        sent, refused = outcome[DigestDelivery.Status.SENT], outcome[DigestDelivery.Status.FAILED]
        skipped = len(looked_at) - sent - refused - len(retry)
        self.stdout.write(
            f"{sent} email(s) sent, {refused} refused by the fan's mail server, "
            f"{len(retry)} waiting for the mail server (they go out on the next pass), "
            f"{skipped} skipped (nothing new, or no longer wanted); {len(looked_at)} looked at."
        )

    def _dry_run(self):
        now, hub = timezone.now(), HubSettings.load()
        count = 0
        for user in digests.due(now, hub).iterator(chunk_size=500):
            count += 1
            if digests.is_dormant(user.last_seen_at or user.date_joined, now):
                self.stdout.write(f"{user.email}: last email before a pause (away too long)")
                continue
            digest = digests.compose(user, user.anchor, hub)
            if digest is None:
                continue
            self.stdout.write(f"{user.email}: {digest.subject}")
            for item in digest.items:
                self.stdout.write(f"    - {item.kind}: {item.title} <{item.url}>")
        self.stdout.write(f"{count} fan(s) due. Nothing was sent (dry run).")
