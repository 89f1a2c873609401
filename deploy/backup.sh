#!/usr/bin/env bash
# Back up Fanhub: the database (pg_dump, custom format) and the uploaded files
# (media: covers, avatars, waveforms; audio: the mixes) into one dated folder.
#
#   deploy/backup.sh [DEST]          DEST defaults to /srv/fanhub/backups
#
# Settings come from the environment, or else from ENV_FILE (default
# /etc/fanhub/env): DATABASE_URL, MEDIA_ROOT, FANHUB_AUDIO_ROOT. With object
# storage (AWS_STORAGE_BUCKET_NAME) the files live in the bucket: use the bucket's own
# versioning or replication; this script then saves a listing of its objects.
# Restore with deploy/restore.sh (see deploy/README.md).
set -euo pipefail
umask 077  # a backup holds every fan's email address

ENV_FILE=${ENV_FILE:-/etc/fanhub/env}
setting() {  # $1 from the environment, else from ENV_FILE, else $2
  local value=${!1:-}
  if [ -z "$value" ] && [ -r "$ENV_FILE" ]; then
    value=$(grep -E "^$1=" "$ENV_FILE" | tail -n 1 | cut -d= -f2- || true)
  fi
  printf '%s' "${value:-${2:-}}"
}

DATABASE_URL=$(setting DATABASE_URL)
VAR_DIR=$(setting FANHUB_VAR_DIR /srv/fanhub/var)
MEDIA_ROOT=$(setting MEDIA_ROOT "$VAR_DIR/media")
AUDIO_ROOT=$(setting FANHUB_AUDIO_ROOT "$VAR_DIR/audio")
BUCKET=$(setting AWS_STORAGE_BUCKET_NAME)
[ -n "$DATABASE_URL" ] || { echo "backup: DATABASE_URL is not set" >&2; exit 1; }

dest="${1:-/srv/fanhub/backups}/$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"

pg_dump --format=custom --no-owner --no-privileges --file "$dest/database.dump" "$DATABASE_URL"
if [ -n "$BUCKET" ]; then
  # The bucket's objects, for the record: keep the bucket itself versioned.
  ENV_FILE=$ENV_FILE RUN_AS= "$(dirname "$0")/manage.sh" copy_to_storage --list \
    > "$dest/bucket-listing.txt"
else
  for part in media:"$MEDIA_ROOT" audio:"$AUDIO_ROOT"; do
    name=${part%%:*} folder=${part#*:}
    mkdir -p "$folder"
    tar --create --file "$dest/$name.tar" --directory "$folder" .
  done
fi
(cd "$dest" && sha256sum -- * > SHA256SUMS)
echo "$dest"
