#!/bin/bash
# Stop what tests/servers/freshrss-up.sh started (by its pid file).  --purge: also delete its data.
STATE=${FRESHRSS_STATE:-/tmp/reader-freshrss}
p="$STATE/php.pid"
if [ -s "$p" ] && kill -0 "$(cat "$p")" 2>/dev/null; then
  kill -- -"$(cat "$p")" 2>/dev/null || kill "$(cat "$p")"
  for _ in $(seq 1 20); do kill -0 "$(cat "$p")" 2>/dev/null || break; sleep 0.25; done
  echo "stopped FreshRSS (php -S, $(cat "$p"))"
fi
rm -f "$p" "$STATE/env"
[ "${1:-}" = "--purge" ] && rm -rf "$STATE/data"
exit 0
