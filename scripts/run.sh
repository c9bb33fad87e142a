#!/usr/bin/env bash
# `make run`: migrate, seed the demo programme (once: it is idempotent), then run the web server, a
# Celery worker and Celery beat together. Ctrl-C stops all three.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-betterwork.settings.local}"
PORT="${PORT:-8000}"
HOST="${HOST:-127.0.0.1}"
BIN=.venv/bin

"$BIN/python" manage.py migrate --noinput -v 0
logins="$("$BIN/python" manage.py seed_demo)"

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping web, worker and beat..."
  kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BIN/celery" -A betterwork worker -Q celery,pdf --loglevel=WARNING --concurrency=2 --max-memory-per-child=600000 &
pids+=($!)
"$BIN/celery" -A betterwork beat --loglevel=WARNING &
pids+=($!)
"$BIN/python" manage.py runserver "$HOST:$PORT" --noreload &
pids+=($!)

sleep 3
cat <<BANNER

================================================================================
 BetterWork is running at http://$HOST:$PORT/
   API docs:    http://$HOST:$PORT/api/v1/docs/
   Health:      http://$HOST:$PORT/healthz
 Web server, Celery worker and Celery beat are running; Ctrl-C stops all three.

$logins
   Two-factor code for a staff login:  .venv/bin/python manage.py demo_totp advisor.kh
================================================================================

BANNER
wait -n
