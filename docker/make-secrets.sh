#!/bin/sh
# Creates docker/secrets/, the files compose.yaml mounts as Docker secrets, with fresh random
# values: the PostgreSQL password, the hub's database URL (with that password), the keys of the
# personal data (HUB_PII_KEYS, HUB_PII_INDEX_KEY) and the upstreams' credentials (a copy of the
# sandboxes' public demo credentials; put the real platforms' credentials there instead).
# Existing files are kept, never overwritten: losing HUB_PII_* makes the stored personal data
# unreadable. Back them up apart from the database backups (docker/README.md, "Secrets").
set -eu
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/secrets"}
mkdir -p "$out"
chmod 700 "$out"
umask 077

made() {
    if [ -e "$out/$1" ]; then
        echo "kept $out/$1"
        return 1
    fi
    echo "made $out/$1"
}

if made postgres_password; then
    openssl rand -hex 24 | tr -d '\n' > "$out/postgres_password"
fi
if made HUB_DATABASE_URL; then
    printf 'postgresql+asyncpg://hub:%s@postgres:5432/hub' "$(cat "$out/postgres_password")" \
        > "$out/HUB_DATABASE_URL"
fi
if made HUB_PII_KEYS; then
    printf '{"k%s": "%s"}' "$(date -u +%Y%m)" "$(openssl rand -base64 32)" > "$out/HUB_PII_KEYS"
fi
if made HUB_PII_INDEX_KEY; then
    openssl rand -base64 32 | tr -d '\n' > "$out/HUB_PII_INDEX_KEY"
fi
if made hub_sources.json; then
    cp "$here/sandbox-credentials.json" "$out/hub_sources.json"
fi
