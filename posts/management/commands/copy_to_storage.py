"""Copy local uploads and mix audio into the configured storages (a bucket).

For the move from one machine's disk to object storage: set the AWS_* variables,
run this, then start the new processes. Safe to run again: a file already in the
bucket with the same size is skipped, so an interrupted copy just continues.

    manage.py copy_to_storage            # copy, one progress line per file
    manage.py copy_to_storage --dry-run  # what would be copied
    manage.py copy_to_storage --list     # every object in the storages (backups)
"""

from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.core.management.base import BaseCommand, CommandError

from posts.storage import is_local


def local_files(root: Path) -> list[str]:
    if not root.is_dir():
        return []
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def stored_files(storage: Storage, folder: str = "") -> list[tuple[str, int]]:
    folders, files = storage.listdir(folder)
    found = [(f"{folder}{name}", storage.size(f"{folder}{name}")) for name in files]
    for sub in folders:
        found += stored_files(storage, f"{folder}{sub}/")
    return found


class Command(BaseCommand):
    help = "Copy MEDIA_ROOT and FANHUB_AUDIO_ROOT into the configured storages (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Say what would be copied.")
        parser.add_argument(
            "--list", dest="list_only", action="store_true", help="List the stored objects."
        )

    def handle(self, *args, dry_run: bool = False, list_only: bool = False, **options):
        parts = [
            ("media", Path(settings.MEDIA_ROOT), storages["default"]),
            ("audio", Path(settings.FANHUB_AUDIO_ROOT), storages["audio"]),
        ]
        if list_only:
            for label, _, storage in parts:
                for name, size in stored_files(storage):
                    self.stdout.write(f"{label}\t{name}\t{size}")
            return
        if all(is_local(storage) for _, _, storage in parts):
            raise CommandError("No object storage is configured (AWS_STORAGE_BUCKET_NAME).")

        work = [(label, root, storage, name) for label, root, storage in parts
                for name in local_files(root)]  # fmt: skip
        counts = {"copied": 0, "skipped": 0}
        width = len(str(len(work)))
        for index, (label, root, storage, name) in enumerate(work, 1):
            path = root / name
            if storage.exists(name) and storage.size(name) == path.stat().st_size:
                outcome = "already there"
                counts["skipped"] += 1
            elif dry_run:
                outcome = "would copy"
            else:
                if storage.exists(name):
                    storage.delete(name)  # a partial copy from an interrupted run
                with path.open("rb") as source:
                    saved = storage.save(name, File(source))
                if saved != name:
                    raise CommandError(f"{label}/{name} was stored as {saved}; stopping.")
                outcome = "copied"
                counts["copied"] += 1
            self.stdout.write(f"[{index:>{width}}/{len(work)}] {label}/{name}: {outcome}")
        self.stdout.write(
            f"{counts['copied']} copied, {counts['skipped']} already there, "
            f"{len(work) - counts['copied'] - counts['skipped']} left."
        )
