#!/bin/sh
# Entrypoint of the hub's image: every Docker secret whose file is named after a hub setting
# (/run/secrets/HUB_DATABASE_URL, /run/secrets/HUB_PII_KEYS …) becomes that environment variable,
# so that secrets never sit in compose.yaml or `docker inspect`; then `hub "$@"` replaces this
# shell (signals reach the hub directly). A variable already set is left alone; SECRETS_DIR moves
# the folder (the tests use it).
set -eu
for file in "${SECRETS_DIR:-/run/secrets}"/HUB_*; do
    [ -f "$file" ] || continue
    name=$(basename "$file")
    # A setting given explicitly (docker run -e) wins over the secret.
    if [ -z "$(printenv "$name" || true)" ]; then
        value=$(cat "$file")
        export "$name=$value"
    fi
done
exec hub "$@"
