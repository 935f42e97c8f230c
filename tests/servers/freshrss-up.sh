#!/bin/bash
# Start a FreshRSS server (the Google Reader API) on 127.0.0.1 for the sync tests.
#
#   tests/servers/freshrss-up.sh FRESHRSS_DIR [--reset]
#
# FRESHRSS_DIR is an unpacked FreshRSS source tree (its code is never part of this repo; see
# tests/servers/README.md). Needs php-cli with sqlite3, curl, xml, mbstring, intl and zip
# (installed with apt when missing and run as root). Its data live in $STATE/data (FreshRSS's
# DATA_PATH), so FRESHRSS_DIR is only read. SQLite database, one user whose API password is
# set, the API enabled, anonymous refresh allowed (so tests can make it fetch feeds at once
# over HTTP), PHP's built-in server run as www-data when started as root.
# --reset: wipe $STATE/data first (a fresh install, an empty account).
#
# On success it prints shell assignments for the tests (also written to $STATE/env):
#   READER_FRESHRSS_URL=http://127.0.0.1:8290/  READER_FRESHRSS_USER=...  READER_FRESHRSS_PASSWORD=...
# Env: FRESHRSS_PORT (8290) FRESHRSS_USER (sync) FRESHRSS_PASS (syncpass)
#      FRESHRSS_STATE (/tmp/reader-freshrss). Stop it with tests/servers/freshrss-down.sh.
set -euo pipefail
DIR=${1:?usage: freshrss-up.sh FRESHRSS_DIR [--reset]}
RESET=0; [ "${2:-}" = "--reset" ] && RESET=1
PORT=${FRESHRSS_PORT:-8290}
USER_NAME=${FRESHRSS_USER:-sync}
USER_PASS=${FRESHRSS_PASS:-syncpass}
STATE=${FRESHRSS_STATE:-/tmp/reader-freshrss}
log() { echo "[freshrss-up $(date +%T)] $*" >&2; }
die() { log "$*"; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }
DIR=$(cd "$DIR" 2>/dev/null && pwd) || die "no such directory: $1"
[ -f "$DIR/p/api/greader.php" ] && [ -f "$DIR/cli/do-install.php" ] ||
  die "$DIR is not a FreshRSS source tree (no p/api/greader.php)"
mkdir -p "$STATE"
rm -f "$STATE/env"

# 1. PHP and the extensions FreshRSS checks for
missing() {
  command -v php >/dev/null || { echo php-cli; return; }
  for m in pdo_sqlite curl xml mbstring intl zip; do
    php -m | grep -qix "$m" || echo "php-${m/pdo_/}"
  done
}
NEED=$(missing | sed 's/php-sqlite$/php-sqlite3/' | tr '\n' ' ')
if [ -n "${NEED// }" ]; then
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "missing: $NEED (install them, or run as root)"
  log "installing $NEED"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 $NEED \
    >"$STATE/apt.log" 2>&1 ||
    { apt-get update -qq -o DPkg::Lock::Timeout=300 >>"$STATE/apt.log" 2>&1 &&
      apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 $NEED \
        >>"$STATE/apt.log" 2>&1; } || die "apt-get install $NEED failed (log: $STATE/apt.log)"
fi

# Run FreshRSS's code as an unprivileged user when we are root.
RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  RUN_AS=(runuser -u www-data --)
  runuser -u www-data -- test -r "$DIR/p/api/greader.php" ||
    die "www-data cannot read $DIR (make it world-readable)"
fi
export DATA_PATH=$STATE/data

stop_pid() {
  if alive "$1"; then
    kill -- -"$(cat "$1")" 2>/dev/null || kill "$(cat "$1")" 2>/dev/null || true
    for _ in $(seq 1 40); do alive "$1" || break; sleep 0.25; done
  fi
  rm -f "$1"
}
if [ $RESET = 1 ]; then
  log "resetting $DATA_PATH"
  stop_pid "$STATE/php.pid"
  rm -rf "$DATA_PATH"
fi

# 2. Install once (SQLite in $DATA_PATH/users/<user>/db.sqlite)
if [ ! -f "$DATA_PATH/applied_migrations.txt" ]; then
  log "installing FreshRSS into $DATA_PATH"
  mkdir -p "$DATA_PATH"
  [ "$(id -u)" = 0 ] && chown www-data:www-data "$DATA_PATH"
  "${RUN_AS[@]}" env DATA_PATH="$DATA_PATH" php "$DIR/cli/prepare.php" >/dev/null
  # FreshRSS fetches loopback feeds as it is (no address filter), but SimplePie serves a
  # feed from its cache for 800 s ('cache_duration'), even when a refresh of that one feed
  # is asked for: a test that changes its feed and refreshes would see nothing new.
  # do-install.php merges this file into data/config.php.
  printf '%s\n' '<?php' \
    "// reader's test server: fetch a feed again whenever a refresh asks (no SimplePie cache)" \
    "return ['limits' => ['cache_duration' => 0, 'cache_duration_min' => 0]];" |
    "${RUN_AS[@]}" tee "$DATA_PATH/config.custom.php" >/dev/null
  "${RUN_AS[@]}" env DATA_PATH="$DATA_PATH" php "$DIR/cli/do-install.php" \
    --default-user "$USER_NAME" --auth-type form --environment production \
    --base-url "http://127.0.0.1:$PORT" --language en --title FreshRSS \
    --allow-anonymous-refresh --api-enabled --db-type sqlite --disable-update \
    >"$STATE/install.log" 2>&1 || { tail -5 "$STATE/install.log" >&2; die "do-install.php failed"; }
fi
# create-user.php's --no-default-feeds dies with a TypeError in this FreshRSS (a flag without a
# value given to a bool property); an empty $DATA_PATH/opml.xml, which it reads instead of
# opml.default.xml, gives the same: no default (internet) feeds.
if ! "${RUN_AS[@]}" env DATA_PATH="$DATA_PATH" php "$DIR/cli/list-users.php" 2>/dev/null |
    grep -qx "$USER_NAME"; then
  printf '%s\n' '<?xml version="1.0" encoding="UTF-8"?>' \
    '<opml version="2.0"><head><title>none</title></head><body></body></opml>' |
    "${RUN_AS[@]}" tee "$DATA_PATH/opml.xml" >/dev/null
  "${RUN_AS[@]}" env DATA_PATH="$DATA_PATH" php "$DIR/cli/create-user.php" --user "$USER_NAME" \
    --password "$USER_PASS" --api-password "$USER_PASS" \
    >>"$STATE/install.log" 2>&1 || { tail -5 "$STATE/install.log" >&2; die "create-user.php failed"; }
fi

# 3. PHP's built-in server on the public folder p/ (greader.php reads PATH_INFO)
if ! alive "$STATE/php.pid"; then
  log "starting php -S 127.0.0.1:$PORT"
  DATA_PATH=$DATA_PATH PHP_CLI_SERVER_WORKERS=4 setsid "${RUN_AS[@]}" \
    env DATA_PATH="$DATA_PATH" PHP_CLI_SERVER_WORKERS=4 php -S "127.0.0.1:$PORT" -t "$DIR/p" \
    >"$STATE/php.log" 2>&1 < /dev/null & echo $! > "$STATE/php.pid"
fi

# 4. Wait until ClientLogin answers with a token
API=http://127.0.0.1:$PORT/api/greader.php
for i in $(seq 1 60); do
  curl -sf "$API/accounts/ClientLogin" --data-urlencode "Email=$USER_NAME" \
    --data-urlencode "Passwd=$USER_PASS" 2>/dev/null | grep -q '^Auth=' && break
  [ "$i" = 60 ] && { tail -5 "$STATE/php.log" >&2; die "ClientLogin did not answer in 30 s"; }
  sleep 0.5
done
{
  echo "READER_FRESHRSS_URL=http://127.0.0.1:$PORT/"
  echo "READER_FRESHRSS_USER=$USER_NAME"
  echo "READER_FRESHRSS_PASSWORD=$USER_PASS"
} | tee "$STATE/env"
log "up: $API (user $USER_NAME; FreshRSS $(sed -n "s/^const FRESHRSS_VERSION = '\(.*\)';/\1/p" "$DIR/constants.php"))"
