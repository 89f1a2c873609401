"""The upload handler stops writing a file at its limit, whatever the form does later."""

import os

from django.test import RequestFactory

from posts.uploads import CappedTemporaryFileUploadHandler, TooLargeUpload


def feed(handler, field: str, size: int, chunk: int = 1000):
    handler.new_file(field, "x.bin", "application/octet-stream", size)
    path = handler.file.temporary_file_path()
    written = 0
    for start in range(0, size, chunk):
        part = b"\0" * min(chunk, size - start)
        handler.receive_data_chunk(part, start)
        written = os.path.getsize(path) if os.path.exists(path) else 0
        assert written <= handler.limit
    return handler.file_complete(size), path


def request_as(user):
    request = RequestFactory().post("/studio/posts/new/")
    request.user = user
    return request


def test_a_file_over_its_limit_is_deleted_not_kept(member, settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 5000
    handler = CappedTemporaryFileUploadHandler(request_as(member))
    result, path = feed(handler, "audio", 20_000)
    assert isinstance(result, TooLargeUpload) and result.size == 20_000
    assert not os.path.exists(path)


def test_a_file_under_its_limit_is_kept(member, settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 50_000
    handler = CappedTemporaryFileUploadHandler(request_as(member))
    result, _ = feed(handler, "audio", 20_000)
    assert not isinstance(result, TooLargeUpload) and result.size == 20_000
    result.close()


def test_only_artists_get_the_audio_limit(fan, settings):
    from django.contrib.auth.models import AnonymousUser

    settings.FANHUB_MAX_AUDIO_BYTES = 50_000
    settings.FANHUB_MAX_IMAGE_BYTES = 3000
    for user in (AnonymousUser(), fan):
        handler = CappedTemporaryFileUploadHandler(request_as(user))
        result, path = feed(handler, "audio", 20_000)
        assert isinstance(result, TooLargeUpload)
        assert not os.path.exists(path)


def test_a_request_cannot_carry_more_than_one_audio_and_one_image(member, settings):
    settings.FANHUB_MAX_AUDIO_BYTES = 10_000
    settings.FANHUB_MAX_IMAGE_BYTES = 5000
    handler = CappedTemporaryFileUploadHandler(request_as(member))
    first, _ = feed(handler, "audio", 9000)
    second, _ = feed(handler, "cover", 4000)
    third, path = feed(handler, "audio", 9000)  # within its own limit, not the request's
    assert not isinstance(first, TooLargeUpload) and not isinstance(second, TooLargeUpload)
    assert isinstance(third, TooLargeUpload) and not os.path.exists(path)
    first.close()
    second.close()
