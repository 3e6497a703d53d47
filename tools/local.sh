#!/usr/bin/env bash
# Hartslag on its embedded default: a local PostgreSQL cluster in .local/ of
# the checkout, development certificates and token keys, and the services in
# the background with their logs in .local/logs.
#
#   tools/local.sh up      install, build, start everything, show Hartslag at work
#   tools/local.sh down    stop the services and the cluster
#   tools/local.sh status  what is running
#
# Running `up` twice is safe: what runs keeps running, what exists is kept.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$root/.local
build=${HARTSLAG_BUILD_DIR:-$root/build}
pg_port=${HARTSLAG_PG_PORT:-55432}
intake_port=${HARTSLAG_INTAKE_PORT:-7402}
admin_db="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
services=(intake)

pid_alive() { [ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null; }

start_service() {  # name port db_role
  local name=$1 port=$2 role=$3
  local pidfile=$state/run/$name.pid ready=$state/run/$name.ready
  if pid_alive "$pidfile"; then
    echo "hartslag-$name already runs (pid $(cat "$pidfile"))"
    return
  fi
  rm -f "$ready"
  nohup "$build/services/$name/hartslag-$name" \
    --listen "127.0.0.1:$port" --ready-file "$ready" \
    --db "host=127.0.0.1 port=$pg_port user=$role dbname=hartslag" \
    --tls-cert "$state/certs/server.pem" --tls-key "$state/certs/server.key" \
    --jwt-public-keys "$state/certs/jwt.pub" \
    >>"$state/logs/$name.log" 2>&1 &
  echo $! > "$pidfile"
  for _ in $(seq 1 150); do
    [ -s "$ready" ] && { echo "hartslag-$name serves on 127.0.0.1:$port (log: .local/logs/$name.log)"; return; }
    pid_alive "$pidfile" || break
    sleep 0.2
  done
  echo "hartslag-$name did not start; last log lines:" >&2
  tail -n 20 "$state/logs/$name.log" >&2
  exit 1
}

stop_service() {
  local pidfile=$state/run/$1.pid
  if pid_alive "$pidfile"; then
    kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 1 100); do pid_alive "$pidfile" || break; sleep 0.2; done
    echo "hartslag-$1 stopped"
  fi
  rm -f "$pidfile"
}

demo() {
  local cli=$build/clients/cli/hartslag
  export HARTSLAG_CA=$state/certs/ca.pem HARTSLAG_INTAKE_ADDR=localhost:$intake_port
  token() { "$cli" dev token --key "$state/certs/jwt.key" "$@"; }
  local coach boa coordinator
  coach=$(token --sub sanne.coach --org straatcoaches-heerlen --org-kind MUNICIPALITY --roles REPORTER --areas heerlen-noord)
  boa=$(token --sub bram.boa --org handhaving-heerlen --org-kind ENFORCEMENT --roles REPORTER --areas heerlen-noord)
  coordinator=$(token --sub carla.coordinator --org gemeente-heerlen --org-kind MUNICIPALITY --roles COORDINATOR --areas heerlen-noord)
  echo "$coordinator" > "$state/coordinator.token"

  echo
  echo "== A street coach submits signals (fixed request ids: a second run shows they are stored once)"
  "$cli" signal submit --token "$coach" --request-id 6f1c1f0e-0000-4000-8000-000000000001 \
    --area vrieheide --category afval-dumping --street Vrieheidelaan --house-number 12 \
    --postcode "6416 AB" --description "Matrassen en huisraad naast de ondergrondse container." \
    --source street_coach
  "$cli" signal submit --token "$coach" --request-id 6f1c1f0e-0000-4000-8000-000000000002 \
    --area kasteelbuurt --category jongerenoverlast --street Kasteelweg --house-number 3 \
    --postcode "6417 BC" --description "Groep jongeren bij het speelveld, vuurwerk en intimidatie van voorbijgangers." \
    --source street_coach --urgency high
  echo "== A BOA submits a signal"
  "$cli" signal submit --token "$boa" --request-id 6f1c1f0e-0000-4000-8000-000000000003 \
    --area gms --category vervuilde-woning --street Schandelerstraat --house-number 41 --addition A \
    --postcode "6415 EG" --description "Sterke stankoverlast uit woning, bewoner oogt verward bij de deur." \
    --source boa --persons "onbekende bewoner||bewoner"
  echo
  echo "== The coordinator lists the signals of Heerlen-Noord"
  "$cli" signal list --token "$coordinator"
  echo
  echo "Try it yourself:"
  echo "  export HARTSLAG_CA=$HARTSLAG_CA HARTSLAG_INTAKE_ADDR=$HARTSLAG_INTAKE_ADDR"
  echo "  export HARTSLAG_TOKEN_FILE=$state/coordinator.token"
  echo "  $cli signal list        # or: signal get SV-..., categories, --help"
  echo "Stop everything with: tools/local.sh down"
}

case "${1:-}" in
  up)
    bash "$root/tools/install-deps.sh"
    cmake -S "$root" -B "$build" -G Ninja >/dev/null
    cmake --build "$build"
    mkdir -p "$state/logs" "$state/run"
    "$root/tools/pg-cluster.sh" start "$state/pg" "$pg_port" >/dev/null
    echo "PostgreSQL runs on 127.0.0.1:$pg_port (data: .local/pg)"
    # One database; each service its own role and schema.
    psql "$admin_db" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'hartslag'" | grep -q 1 ||
      psql "$admin_db" -qc "CREATE DATABASE hartslag"
    for service in "${services[@]}"; do
      psql "$admin_db" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'hartslag_$service'" | grep -q 1 ||
        psql "$admin_db" -qc "CREATE ROLE hartslag_$service LOGIN"
      psql "$admin_db" -qc "GRANT CREATE, CONNECT ON DATABASE hartslag TO hartslag_$service"
    done
    for what in ca server signing-key; do "$build/clients/cli/hartslag" pki "$what" --dir "$state/certs"; done
    start_service intake "$intake_port" hartslag_intake
    demo
    ;;
  down)
    for service in "${services[@]}"; do stop_service "$service"; done
    "$root/tools/pg-cluster.sh" stop "$state/pg"
    echo "PostgreSQL stopped"
    ;;
  status)
    for service in "${services[@]}"; do
      if pid_alive "$state/run/$service.pid"; then echo "hartslag-$service: running"; else echo "hartslag-$service: stopped"; fi
    done
    if pg_isready -q -h 127.0.0.1 -p "$pg_port"; then echo "postgresql: running"; else echo "postgresql: stopped"; fi
    ;;
  *)
    echo "usage: tools/local.sh up|down|status" >&2
    exit 2
    ;;
esac
