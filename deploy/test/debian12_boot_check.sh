#!/usr/bin/env bash
# The Debian package on a clean Debian 12 that boots systemd: install with apt
# (Depends resolved from Debian's archive), configure as the README says,
# start every unit, use the services, kill one, upgrade, remove and purge.
#   sudo deploy/test/debian12_boot_check.sh build/hartslag_<version>_<arch>.deb [ROOT]
# Makes the root with debootstrap (ROOT: reuse a copy of one made before) and
# boots it with systemd-nspawn; needs root, debootstrap, systemd-container and
# network access to deb.debian.org. Not part of ctest: it downloads Debian
# packages and takes minutes. Exits 0 only when every check passed.
set -euo pipefail

deb=$(readlink -f "$1")
template=${2:-}
work=$(mktemp -d /var/tmp/hartslag-boot.XXXXXX)
root=$work/root
init_pid=""
cleanup() {
  if [ -n "$init_pid" ] && kill -0 "$init_pid" 2>/dev/null; then
    nsenter -t "$init_pid" -a systemctl poweroff >/dev/null 2>&1 || true
    for _ in $(seq 1 30); do kill -0 "$init_pid" 2>/dev/null || break; sleep 1; done
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$template" ]; then
  cp -a "$template" "$root"
else
  debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$root" \
    http://deb.debian.org/debian >"$work/debootstrap.log"
fi
cp "$deb" "$root/root/hartslag.deb"

# The scenario, run inside the booted container.
cat >"$root/root/scenario.sh" <<'SCENARIO'
#!/bin/bash
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
failures=0
check() {  # description command...
  local what=$1
  shift
  if "$@"; then echo "ok   $what"; else echo "FAIL $what"; failures=$((failures + 1)); fi
}
services=(audit directory intake cases web)

echo "== apt install of the package (Depends from Debian 12)"
apt-get -q update >/dev/null
apt-get install -y -q --no-install-recommends /root/hartslag.deb >/root/install.log 2>&1 ||
  { cat /root/install.log; exit 1; }
check "user hartslag is a system user with home /var/lib/hartslag" \
  bash -c '[ "$(getent passwd hartslag | cut -d: -f6)" = /var/lib/hartslag ] && [ "$(id -u hartslag)" -lt 1000 ]'
check "/etc/hartslag root:hartslag 0750" bash -c '[ "$(stat -c "%U:%G %a" /etc/hartslag)" = "root:hartslag 750" ]'
check "/etc/hartslag/keys root:hartslag 0750" bash -c '[ "$(stat -c "%U:%G %a" /etc/hartslag/keys)" = "root:hartslag 750" ]'
check "/var/lib/hartslag hartslag:hartslag" bash -c '[ "$(stat -c "%U:%G" /var/lib/hartslag)" = "hartslag:hartslag" ]'
for s in "${services[@]}"; do
  check "/etc/hartslag/$s.env root:hartslag 0640" bash -c "[ \"\$(stat -c '%U:%G %a' /etc/hartslag/$s.env)\" = 'root:hartslag 640' ]"
  check "hartslag-$s.service installed, not enabled, not running" \
    bash -c "[ \"\$(systemctl is-enabled hartslag-$s.service || true)\" = disabled ] && ! systemctl is-active -q hartslag-$s.service"
done

echo "== PostgreSQL 15, keys, configuration"
apt-get install -y -q --no-install-recommends postgresql-15 openssl curl ca-certificates >/root/pg.log 2>&1 ||
  { cat /root/pg.log; exit 1; }
systemctl start postgresql@15-main
runuser -u postgres -- psql -qc "CREATE DATABASE hartslag"
for s in audit directory intake cases; do
  pw=$(openssl rand -hex 16)
  runuser -u postgres -- psql -qc "CREATE ROLE hartslag_$s LOGIN PASSWORD '$pw'"
  runuser -u postgres -- psql -qc "GRANT CREATE, CONNECT ON DATABASE hartslag TO hartslag_$s"
  S=${s^^}
  sed -i "s|^HARTSLAG_${S}_DB=.*|HARTSLAG_${S}_DB=\"host=localhost,127.0.0.1 port=5432,5432 dbname=hartslag user=hartslag_$s password=$pw target_session_attrs=read-write connect_timeout=5\"|" \
    "/etc/hartslag/$s.env"
done
cd /etc/hartslag/keys
hartslag pki ca --dir . >/dev/null
hartslag pki server --dir . --dns localhost >/dev/null
hartslag pki signing-key --dir . >/dev/null
hartslag pki signing-key --dir . --name audit-tree >/dev/null
hartslag pki pseudonym-key --dir . >/dev/null
for s in "${services[@]}"; do
  hartslag pki client --dir . --name "$s" --uri "spiffe://hartslag/service/$s" >/dev/null
done
openssl rand -hex 32 >web-session.key
cp server.pem web-https.pem
cp server.key web-https.key
chgrp hartslag ./*
chmod 0640 ./*
cd /

echo "== the first tenant, then the services"
install -o hartslag -g hartslag -m 0600 /dev/null /var/lib/hartslag/admin.password
openssl rand -hex 12 >/var/lib/hartslag/admin.password
runuser -u hartslag -- sh -c 'set -a; . /etc/hartslag/directory.env; exec hartslag-directory bootstrap \
  --tenant heerlen --tenant-name "Gemeente Heerlen" --organisation gemeente-heerlen \
  --organisation-name "Gemeente Heerlen" --admin admin --admin-password-file /var/lib/hartslag/admin.password' \
  2>/root/bootstrap.log || { cat /root/bootstrap.log; exit 1; }
systemctl enable --now hartslag-audit hartslag-directory
export HARTSLAG_CA=/etc/hartslag/keys/ca.pem
wait_serving() {  # address
  for _ in $(seq 1 60); do
    hartslag health --server "$1" >/dev/null 2>&1 && return 0
    sleep 1
  done
  return 1
}
check "hartslag-directory serves" wait_serving localhost:7401
check "hartslag-audit serves" wait_serving localhost:7404
hartslag login --user admin --password-file /var/lib/hartslag/admin.password --save /root/admin.token 2>/dev/null
check "admin logs in at the directory" test -s /root/admin.token
admin=(--token-file /root/admin.token)
hartslag admin area create "${admin[@]}" --id centrum --name Centrum >/dev/null
openssl rand -hex 12 >/root/user.password
hartslag admin user create "${admin[@]}" --password-file /root/user.password --id sanne.coach \
  --org gemeente-heerlen --name "Sanne" --roles REPORTER --areas centrum >/dev/null
systemctl enable --now hartslag-intake hartslag-cases hartslag-web
check "hartslag-intake serves" wait_serving localhost:7402
check "hartslag-cases serves" wait_serving localhost:7403
for s in audit directory intake cases; do
  check "hartslag-migrate@$s ran and succeeded" \
    bash -c "[ \"\$(systemctl show -p Result --value hartslag-migrate@$s)\" = success ] && journalctl -q -u hartslag-migrate@$s | grep -q 'migrations applied'"
done
check "hartslag-web serves the front end over HTTPS" \
  bash -c 'for i in $(seq 1 30); do curl -fsS --cacert /etc/hartslag/keys/ca.pem https://localhost:7400/ 2>/dev/null | grep -q "<title>Hartslag" && exit 0; sleep 1; done; exit 1'
check "hartslag-intake metrics on 127.0.0.1:9402" \
  bash -c 'curl -fsS http://127.0.0.1:9402/metrics | grep -q "^hartslag_"'

hartslag login --user sanne.coach --password-file /root/user.password --save /root/sanne.token 2>/dev/null
check "a reporter submits a signal" hartslag signal submit --token-file /root/sanne.token --area centrum \
  --category afval-dumping --street Markt --house-number 1 --postcode "6411 AA" \
  --description "Proef na installatie" --source street_coach
check "the signal is listed" bash -c 'hartslag signal list --token-file /root/sanne.token -o csv 2>/dev/null | grep -q "Markt"'
for s in audit directory intake cases web; do
  check "hartslag-$s is active" systemctl is-active -q "hartslag-$s"
done

# Audit records travel over mutual TLS from each service's outbox to
# hartslag-audit (and triage outcomes from cases to intake): nothing waits.
outboxes_empty() {
  local port pending
  for port in 9401 9402 9403; do
    pending=$(curl -fsS "http://127.0.0.1:$port/metrics" | grep '^hartslag_outbox_pending') || return 1
    grep -qv ' 0$' <<<"$pending" && return 1
  done
  return 0
}
check "every outbox delivered (audit records reached hartslag-audit)" \
  bash -c "$(declare -f outboxes_empty); for i in \$(seq 1 30); do outboxes_empty && exit 0; sleep 1; done; exit 1"
check "no service logged an error" \
  bash -c '! journalctl -q -u "hartslag-*" | grep "\"level\":\"error\""'

echo "== sandbox and restart"
pid=$(systemctl show -p MainPID --value hartslag-intake)
check "runs as hartslag" bash -c "[ \"\$(stat -c %U /proc/$pid)\" = hartslag ]"
check "no capabilities, no new privileges, seccomp" \
  bash -c "grep -q '^CapEff:.*0000000000000000' /proc/$pid/status && grep -q '^NoNewPrivs:.*1' /proc/$pid/status && grep -q '^Seccomp:.*2' /proc/$pid/status"
check "the file system is read-only to it" bash -c "! nsenter -t $pid -m touch /var/lib/hartslag/probe 2>/dev/null && touch /var/lib/hartslag/probe"
kill -9 "$pid"
check "killed, it is started again (Restart=on-failure)" bash -c \
  "for i in \$(seq 1 30); do n=\$(systemctl show -p MainPID --value hartslag-intake); [ \"\$n\" != 0 ] && [ \"\$n\" != $pid ] && systemctl is-active -q hartslag-intake && exit 0; sleep 1; done; exit 1"
check "and serves again" wait_serving localhost:7402
systemctl stop hartslag-cases
check "stopped with SIGTERM: drained, exit 0" bash -c \
  "[ \"\$(systemctl show -p Result --value hartslag-cases)\" = success ] && journalctl -q -u hartslag-cases | grep -q 'draining calls'"

echo "== upgrade (the same package again)"
systemctl start hartslag-cases
before=$(systemctl show -p MainPID --value hartslag-intake)
sums=$(md5sum /etc/hartslag/*.env)
dpkg -i /root/hartslag.deb >/root/upgrade.log 2>&1 || { cat /root/upgrade.log; exit 1; }
check "running services restarted onto the new binaries" bash -c \
  "[ \"\$(systemctl show -p MainPID --value hartslag-intake)\" != $before ] && systemctl is-active -q hartslag-intake"
check "the edited env files kept" bash -c "[ \"\$(md5sum /etc/hartslag/*.env)\" = '$sums' ]"
check "and it serves" wait_serving localhost:7402

echo "== remove, then purge"
apt-get remove -y -q hartslag >/root/remove.log 2>&1 || { cat /root/remove.log; exit 1; }
for s in "${services[@]}"; do
  check "hartslag-$s stopped on remove" bash -c "! systemctl is-active -q hartslag-$s"
done
check "remove leaves /etc/hartslag/*.env, the keys and /var/lib/hartslag" \
  bash -c 'ls /etc/hartslag/intake.env /etc/hartslag/keys/pseudonym.key /var/lib/hartslag >/dev/null'
check "remove leaves no enabled unit behind" bash -c '! ls /etc/systemd/system/multi-user.target.wants/ | grep -q hartslag'
dpkg --purge hartslag >/root/purge.log 2>&1 || { cat /root/purge.log; exit 1; }
check "purge removes the env files" bash -c '! ls /etc/hartslag/*.env 2>/dev/null | grep -q .'
check "purge keeps the keys" test -f /etc/hartslag/keys/pseudonym.key

echo "failures: $failures"
exit $((failures > 0))
SCENARIO
chmod +x "$root/root/scenario.sh"

# Boot it; find its systemd (pid 1 inside) to enter with nsenter.
systemd-nspawn -b -q --register=no --keep-unit --console=passive -D "$root" -M hartslag-check \
  >"$work/boot.log" 2>&1 &
nspawn_pid=$!
for _ in $(seq 1 90); do
  init_pid=$(pgrep -P "$nspawn_pid" -x systemd || true)
  if [ -n "$init_pid" ]; then
    state=$(nsenter -t "$init_pid" -a systemctl is-system-running 2>/dev/null || true)
    [ "$state" = running ] || [ "$state" = degraded ] && break
  fi
  sleep 1
done
[ -n "$init_pid" ] || { cat "$work/boot.log"; echo "the container did not boot" >&2; exit 1; }
nsenter -t "$init_pid" -a /root/scenario.sh
