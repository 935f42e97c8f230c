#!/bin/bash
# Stop what tests/servers/ttrss-up.sh started (by its pid files), and PostgreSQL only if
# ttrss-up.sh started it.   --purge: also drop the tt-rss database (packages stay).
STATE=${TTRSS_STATE:-/tmp/reader-ttrss}
p="$STATE/php.pid"
if [ -s "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; then
  kill -- -"$(cat "$p")" 2>/dev/null || kill "$(cat "$p")"
  for _ in $(seq 1 20); do kill -0 "$(cat "$p")" 2>/dev/null || break; sleep 0.25; done
  echo "stopped tt-rss (php -S, $(cat "$p"))"
fi
rm -f "$p" "$STATE/env"
if [ "${1:-}" = "--purge" ]; then
  runuser -u postgres -- psql -qAt -c "DROP DATABASE IF EXISTS ttrss" \
    -c "DROP ROLE IF EXISTS ttrss" 2>/dev/null || true
fi
if [ -s "$STATE/pg_started_by_us" ]; then
  read -r v c < "$STATE/pg_started_by_us"
  pg_ctlcluster "$v" "$c" stop && echo "stopped PostgreSQL $v/$c"
  rm -f "$STATE/pg_started_by_us"
fi
exit 0
