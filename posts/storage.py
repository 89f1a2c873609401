"""Where mix audio is kept: `STORAGES["audio"]` (settings).

By default `LocalAudioStorage`, a folder (FANHUB_AUDIO_ROOT) outside MEDIA_ROOT
that no URL reaches: posts.views.mix_audio checks who asks, then streams the
file or hands it to nginx. With object storage configured, a private S3 bucket
or prefix instead: the same view answers with a short-lived presigned URL
(posts.ranges), so the web process never carries the bytes.

Nothing here imports posts.models: the model's field resolves this storage
while posts.models is being imported.
"""

from django.core.files.storage import FileSystemStorage, Storage
from django.utils.functional import cached_property


class LocalAudioStorage(FileSystemStorage):
    @cached_property
    def base_location(self):
        from django.conf import settings

        return settings.FANHUB_AUDIO_ROOT

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "FANHUB_AUDIO_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        raise ValueError("Private audio has no public URL; link to Mix.get_audio_url().")


def is_local(storage: Storage) -> bool:
    """Whether files in `storage` are on this machine's disk (else: a bucket)."""
    return isinstance(storage, FileSystemStorage)
