#!/usr/bin/env bash
# A highly available PostgreSQL 15 on this machine, as production runs it in
# miniature: three nodes under Patroni with synchronous replication, and one
# etcd as Patroni's configuration store. For the failover test and for trying
# failover by hand; production runs the nodes on three machines (see README).
#
#   tools/ha.sh start DIR BASEPORT   create (once) and start; waits for a leader and a synchronous
#                                    standby, then prints the services' multi-host conninfo
#   tools/ha.sh stop DIR             stop every node and etcd
#   tools/ha.sh status DIR           each node's role, state and timeline (patronictl list)
#   tools/ha.sh primary DIR          the name of the node that is primary now
#   tools/ha.sh kill-primary DIR     SIGKILL to the primary's postmaster; prints the node's name
#   tools/ha.sh wait-replica DIR NODE [SECONDS]
#                                    waits until NODE streams as a replica (the old primary rejoined)
#
# Ports: etcd BASEPORT (clients) and BASEPORT+1 (peers); node N (1..3)
# PostgreSQL BASEPORT+10+N, Patroni's REST API BASEPORT+20+N.
#
# Failover: `primary_start_timeout: 0` makes Patroni fail over to the
# synchronous standby as soon as the primary's PostgreSQL crashes, instead of
# first restarting it in place; synchronous_mode lets Patroni promote only a
# standby that has every committed transaction, so an acknowledged commit
# survives. The old primary comes back as a replica (pg_rewind when needed).
# Listens on 127.0.0.1 only, trust authentication: a test rig, not a
# production configuration. As root, everything runs as the postgres user.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
cmd=${1:-}; dir=${2:-}
usage() { sed -n '7,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[ -n "$cmd" ] && [ -n "$dir" ] || usage

as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Starts a command as the postgres user in the background, its output
# appended to LOG; PIDFILE gets the command's own pid (not runuser's), so
# that stop signals reach it.
background() {  # pidfile log command...
  local pidfile=$1 log=$2; shift 2
  as_postgres bash -c 'echo $$ >"$1"; shift; exec "$@"' _ "$pidfile" "$@" >>"$log" 2>&1 &
  for _ in $(seq 50); do [ -s "$pidfile" ] && return; sleep 0.1; done
}

patronictl() { as_postgres /usr/bin/patronictl -c "$dir/node1/patroni.yml" "$@"; }

# The node whose Patroni reports the given role ("Leader" or "Sync Standby").
member_with_role() {
  patronictl list -f json 2>/dev/null |
    python3 -c 'import json,sys; print(next((m["Member"] for m in json.load(sys.stdin) if m["Role"] == sys.argv[1]), ""))' "$1"
}

base_of() { cat "$dir/baseport"; }

write_config() {  # node number
  local n=$1 base; base=$(base_of)
  local node=$dir/node$n
  mkdir -p "$node"
  cat >"$node/patroni.yml" <<YAML
scope: hartslag
namespace: /hartslag/
name: node$n
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$((base + 20 + n))
  connect_address: 127.0.0.1:$((base + 20 + n))
etcd3:
  hosts: 127.0.0.1:$base
bootstrap:
  dcs:
    ttl: 20
    loop_wait: 1
    retry_timeout: 5
    primary_start_timeout: 0
    synchronous_mode: true
    postgresql:
      use_pg_rewind: true
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        wal_log_hints: "on"
        max_wal_senders: 10
        max_replication_slots: 10
        max_connections: 200
        fsync: "on"
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
  pg_hba:
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
postgresql:
  listen: 127.0.0.1:$((base + 10 + n))
  connect_address: 127.0.0.1:$((base + 10 + n))
  data_dir: $node/data
  bin_dir: $bin
  pgpass: $node/pgpass
  authentication:
    superuser:
      username: postgres
      password: postgres
    replication:
      username: replicator
      password: replicator
    rewind:
      username: postgres
      password: postgres
  parameters:
    unix_socket_directories: '$node'
YAML
}

start_etcd() {
  local base; base=$(base_of)
  if [ -f "$dir/etcd.pid" ] && kill -0 "$(cat "$dir/etcd.pid")" 2>/dev/null; then return; fi
  background "$dir/etcd.pid" "$dir/etcd.log" /usr/bin/etcd --name hartslag-ha --data-dir "$dir/etcd" \
    --listen-client-urls "http://127.0.0.1:$base" --advertise-client-urls "http://127.0.0.1:$base" \
    --listen-peer-urls "http://127.0.0.1:$((base + 1))" --initial-advertise-peer-urls "http://127.0.0.1:$((base + 1))" \
    --initial-cluster "hartslag-ha=http://127.0.0.1:$((base + 1))"
  for _ in $(seq 100); do
    if ETCDCTL_API=3 etcdctl --endpoints "127.0.0.1:$base" endpoint health >/dev/null 2>&1; then return; fi
    sleep 0.1
  done
  echo "ha.sh: etcd did not start; see $dir/etcd.log" >&2
  exit 1
}

start_node() {  # node number
  local n=$1
  if [ -f "$dir/node$n/patroni.pid" ] && kill -0 "$(cat "$dir/node$n/patroni.pid")" 2>/dev/null; then return; fi
  background "$dir/node$n/patroni.pid" "$dir/node$n/patroni.log" /usr/bin/patroni "$dir/node$n/patroni.yml"
}

wait_for() {  # seconds description command...
  local seconds=$1 what=$2; shift 2
  local give_up=$((SECONDS + seconds))
  until "$@"; do
    if ((SECONDS >= give_up)); then
      echo "ha.sh: $what not within $seconds s" >&2
      patronictl list >&2 || true
      exit 1
    fi
    sleep 0.5
  done
}

has_leader() { [ -n "$(member_with_role Leader)" ]; }
has_leader_and_sync() { has_leader && [ -n "$(member_with_role "Sync Standby")" ]; }

conninfo() {
  local base; base=$(base_of)
  echo "host=127.0.0.1,127.0.0.1,127.0.0.1 port=$((base + 11)),$((base + 12)),$((base + 13))" \
    "target_session_attrs=read-write connect_timeout=2 user=postgres dbname=postgres"
}

case "$cmd" in
  start)
    base=${3:?usage: $0 start DIR BASEPORT}
    for tool in /usr/bin/patroni /usr/bin/etcd "$bin/postgres"; do
      [ -x "$tool" ] || { echo "ha.sh: $tool is missing (tools/install-deps.sh installs patroni, etcd-server, postgresql-15)" >&2; exit 1; }
    done
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    echo "$base" >"$dir/baseport"
    if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$dir"; fi
    for n in 1 2 3; do write_config "$n"; done
    if [ "$(id -u)" -eq 0 ]; then chown -R postgres:postgres "$dir"; fi
    start_etcd
    # The first node bootstraps the cluster; the others copy it once it leads.
    start_node 1
    wait_for 60 "a leader" has_leader
    start_node 2
    start_node 3
    wait_for 90 "a synchronous standby" has_leader_and_sync
    conninfo
    ;;
  stop)
    for n in 3 2 1; do
      if [ -f "$dir/node$n/patroni.pid" ]; then kill -TERM "$(cat "$dir/node$n/patroni.pid")" 2>/dev/null || true; fi
    done
    for n in 3 2 1; do
      pid_file=$dir/node$n/patroni.pid
      [ -f "$pid_file" ] || continue
      for _ in $(seq 300); do kill -0 "$(cat "$pid_file")" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$(cat "$pid_file")" 2>/dev/null || true
      # A postmaster that outlived its Patroni (killed above) is stopped too.
      if [ -f "$dir/node$n/data/postmaster.pid" ]; then
        as_postgres "$bin/pg_ctl" -D "$dir/node$n/data" -m immediate stop >/dev/null 2>&1 || true
      fi
      rm -f "$pid_file"
    done
    if [ -f "$dir/etcd.pid" ]; then
      etcd_pid=$(cat "$dir/etcd.pid")
      kill -TERM "$etcd_pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$etcd_pid" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$etcd_pid" 2>/dev/null || true
      rm -f "$dir/etcd.pid"
    fi
    ;;
  status) patronictl list ;;
  primary) member_with_role Leader ;;
  kill-primary)
    leader=$(member_with_role Leader)
    [ -n "$leader" ] || { echo "ha.sh: no primary" >&2; exit 1; }
    kill -KILL "$(head -n 1 "$dir/$leader/data/postmaster.pid")"
    echo "$leader"
    ;;
  wait-replica)
    node=${3:?usage: $0 wait-replica DIR NODE [SECONDS]}
    streaming() {
      patronictl list -f json 2>/dev/null | python3 -c '
import json, sys
# A replica that runs and reports a lag in MB (a number: it receives WAL) follows the primary.
ok = any(m["Member"] == sys.argv[1] and m["Role"] in ("Replica", "Sync Standby")
         and m["State"] in ("streaming", "running") and isinstance(m.get("Lag in MB"), (int, float))
         for m in json.load(sys.stdin))
sys.exit(0 if ok else 1)' "$node"
    }
    wait_for "${4:-60}" "$node streaming as a replica" streaming
    ;;
  *) usage ;;
esac
