#!/usr/bin/env bash
# What one test run shares (a ctest fixture): a throwaway PostgreSQL cluster
# and a set of development certificates and token keys.
#
#   tests/fixture.sh start STATE_DIR HARTSLAG_CLI
#                                      start a cluster on a free port, writing
#                                      STATE_DIR/conninfo; make STATE_DIR/certs
#                                      (and a foreign CA in STATE_DIR/foreign)
#   tests/fixture.sh stop STATE_DIR    stop the cluster and delete its data
#
# The data lives in a fresh folder under /tmp, reachable by the postgres user
# even when the checkout is not.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?}; state=${2:?}
mkdir -p "$state"

case "$cmd" in
  start)
    "$0" stop "$state"
    data=$(mktemp -d /tmp/hartslag-pgtest.XXXXXX)
    chmod 755 "$data"
    echo "$data" > "$state/datadir"
    for _ in $(seq 1 50); do
      port=$((20000 + RANDOM % 30000))
      if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    done
    "$here/../tools/pg-cluster.sh" start "$data/pg" "$port" > "$state/conninfo"
    echo "test cluster: $(cat "$state/conninfo")"
    cli=${3:?the hartslag CLI binary}
    uri=spiffe://hartslag/heerlen/client/politie-bvh
    for dir in "$state/certs" "$state/foreign"; do
      "$cli" pki ca --dir "$dir"
      "$cli" pki server --dir "$dir"
      "$cli" pki client --dir "$dir" --name politie-bvh --uri "$uri"
    done
    "$cli" pki client --dir "$state/certs" --name unregistered --uri spiffe://hartslag/heerlen/client/unregistered
    for service in intake directory cases audit web; do
      "$cli" pki client --dir "$state/certs" --name "$service" --uri "spiffe://hartslag/service/$service"
    done
    "$cli" pki signing-key --dir "$state/certs"
    "$cli" pki signing-key --dir "$state/certs" --name audit-tree
    "$cli" pki pseudonym-key --dir "$state/certs"
    ;;
  stop)
    if [ -f "$state/datadir" ]; then
      data=$(cat "$state/datadir")
      "$here/../tools/pg-cluster.sh" stop "$data/pg" || true
      rm -rf "$data" "$state/datadir" "$state/conninfo"
    fi
    ;;
esac
