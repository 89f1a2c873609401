#!/usr/bin/env bash
# Run manage.py the way the services run: with exactly the variables of the env
# file (systemd's EnvironmentFile format: NAME=value per line, no quotes) and as
# the fanhub user.
#
#   deploy/manage.sh migrate
#   ENV_FILE=./env RUN_AS= deploy/manage.sh check --deploy   # as yourself
set -euo pipefail
cd "$(dirname "$0")/.."
ENV_FILE=${ENV_FILE:-/etc/fanhub/env}
RUN_AS=${RUN_AS-fanhub}

vars=(PATH=/usr/local/bin:/usr/bin:/bin)
while IFS= read -r line || [ -n "$line" ]; do
  case "$line" in ''|'#'*) continue ;; esac
  vars+=("$line")
done < "$ENV_FILE"

run=(env -i "${vars[@]}" .venv/bin/python manage.py "$@")
if [ -n "$RUN_AS" ]; then
  exec runuser -u "$RUN_AS" -- "${run[@]}"
fi
exec "${run[@]}"
