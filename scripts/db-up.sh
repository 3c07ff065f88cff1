#!/usr/bin/env bash
# Starts the database servers the connector tests use, on loopback only, with throw-away data dirs:
#   PostgreSQL 15  127.0.0.1:55432  user postgres (trust), database kctest   (JDBC tests)
#   PostgreSQL 15  127.0.0.1:55433  user postgres (trust), database kctest   (CDC tests: a second cluster in
#                  $root/pg-cdc with wal_level=logical, 20 replication slots and 20 WAL senders)
#   MariaDB        127.0.0.1:53306  user kc / password kc, database kctest
# Installs the Debian packages when missing. Idempotent: a server that already answers is left alone.
set -euo pipefail
root=${KC_DB_DIR:-/tmp/kconnect-db}
# Servers are started under their own system users, which needs root.
if [ "$(id -u)" -ne 0 ]; then exec sudo -E "$0" "$@"; fi

need=()
[ -x /usr/lib/postgresql/15/bin/postgres ] || need+=(postgresql)
command -v mariadbd >/dev/null 2>&1 || need+=(mariadb-server)
command -v sqlite3 >/dev/null 2>&1 || need+=(sqlite3)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing database servers: ${need[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
mkdir -p "$root"

# PostgreSQL refuses to run as root, so it runs as the postgres user the package created.
pgbin=/usr/lib/postgresql/15/bin
start_pg() { # data dir, port, extra server options
  local data=$1 port=$2 extra=$3
  if $pgbin/pg_isready -h 127.0.0.1 -p "$port" -q 2>/dev/null; then return; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    chown postgres:postgres "$data"
    su postgres -s /bin/sh -c "$pgbin/initdb -D '$data' -A trust -U postgres >/dev/null"
  fi
  su postgres -s /bin/sh -c "$pgbin/pg_ctl -D '$data' -l '$data/server.log' -w -o \"-p $port -c listen_addresses=127.0.0.1 -k '$data' -c fsync=off $extra\" start >/dev/null"
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='kctest'" | grep -q 1 \
    || psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE kctest"
}
start_pg "$root/pg" 55432 ""
echo "postgresql ready on 127.0.0.1:55432"

# A cluster of its own for change data capture: logical decoding needs wal_level=logical, a server-wide setting that
# takes a restart, and its tests create and drop replication slots and publications the JDBC tests must not see.
start_pg "$root/pg-cdc" 55433 "-c wal_level=logical -c max_replication_slots=20 -c max_wal_senders=20"
echo "postgresql (logical replication) ready on 127.0.0.1:55433"

mdata=$root/maria
if ! mariadb-admin --protocol=tcp -h 127.0.0.1 -P 53306 -ukc -pkc ping >/dev/null 2>&1; then
  if [ ! -d "$mdata/mysql" ]; then
    mkdir -p "$mdata"
    chown mysql:mysql "$mdata" 2>/dev/null || true
    mariadb-install-db --user=mysql --datadir="$mdata" --auth-root-authentication-method=normal >/dev/null
  fi
  (mariadbd --user=mysql --datadir="$mdata" --port=53306 --bind-address=127.0.0.1 \
      --socket="$mdata/maria.sock" --pid-file="$mdata/maria.pid" --skip-log-bin \
      --innodb-flush-log-at-trx-commit=2 >"$root/maria.log" 2>&1 &)
  for _ in $(seq 1 60); do
    mariadb-admin --socket="$mdata/maria.sock" -uroot ping >/dev/null 2>&1 && break
    sleep 0.5
  done
  mariadb --socket="$mdata/maria.sock" -uroot -e "CREATE DATABASE IF NOT EXISTS kctest;
    CREATE USER IF NOT EXISTS 'kc'@'%' IDENTIFIED BY 'kc'; GRANT ALL ON *.* TO 'kc'@'%';
    CREATE USER IF NOT EXISTS 'kc'@'localhost' IDENTIFIED BY 'kc'; GRANT ALL ON *.* TO 'kc'@'localhost'; FLUSH PRIVILEGES;"
fi
echo "mariadb ready on 127.0.0.1:53306"
