#!/usr/bin/env bash
# A local PostgreSQL 15 cluster in a folder of our own: the embedded default
# for development and the throwaway cluster of a test run.
#
#   tools/pg-cluster.sh start DATADIR PORT   create (once) and start; prints the conninfo
#   tools/pg-cluster.sh stop DATADIR         stop (fast shutdown)
#
# Listens on 127.0.0.1 only, no Unix socket, trust authentication for local
# TCP (development only). PostgreSQL refuses to run as root, so as root the
# cluster is owned by and run as the `postgres` user.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:-}; data=${2:-}
[ -n "$cmd" ] && [ -n "$data" ] || { echo "usage: $0 start DATADIR PORT | stop DATADIR" >&2; exit 2; }

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "$cmd" in
  start)
    port=${3:?usage: $0 start DATADIR PORT}
    mkdir -p "$data"
    data=$(cd "$data" && pwd)
    if [ "$(id -u)" -eq 0 ]; then
      chown postgres:postgres "$data"
      if ! runuser -u postgres -- test -x "$data"; then
        echo "pg-cluster: user postgres cannot reach $data; put the checkout where it can (e.g. chmod o+x on its parents)" >&2
        exit 1
      fi
    fi
    chmod 700 "$data"
    if [ ! -f "$data/PG_VERSION" ]; then
      as_owner "$bin/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 >/dev/null
      cat >> "$data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
fsync = on
log_destination = 'stderr'
logging_collector = off
CONF
    fi
    if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -o "-p $port" -l "$data/server.log" -w -t 60 start >/dev/null
    fi
    echo "host=127.0.0.1 port=$port user=postgres dbname=postgres"
    ;;
  stop)
    if [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
      as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
    ;;
  *) echo "usage: $0 start DATADIR PORT | stop DATADIR" >&2; exit 2 ;;
esac
