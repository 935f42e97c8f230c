#!/bin/bash
# Start a real Tiny Tiny RSS server on 127.0.0.1 for the sync tests (tests/library/test_sync_*.py).
#
# Debian bookworm's packages only: tt-rss 21~git20210204, PHP 8.2 (its built-in server),
# PostgreSQL 15. Installs them with apt when they are missing (needs root), creates the
# database and one API user, and starts `php -S`. Idempotent: a second run reuses what is
# installed and running (a few seconds). Stop it with tests/servers/ttrss-down.sh.
#
#   tests/servers/ttrss-up.sh [--reset]      --reset: drop the database first (empty account)
#
# On success it prints shell assignments for the tests (also written to $STATE/env):
#   READER_TTRSS_URL=http://127.0.0.1:8280/  READER_TTRSS_USER=...  READER_TTRSS_PASSWORD=...
# Env: TTRSS_PORT (8280) TTRSS_USER (sync) TTRSS_PASS (syncpass) TTRSS_STATE (/tmp/reader-ttrss)
# Exit status: 0 up, 1 could not start (the reason on stderr, one line per step).
set -euo pipefail
PORT=${TTRSS_PORT:-8280}
USER_NAME=${TTRSS_USER:-sync}
USER_PASS=${TTRSS_PASS:-syncpass}
STATE=${TTRSS_STATE:-/tmp/reader-ttrss}
DB=ttrss DBUSER=ttrss DBPASS=ttrss_db_pw
WWW=/usr/share/tt-rss/www
RESET=0; [ "${1:-}" = "--reset" ] && RESET=1
mkdir -p "$STATE"
rm -f "$STATE/env"
log() { echo "[ttrss-up $(date +%T)] $*" >&2; }
die() { log "$*"; exit 1; }
alive() { [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

# 1. Packages (tt-rss without dbconfig-common: the database is set up below)
if ! dpkg-query -W -f='${Status}' tt-rss 2>/dev/null | grep -q "ok installed"; then
  command -v apt-get >/dev/null || die "tt-rss is not installed and there is no apt-get"
  [ "$(id -u)" = 0 ] || die "tt-rss is not installed; run this as root to install it"
  log "installing tt-rss, PHP and PostgreSQL (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  echo "man-db man-db/auto-update boolean false" | debconf-set-selections
  printf '%s\n' "tt-rss tt-rss/reconfigure-webserver multiselect " \
    "tt-rss tt-rss/self_url_path string http://127.0.0.1:$PORT/" | debconf-set-selections
  apt-get update -qq -o DPkg::Lock::Timeout=300 >"$STATE/apt.log" 2>&1 \
    || { tail -5 "$STATE/apt.log" >&2; die "apt-get update failed"; }
  apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=300 \
    -o Dpkg::Options::=--force-unsafe-io \
    tt-rss dbconfig-no-thanks php-pgsql php-curl postgresql curl >>"$STATE/apt.log" 2>&1 \
    || { tail -5 "$STATE/apt.log" >&2; die "apt-get install failed (log: $STATE/apt.log)"; }
fi
[ "$(id -u)" = 0 ] || die "run this as root (it starts PostgreSQL and PHP as their own users)"

# 2. PostgreSQL (Debian's cluster; ttrss-down.sh stops it only if this script started it)
command -v pg_lsclusters >/dev/null || die "PostgreSQL's cluster tools are missing"
read -r PGVER PGCLUSTER PGPORT PGSTATUS < <(pg_lsclusters -h | head -1 | awk '{print $1,$2,$3,$4}')
[ -n "${PGVER:-}" ] || die "no PostgreSQL cluster (pg_lsclusters lists none)"
if [ "$PGSTATUS" != "online" ]; then
  log "starting PostgreSQL $PGVER/$PGCLUSTER"
  pg_ctlcluster "$PGVER" "$PGCLUSTER" start || die "PostgreSQL did not start"
  echo "$PGVER $PGCLUSTER" > "$STATE/pg_started_by_us"
fi
psql_su() { runuser -u postgres -- psql -p "$PGPORT" -v ON_ERROR_STOP=1 -qAt "$@"; }
stop_pid() {  # stop a process group started by this script and wait for it
  if alive "$1"; then
    kill -- -"$(cat "$1")" 2>/dev/null || kill "$(cat "$1")" 2>/dev/null || true
    for _ in $(seq 1 40); do alive "$1" || break; sleep 0.25; done
  fi
  rm -f "$1"
}
if [ $RESET = 1 ]; then
  log "resetting the database"
  stop_pid "$STATE/php.pid"
  psql_su -c "DROP DATABASE IF EXISTS $DB"
fi
psql_su -c "SELECT 1 FROM pg_roles WHERE rolname='$DBUSER'" | grep -q 1 ||
  psql_su -c "CREATE ROLE $DBUSER LOGIN PASSWORD '$DBPASS'"
psql_su -c "SELECT 1 FROM pg_database WHERE datname='$DB'" | grep -q 1 ||
  psql_su -c "CREATE DATABASE $DB OWNER $DBUSER ENCODING 'UTF8' TEMPLATE template0"
if ! psql_su -d $DB -c "SELECT 1 FROM pg_tables WHERE tablename='ttrss_version'" | grep -q 1; then
  log "loading the schema"
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD=$DBPASS psql -h 127.0.0.1 -p "$PGPORT" \
    -U $DBUSER -d $DB -v ON_ERROR_STOP=1 -q \
    -f /usr/share/tt-rss/schema/ttrss_schema_pgsql.sql >/dev/null
fi

# 3. Configuration: what dbconfig-common would have written, and SELF_URL_PATH
cat > /etc/tt-rss/database.php <<EOF
<?php
\$dbuser='$DBUSER'; \$dbpass='$DBPASS'; \$basepath=''; \$dbname='$DB';
\$dbserver='127.0.0.1'; \$dbport='$PGPORT'; \$dbtype='pgsql';
EOF
chown root:www-data /etc/tt-rss/database.php; chmod 0640 /etc/tt-rss/database.php
sed -i "s|define('SELF_URL_PATH', '[^']*');|define('SELF_URL_PATH', 'http://127.0.0.1:$PORT/');|" \
  /etc/tt-rss/config.php

# 4. Patch: this tt-rss refuses feeds on localhost/127.*/::1 and on ports other than 80/443
#    (UrlHelper::validate's "extended filtering", no config switch), and its build_url()
#    drops the port. The tests serve their feeds from 127.0.0.1:<random port>, so let it
#    fetch loopback feeds. (The same patch as ../shared/servers/ttrss-up.sh.)
U=$WWW/classes/urlhelper.php
sed -i -e 's/if (\$extended_filtering) {/if (false \&\& $extended_filtering) {/' \
       -e 's/strpos(\(\$[a-z_]*\), "127\.") === 0/false/g' "$U"
grep -q 'isset($parts\["port"\])' "$U" ||
  sed -i 's|\$tmp = \$parts\[.scheme.\] \. "://" \. \$parts\[.host.\];|&\n\t\tif (isset($parts["port"])) $tmp .= ":" . $parts["port"];|' "$U"
php -l "$U" >/dev/null || die "the loopback patch broke $U"

# 5. The API user (API access on, one category "News"). auth_internal accepts a "SHA1:"
#    hash (and upgrades it on first login).
H=$(printf %s "$USER_PASS" | sha1sum | cut -d' ' -f1)
psql_su -d $DB >/dev/null <<EOF
INSERT INTO ttrss_users (login, pwd_hash, access_level, created)
  VALUES ('$USER_NAME', 'SHA1:$H', 0, NOW())
  ON CONFLICT (login) DO UPDATE SET pwd_hash = EXCLUDED.pwd_hash, salt = '';
DELETE FROM ttrss_user_prefs WHERE pref_name = 'ENABLE_API_ACCESS'
  AND owner_uid = (SELECT id FROM ttrss_users WHERE login = '$USER_NAME');
INSERT INTO ttrss_user_prefs (owner_uid, pref_name, profile, value)
  SELECT id, 'ENABLE_API_ACCESS', NULL, 'true' FROM ttrss_users WHERE login = '$USER_NAME';
-- One category for the tests: the API (level 15) cannot create one.
INSERT INTO ttrss_feed_categories (owner_uid, title)
  SELECT id, 'News' FROM ttrss_users u WHERE login = '$USER_NAME' AND NOT EXISTS
    (SELECT 1 FROM ttrss_feed_categories c WHERE c.owner_uid = u.id AND c.title = 'News');
EOF

# 6. The web app: PHP's built-in server as www-data (tt-rss refuses to run as root)
if ! alive "$STATE/php.pid"; then
  log "starting php -S 127.0.0.1:$PORT"
  PHP_CLI_SERVER_WORKERS=4 setsid runuser -u www-data -- php -S "127.0.0.1:$PORT" -t $WWW \
    >"$STATE/php.log" 2>&1 < /dev/null & echo $! > "$STATE/php.pid"
fi

# 7. Wait until the API answers a real login
API=http://127.0.0.1:$PORT/api/
for i in $(seq 1 60); do
  curl -sf "$API" -d "{\"op\":\"login\",\"user\":\"$USER_NAME\",\"password\":\"$USER_PASS\"}" \
    2>/dev/null | grep -q '"session_id"' && break
  [ "$i" = 60 ] && { tail -5 "$STATE/php.log" >&2; die "the API did not answer a login in 30 s"; }
  sleep 0.5
done
{
  echo "READER_TTRSS_URL=http://127.0.0.1:$PORT/"
  echo "READER_TTRSS_USER=$USER_NAME"
  echo "READER_TTRSS_PASSWORD=$USER_PASS"
} | tee "$STATE/env"
log "up: http://127.0.0.1:$PORT/ (user $USER_NAME)"
