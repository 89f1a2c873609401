"""Draw the waveforms that are missing (after a broker outage, say), here and now."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from posts.audio import draw_missing_waveforms, make_waveform
from posts.models import Mix


class Command(BaseCommand):
    help = "Draw every mix version's waveform that has not been drawn yet."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="Redraw every waveform.")

    def handle(self, *args, **options):
        if options["all"]:
            ids = list(Mix.objects.values_list("pk", flat=True))
            for mix_id in ids:
                make_waveform(mix_id)
            drawn = len(ids)
        else:
            drawn = draw_missing_waveforms(uploaded_before=timezone.now())
        self.stdout.write(f"Drew {drawn} waveform{'s' if drawn != 1 else ''}.")
