#!/usr/bin/env bash
# Restore a folder made by deploy/backup.sh into an EMPTY database and empty
# file folders (stop fanhub-web, fanhub-worker and fanhub-beat first):
#
#   deploy/restore.sh /srv/fanhub/backups/20261128T031500Z
#
# Same settings as backup.sh (environment, else ENV_FILE). The checksums are
# verified before anything is written.
set -euo pipefail

ENV_FILE=${ENV_FILE:-/etc/fanhub/env}
setting() {
  local value=${!1:-}
  if [ -z "$value" ] && [ -r "$ENV_FILE" ]; then
    value=$(grep -E "^$1=" "$ENV_FILE" | tail -n 1 | cut -d= -f2- || true)
  fi
  printf '%s' "${value:-${2:-}}"
}

src=${1:?usage: deploy/restore.sh BACKUP_FOLDER}
DATABASE_URL=$(setting DATABASE_URL)
VAR_DIR=$(setting FANHUB_VAR_DIR /srv/fanhub/var)
MEDIA_ROOT=$(setting MEDIA_ROOT "$VAR_DIR/media")
AUDIO_ROOT=$(setting FANHUB_AUDIO_ROOT "$VAR_DIR/audio")
[ -n "$DATABASE_URL" ] || { echo "restore: DATABASE_URL is not set" >&2; exit 1; }

(cd "$src" && sha256sum --check --quiet SHA256SUMS)
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
  --dbname "$DATABASE_URL" "$src/database.dump"
for part in media:"$MEDIA_ROOT" audio:"$AUDIO_ROOT"; do
  name=${part%%:*} folder=${part#*:}
  if [ -f "$src/$name.tar" ]; then
    mkdir -p "$folder"
    tar --extract --file "$src/$name.tar" --directory "$folder"
  fi
done
echo "restored $src"
