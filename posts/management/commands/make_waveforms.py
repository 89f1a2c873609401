"""Draw the waveforms that are missing (after a broker outage, say), here and now."""

from django.core.management.base import BaseCommand

from posts.audio import make_waveform
from posts.models import Mix


class Command(BaseCommand):
    help = "Draw every mix version's waveform that has not been drawn yet."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Redraw every waveform.")

    def handle(self, *args, **options):
        mixes = Mix.objects.all() if options["all"] else Mix.objects.filter(waveform="")
        ids = list(mixes.values_list("pk", flat=True))
        for mix_id in ids:
            make_waveform(mix_id)
        self.stdout.write(f"Drew {len(ids)} waveform{'s' if len(ids) != 1 else ''}.")
