#!/usr/bin/env bash
# Restore a BetterWork backup made by scripts/backup.sh into a FRESH database and a FRESH media folder.
#
#   scripts/restore.sh BACKUP_DIR
#
# The target comes from the same environment as the application (point it at the new place, not the old one):
#   DATABASE_URL   postgres://user:password@host:5432/new_name → `pg_restore` into that database, which must exist
#                  and be empty (create it first: `createdb -h host -U user new_name`);
#                  sqlite:////absolute/new.sqlite3, or unset (${BETTERWORK_VAR_DIR:-var}/betterwork.sqlite3)
#                  → the backup file is copied there; refused when the file already exists.
#   MEDIA_ROOT     default ${BETTERWORK_VAR_DIR:-var}/media; must be missing or empty.
# The backup's SHA256SUMS are checked before anything is written. A PostgreSQL backup restores only into
# PostgreSQL and an SQLite backup only into SQLite. Afterwards run `manage.py migrate` (a no-op for a backup of
# the same release; it brings an older backup's schema up to date).
#
# Examples:
#   createdb -h 127.0.0.1 -U postgres betterwork_restored
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/betterwork_restored MEDIA_ROOT=/srv/media-restored \
#     scripts/restore.sh /backups/2026-11-24
#   BETTERWORK_VAR_DIR=/srv/betterwork-restored scripts/restore.sh /backups/2026-11-24   # SQLite
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BACKUP_DIR" >&2
  exit 2
fi
SRC="$(cd "$1" && pwd)"
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VAR_DIR="${BETTERWORK_VAR_DIR:-$ROOT/var}"
MEDIA="${MEDIA_ROOT:-$VAR_DIR/media}"
URL="${DATABASE_URL:-sqlite:///$VAR_DIR/betterwork.sqlite3}"

(cd "$SRC" && sha256sum --check --quiet SHA256SUMS) || { echo "restore: $SRC fails its checksums" >&2; exit 1; }
kind="$(grep '^kind=' "$SRC/MANIFEST" | cut -d= -f2)"

if [[ -d "$MEDIA" && -n "$(ls -A "$MEDIA")" ]]; then
  echo "restore: $MEDIA is not empty; restore into a fresh media folder" >&2
  exit 1
fi

case "$URL" in
  postgres://* | postgresql://* | pgsql://*)
    [[ "$kind" == postgresql ]] || { echo "restore: this is a $kind backup, not PostgreSQL" >&2; exit 1; }
    pg_restore --no-owner --no-privileges --exit-on-error --single-transaction \
      --dbname="${URL/#pgsql:/postgresql:}" "$SRC/database.dump"
    ;;
  sqlite://*)
    [[ "$kind" == sqlite ]] || { echo "restore: this is a $kind backup, not SQLite" >&2; exit 1; }
    file="${URL#sqlite://}"
    file="${file#/}"
    if [[ -e "$file" ]]; then
      echo "restore: $file exists; restore into a new file" >&2
      exit 1
    fi
    mkdir -p "$(dirname "$file")"
    cp "$SRC/database.sqlite3" "$file.partial"
    mv "$file.partial" "$file"
    ;;
  *)
    echo "restore: unsupported DATABASE_URL scheme: ${URL%%:*}" >&2
    exit 1
    ;;
esac

mkdir -p "$MEDIA"
tar -xzf "$SRC/media.tar.gz" -C "$MEDIA"
echo "restore: $kind database and $(grep media_files "$SRC/MANIFEST" | cut -d= -f2) uploaded files restored"
