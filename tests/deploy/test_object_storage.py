"""Object storage, for real: a local S3-compatible server (moto in server mode,
real HTTP) started by the test, configured through the same AWS_* variables and
fanhub/settings.py code as production. Upload, waveform, play with Range through
the presigned URL, followers-only refusal, podcast, deletion, and the copy command."""

import json
import logging
import os
import runpy
import subprocess
import urllib.error
import urllib.request
from email.message import Message
from io import BytesIO, StringIO
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import boto3
import feedparser
import pytest
from django.core.files import File
from django.core.files.storage import default_storage, storages
from django.core.management import call_command
from django.urls import reverse

from fans.models import Follow
from posts.models import Mix, Post
from posts.tasks import make_waveform
from tests.audio import audio_bytes, upload
from tests.conftest import make_user
from tests.deploy.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]
MEDIA_BUCKET, AUDIO_BUCKET = "fanhub", "fanhub-audio"
PUBLIC_MEDIA_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": "*",
                "Action": "s3:GetObject",
                "Resource": f"arn:aws:s3:::{MEDIA_BUCKET}/media/*",
            }
        ],
    }
)


@pytest.fixture
def s3_server():
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets per Python process, not per server: start empty.
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST"))
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for bucket in (MEDIA_BUCKET, AUDIO_BUCKET):
        client.create_bucket(Bucket=bucket)
    # As deploy/README.md says: media/ readable by anyone, audio by no one.
    client.put_bucket_policy(Bucket=MEDIA_BUCKET, Policy=PUBLIC_MEDIA_POLICY)
    client.endpoint = endpoint
    yield client
    server.stop()


@pytest.fixture
def bucket(settings, s3_server, monkeypatch):
    """What fanhub/settings.py makes of production's variables, applied to the tests."""
    variables = {
        "AWS_STORAGE_BUCKET_NAME": MEDIA_BUCKET,
        "FANHUB_AUDIO_BUCKET_NAME": AUDIO_BUCKET,
        "AWS_S3_ENDPOINT_URL": s3_server.endpoint,
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "FANHUB_AUDIO_URL_SECONDS": "120",
    }
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    production = runpy.run_path(str(ROOT / "fanhub" / "settings.py"))
    for name, value in production.items():
        if name.startswith("AWS_") or name in {"FANHUB_AUDIO_URL_SECONDS", "STORAGE_ORIGINS"}:
            setattr(settings, name, value)
    settings.STORAGES = {**production["STORAGES"], "staticfiles": settings.STORAGES["staticfiles"]}
    settings.CONTENT_SECURITY_POLICY = production["CONTENT_SECURITY_POLICY"]
    return s3_server


def objects(s3, bucket: str) -> dict[str, int]:
    listed = s3.list_objects_v2(Bucket=bucket).get("Contents", [])
    return {item["Key"]: item["Size"] for item in listed}


def fetch(url: str, headers: dict | None = None) -> tuple[int, Message, bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


@pytest.mark.django_db(transaction=True)
def test_upload_waveform_play_refuse_and_delete_through_the_bucket(
    client, bucket, artist, member, fan, settings
):
    outsider = make_user("outsider@example.com")
    Follow.objects.create(user=fan, artist=artist)
    post = Post.objects.create(
        artist=artist,
        title="Demo",
        body="Rough.",
        kind=Post.Kind.MIX,
        status=Post.Status.PUBLISHED,
        visibility=Post.Visibility.FOLLOWERS,
        published_at="2026-01-01T00:00:00Z",
    )
    data = audio_bytes("wav", seconds=1.0)

    # Upload, through the studio.
    client.force_login(member)
    response = client.post(
        reverse("studio_mix_create", args=[post.pk]),
        {"version": "v1", "notes": "", "audio": upload(data)},
    )
    assert response.status_code == 302
    mix = Mix.objects.get(post=post)
    assert objects(bucket, AUDIO_BUCKET) == {f"audio/{mix.audio.name}": len(data)}
    assert not Path(settings.FANHUB_AUDIO_ROOT).exists()  # nothing on the web's disk
    assert objects(bucket, MEDIA_BUCKET) == {}

    # The waveform task reads the audio from the bucket and stores its PNG in media/.
    make_waveform.apply(args=[mix.pk]).get()
    mix.refresh_from_db()
    assert len(mix.peaks) == 1000
    png_key = f"media/{mix.waveform.name}"
    assert png_key in objects(bucket, MEDIA_BUCKET)
    status, headers, png = fetch(default_storage.url(mix.waveform.name))  # public
    assert status == 200 and png.startswith(b"\x89PNG")

    # A follower is sent to a short-lived signed URL; the bucket serves the range.
    client.force_login(fan)
    response = client.get(mix.get_audio_url())
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    location = response["Location"]
    assert location.startswith(f"{bucket.endpoint}/{AUDIO_BUCKET}/audio/")
    query = parse_qs(urlsplit(location).query)
    assert query["X-Amz-Expires"] == ["120"] and "X-Amz-Signature" in query
    status, headers, body = fetch(location, {"Range": "bytes=100-1123"})
    assert status == 206
    assert headers["Content-Range"] == f"bytes 100-1123/{len(data)}"
    assert body == data[100:1124]
    # Without its signature the same URL is refused by the bucket.
    unsigned = location.split("?")[0]
    assert fetch(unsigned, {"Range": "bytes=0-99"})[0] == 403

    # Others get no URL at all.
    for who in (outsider, None):
        client.logout()
        if who:
            client.force_login(who)
        response = client.get(mix.get_audio_url())
        assert response.status_code == 403
        assert "Location" not in response

    # The page's CSP lets the player follow the redirect to the bucket.
    client.force_login(fan)
    page = client.get(post.get_absolute_url())
    assert f"media-src 'self' {bucket.endpoint}" in page["Content-Security-Policy"]

    # Deleting a version deletes its audio and its waveform from the buckets.
    client.force_login(member)
    response = client.post(
        reverse("studio_mix_create", args=[post.pk]),
        {"version": "v2", "notes": "", "audio": upload(audio_bytes("wav", seconds=0.5))},
    )
    assert response.status_code == 302
    response = client.post(reverse("studio_mix_delete", args=[mix.pk]))
    assert response.status_code == 302
    assert f"audio/{mix.audio.name}" not in objects(bucket, AUDIO_BUCKET)
    assert png_key not in objects(bucket, MEDIA_BUCKET)
    assert len(objects(bucket, AUDIO_BUCKET)) == 1  # v2's


@pytest.mark.django_db(transaction=True)
def test_podcast_enclosures_lead_to_the_whole_file_in_the_bucket(client, bucket, artist, make_post):
    from tests.audio import make_mix

    post = make_post(kind="mix", title="Night drive")
    mix = make_mix(post, "mp3", seconds=1)
    feed = feedparser.parse(client.get(reverse("artist_feed_podcast", args=[artist.slug])).content)
    [enclosure] = feed.entries[0].enclosures
    assert int(enclosure.length) == mix.size
    response = client.get(urlsplit(enclosure.href).path)  # no login: a podcast app
    assert response.status_code == 302
    status, headers, body = fetch(response["Location"])
    assert status == 200
    assert len(body) == int(enclosure.length)
    assert headers["Content-Type"] == "audio/mpeg"


@pytest.mark.django_db
def test_copy_to_storage_is_idempotent_and_shows_progress(settings, bucket, tmp_path):
    media, audio = Path(settings.MEDIA_ROOT), Path(settings.FANHUB_AUDIO_ROOT)
    (media / "covers").mkdir(parents=True)
    (media / "covers" / "a.jpg").write_bytes(b"cover")
    (media / "waveforms").mkdir()
    (media / "waveforms" / "b.png").write_bytes(b"png!")
    (audio / "mixes").mkdir(parents=True)
    (audio / "mixes" / "c.wav").write_bytes(b"R" * 5000)

    def copy(*args) -> list[str]:
        out = StringIO()
        call_command("copy_to_storage", *args, stdout=out)
        return out.getvalue().splitlines()

    assert copy("--dry-run")[-1] == "0 copied, 0 already there, 3 left."
    assert objects(bucket, MEDIA_BUCKET) == {}

    assert copy() == [
        "[1/3] media/covers/a.jpg: copied",
        "[2/3] media/waveforms/b.png: copied",
        "[3/3] audio/mixes/c.wav: copied",
        "3 copied, 0 already there, 0 left.",
    ]
    assert objects(bucket, MEDIA_BUCKET) == {"media/covers/a.jpg": 5, "media/waveforms/b.png": 4}
    assert objects(bucket, AUDIO_BUCKET) == {"audio/mixes/c.wav": 5000}
    assert storages["audio"].open("mixes/c.wav").read() == b"R" * 5000

    # Again: nothing to do. A file cut short in the bucket is copied again, whole.
    bucket.put_object(Bucket=AUDIO_BUCKET, Key="audio/mixes/c.wav", Body=b"R" * 10)
    assert copy()[-1] == "1 copied, 2 already there, 0 left."
    assert objects(bucket, AUDIO_BUCKET) == {"audio/mixes/c.wav": 5000}
    assert copy()[-1] == "0 copied, 3 already there, 0 left."

    assert copy("--list") == [
        "media\tcovers/a.jpg\t5",
        "media\twaveforms/b.png\t4",
        "audio\tmixes/c.wav\t5000",
    ]


def test_copy_to_storage_refuses_without_a_bucket(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No object storage"):
        call_command("copy_to_storage")


@pytest.mark.django_db
def test_backup_with_a_bucket_keeps_the_database_and_a_listing(bucket, tmp_path):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("deploy/backup.sh needs PostgreSQL (DATABASE_URL)")
    storages["audio"].save("mixes/kept.wav", File(BytesIO(b"R" * 321)))
    db = connection.settings_dict
    env_file = tmp_path / "env"
    env_file.write_text(
        "\n".join(
            [
                f"DATABASE_URL=postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
                f"AWS_STORAGE_BUCKET_NAME={MEDIA_BUCKET}",
                f"FANHUB_AUDIO_BUCKET_NAME={AUDIO_BUCKET}",
                f"AWS_S3_ENDPOINT_URL={bucket.endpoint}",
                "AWS_S3_REGION_NAME=us-east-1",
                "AWS_ACCESS_KEY_ID=testing",
                "AWS_SECRET_ACCESS_KEY=testing",
                f"FANHUB_VAR_DIR={tmp_path / 'var'}",
            ]
        )
        + "\n"
    )
    done = subprocess.run(
        ["deploy/backup.sh", str(tmp_path / "backups")],
        cwd=ROOT, env={"PATH": os.environ["PATH"], "ENV_FILE": str(env_file)},
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    backup = Path(done.stdout.strip())
    assert sorted(p.name for p in backup.iterdir()) == [
        "SHA256SUMS", "bucket-listing.txt", "database.dump",
    ]  # fmt: skip
    assert (backup / "bucket-listing.txt").read_text() == "audio\tmixes/kept.wav\t321\n"
