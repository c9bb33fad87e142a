#!/usr/bin/env bash
# Back up BetterWork: the database and the uploaded files (assessment evidence, remediation files, report PDFs).
#
#   scripts/backup.sh DEST_DIR
#
# Reads the same environment as the application:
#   DATABASE_URL        postgres://user:password@host:5432/name  → `pg_dump -Fc` (custom format) into
#                       DEST_DIR/database.dump (the pg_dump client must be the server's major version or newer);
#                       sqlite:////absolute/path.sqlite3, or unset (the embedded default,
#                       ${BETTERWORK_VAR_DIR:-var}/betterwork.sqlite3) → SQLite's online backup API (consistent
#                       while web, worker and beat keep writing) into DEST_DIR/database.sqlite3.
#   MEDIA_ROOT          the uploaded files; default ${BETTERWORK_VAR_DIR:-var}/media (settings.MEDIA_ROOT)
#                       → DEST_DIR/media.tar.gz.
# DEST_DIR also gets MANIFEST (what, when, from where) and SHA256SUMS, which scripts/restore.sh checks first.
# Take the database first, then the files: a file uploaded in between is in the tarball without a row (harmless);
# the reverse order could restore rows whose files are missing.
#
# Examples:
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/betterwork scripts/backup.sh /backups/$(date +%F)
#   scripts/backup.sh /backups/$(date +%F)          # `make run`'s SQLite file and var/media
#   docker compose exec -T web scripts/backup.sh /var/lib/betterwork/backups/$(date +%F)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 DEST_DIR" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
DEST="$1"
VAR_DIR="${BETTERWORK_VAR_DIR:-$ROOT/var}"
MEDIA="${MEDIA_ROOT:-$VAR_DIR/media}"
URL="${DATABASE_URL:-sqlite:///$VAR_DIR/betterwork.sqlite3}"
PY="${PYTHON:-python3}"

mkdir -p "$DEST"
if [[ -n "$(ls -A "$DEST")" ]]; then
  echo "backup: $DEST is not empty; choose a new folder" >&2
  exit 1
fi

case "$URL" in
  postgres://* | postgresql://* | pgsql://*)
    kind=postgresql
    pg_dump --format=custom --no-owner --no-privileges --file="$DEST/database.dump" --dbname="${URL/#pgsql:/postgresql:}"
    ;;
  sqlite://*)
    kind=sqlite
    file="${URL#sqlite://}"
    file="${file#/}"  # sqlite:///relative or sqlite:////absolute, as django-environ reads them
    [[ -f "$file" ]] || { echo "backup: no SQLite database at $file" >&2; exit 1; }
    "$PY" - "$file" "$DEST/database.sqlite3" <<'PYTHON'
import sqlite3
import sys

source = sqlite3.connect(f"file:{sys.argv[1]}?mode=ro", uri=True)
target = sqlite3.connect(sys.argv[2])
with target:
    source.backup(target)  # page by page, consistent with concurrent writers (WAL)
problem = target.execute("PRAGMA integrity_check").fetchone()[0]
target.close()
source.close()
if problem != "ok":
    sys.exit(f"backup: integrity check of the copy failed: {problem}")
PYTHON
    ;;
  *)
    echo "backup: unsupported DATABASE_URL scheme: ${URL%%:*}" >&2
    exit 1
    ;;
esac

if [[ -d "$MEDIA" ]]; then
  tar -czf "$DEST/media.tar.gz" -C "$MEDIA" .
else
  tar -czf "$DEST/media.tar.gz" --files-from /dev/null  # no upload yet: an empty archive
fi

{
  echo "kind=$kind"
  echo "created=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "media_files=$(tar -tzf "$DEST/media.tar.gz" | grep -cv '/$' || true)"
} >"$DEST/MANIFEST"
(cd "$DEST" && sha256sum database.* media.tar.gz MANIFEST >SHA256SUMS)
echo "backup: $kind database and $(grep media_files "$DEST/MANIFEST" | cut -d= -f2) uploaded files in $DEST"
