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
directory_port=${HARTSLAG_DIRECTORY_PORT:-7401}
intake_port=${HARTSLAG_INTAKE_PORT:-7402}
cases_port=${HARTSLAG_CASES_PORT:-7403}
audit_port=${HARTSLAG_AUDIT_PORT:-7404}
web_port=${HARTSLAG_WEB_PORT:-7400}
admin_db="host=127.0.0.1 port=$pg_port user=postgres dbname=postgres"
services=(audit directory intake cases)
processes=("${services[@]}" web)
cli=$build/clients/cli/hartslag

. "$root/tools/lib/process.sh"

# Starts hartslag-<name> in the background and waits until it serves.
launch() {  # name port [flags...]
  local name=$1 port=$2
  shift 2
  local pidfile=$state/run/$name.pid ready=$state/run/$name.ready
  if pid_alive "$pidfile"; then
    echo "hartslag-$name already runs (pid $(cat "$pidfile"))"
    return
  fi
  rm -f "$ready"
  nohup "$build/services/$name/hartslag-$name" --listen "127.0.0.1:$port" --ready-file "$ready" "$@" \
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

start_service() {  # name port db_role [extra flags...]
  local name=$1 port=$2 role=$3
  shift 3
  launch "$name" "$port" --metrics-address "127.0.0.1:$((port + 100))" \
    --db "host=127.0.0.1 port=$pg_port user=$role dbname=hartslag" \
    --tls-cert "$state/certs/server.pem" --tls-key "$state/certs/server.key" \
    --tls-client-ca "$state/certs/ca.pem" --jwt-public-keys "$state/certs/jwt.pub" \
    --pseudonym-key "$state/certs/pseudonym.key" "$@"
}

# The browser's door: HTTPS, session cookies sealed with a key of its own.
start_web() {
  [ -s "$state/certs/web-session.key" ] || (umask 077 && openssl rand -hex 32 > "$state/certs/web-session.key")
  launch web "$web_port" --tls-cert "$state/certs/server.pem" --tls-key "$state/certs/server.key" \
    --session-key "$state/certs/web-session.key" --ca "$state/certs/ca.pem" \
    --service-cert "$state/certs/web.pem" --service-key "$state/certs/web.key" \
    --jwt-public-keys "$state/certs/jwt.pub" --static-dir "$build/clients/web/dist" \
    --audit-public-key "$state/certs/audit-tree.pub" \
    --intake "localhost:$intake_port" --directory "localhost:$directory_port" \
    --cases "localhost:$cases_port" --audit "localhost:$audit_port"
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

# Runs a create command; an object that already exists is fine (second run).
create() {
  local out
  out=$("$@" 2>&1) || grep -q ALREADY_EXISTS <<<"$out" || { echo "$out" >&2; exit 1; }
}

# The demo tenant: Heerlen-Noord with its wijken, the partners of the
# approach, one user per role and an integrated client for the police.
seed_directory() {
  local secrets=$state/secrets
  mkdir -p "$secrets" "$state/tokens"
  chmod 700 "$secrets" "$state/tokens"
  for f in admin.password demo.password; do
    [ -f "$secrets/$f" ] || (umask 077; openssl rand -base64 18 > "$secrets/$f")
  done
  "$build/services/directory/hartslag-directory" bootstrap \
    --db "host=127.0.0.1 port=$pg_port user=hartslag_directory dbname=hartslag" \
    --tenant heerlen --tenant-name "Gemeente Heerlen" \
    --organisation gemeente-heerlen --organisation-name "Gemeente Heerlen" \
    --admin admin --admin-password-file "$secrets/admin.password" 2>>"$state/logs/directory.log"
  "$cli" login --user admin --password-file "$secrets/admin.password" --save "$state/tokens/admin" 2>/dev/null
  local admin=(--token-file "$state/tokens/admin")
  create "$cli" admin area create "${admin[@]}" --id heerlen-noord --name "Heerlen-Noord"
  create "$cli" admin area create "${admin[@]}" --id vrieheide --name Vrieheide --parent heerlen-noord
  create "$cli" admin area create "${admin[@]}" --id kasteelbuurt --name Kasteelbuurt --parent heerlen-noord
  create "$cli" admin area create "${admin[@]}" --id hoofdstraat-west --name "Hoofdstraat-West (Hoensbroek)" --parent heerlen-noord
  create "$cli" admin area create "${admin[@]}" --id gms --name GMS --parent heerlen-noord
  create "$cli" admin org create "${admin[@]}" --id handhaving-heerlen --name "Handhaving Heerlen" --kind ENFORCEMENT
  create "$cli" admin org create "${admin[@]}" --id politie-limburg --name "Politie Limburg" --kind POLICE
  create "$cli" admin org create "${admin[@]}" --id buurtteam-heerlen --name "Buurtteam Heerlen" --kind CARE
  create "$cli" admin org create "${admin[@]}" --id woonpunt --name Woonpunt --kind HOUSING
  create "$cli" admin org create "${admin[@]}" --id weller --name Weller --kind HOUSING
  create "$cli" admin org create "${admin[@]}" --id wonen-limburg --name "Wonen Limburg" --kind HOUSING
  local pw=(--password-file "$secrets/demo.password")
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id sanne.coach --org gemeente-heerlen --name "Sanne (straatcoach)" --roles REPORTER --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id bram.boa --org handhaving-heerlen --name "Bram (BOA)" --roles REPORTER --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id carla.coordinator --org gemeente-heerlen --name "Carla (procesregisseur)" --roles COORDINATOR --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id peter.politie --org politie-limburg --name "Peter (wijkagent)" --roles PARTNER,REPORTER --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id zora.zorg --org buurtteam-heerlen --name "Zora (buurtteam)" --roles PARTNER --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id wim.woonpunt --org woonpunt --name "Wim (Woonpunt)" --roles PARTNER --areas heerlen-noord
  create "$cli" admin user create "${admin[@]}" "${pw[@]}" --id pim.privacy --org gemeente-heerlen --name "Pim (privacy officer)" --roles PRIVACY_OFFICER
  local uri=spiffe://hartslag/heerlen/client/politie-bvh
  "$cli" pki client --dir "$state/certs" --name politie-bvh --uri "$uri"
  create "$cli" admin client create "${admin[@]}" --id politie-bvh --org politie-limburg --uri "$uri"
}

demo() {
  export HARTSLAG_CA=$state/certs/ca.pem HARTSLAG_INTAKE_ADDR=localhost:$intake_port
  export HARTSLAG_DIRECTORY_ADDR=localhost:$directory_port
  local pw=(--password-file "$state/secrets/demo.password")
  for user in sanne.coach bram.boa carla.coordinator; do
    "$cli" login --user "$user" "${pw[@]}" --save "$state/tokens/$user" 2>/dev/null
  done
  local coach=(--token-file "$state/tokens/sanne.coach") boa=(--token-file "$state/tokens/bram.boa")
  local coordinator=(--token-file "$state/tokens/carla.coordinator")

  # Submits a signal; prints its reference and keeps its id in $signal_id.
  submit() {
    local out
    out=$("$cli" signal submit "$@" --json)
    signal_id=$(sed -n 's/.*"signal_id":"\([^"]*\)".*/\1/p' <<<"$out")
    echo "submitted $(sed -n 's/.*"reference":"\([^"]*\)".*/\1/p' <<<"$out")$(grep -q '"replayed":true' <<<"$out" && echo ' (again: stored once)')"
  }
  # Weighs a signal; a signal weighed on an earlier run stays as it was.
  decide() {
    local out
    if out=$("$cli" triage decide "${coordinator[@]}" "$@" 2>&1); then echo "$out"; first_run=1
    elif grep -q FAILED_PRECONDITION <<<"$out"; then echo "already weighed on an earlier run"
    else echo "$out" >&2; exit 1; fi
  }
  local signal_id dumping youth household first_run=0
  echo
  echo "== The municipality's back office configures its categories: subcategories with questions,"
  echo "   a deadline in working days and standard feedback (tools/demo/*.json)"
  "$cli" login --user admin --password-file "$state/secrets/admin.password" --save "$state/tokens/admin" 2>/dev/null
  local admin=(--token-file "$state/tokens/admin")
  create "$cli" admin category create "${admin[@]}" --file "$root/tools/demo/grofvuil.json"
  create "$cli" admin category create "${admin[@]}" --file "$root/tools/demo/zorgwekkende-woning.json"
  "$cli" admin category show grofvuil "${admin[@]}"
  echo
  echo "== Street coach Sanne logs in and submits signals (fixed request ids: a second run shows they are stored once)"
  echo "   with the answers her category asks for and a photo, which is stored without its GPS position"
  submit "${coach[@]}" --request-id 6f1c1f0e-0000-4000-8000-000000000011 \
    --area vrieheide --category grofvuil --street Vrieheidelaan --house-number 12 \
    --postcode "6416 AB" --description "Matrassen en huisraad naast de ondergrondse container." \
    --answers "soort=Matras|Huisraad;hoeveelheid=1.5;gevaarlijk=nee;eerder=Ja, elke week" \
    --attach "$root/tools/demo/foto-container.jpg" --source street_coach
  dumping=$signal_id
  "$cli" signal get "$dumping" "${coach[@]}" | grep -E "^(referentie|categorie|antwoord|bijlage|uiterlijk)"
  local photo_id
  photo_id=$("$cli" signal get "$dumping" "${coach[@]}" --json | grep -o '"attachment_id":"[^"]*"' | head -n 1 | cut -d'"' -f4)
  "$cli" signal attachment "$dumping" "$photo_id" --save "$state/foto-zoals-bewaard.jpg" "${coach[@]}"
  echo "Exif segments in the photo as sent: $(grep -c Exif "$root/tools/demo/foto-container.jpg"), as stored: $(grep -c Exif "$state/foto-zoals-bewaard.jpg")"
  submit "${coach[@]}" --request-id 6f1c1f0e-0000-4000-8000-000000000002 \
    --area kasteelbuurt --category jongerenoverlast --street Kasteelweg --house-number 3 \
    --postcode "6417 BC" --description "Groep jongeren bij het speelveld, vuurwerk en intimidatie van voorbijgangers." \
    --source street_coach --urgency high
  youth=$signal_id
  echo "== BOA Bram logs in and submits a signal"
  submit "${boa[@]}" --request-id 6f1c1f0e-0000-4000-8000-000000000013 \
    --area gms --category zorgwekkende-woning --street Schandelerstraat --house-number 41 --addition A \
    --postcode "6415 EG" --description "Sterke stankoverlast uit woning, bewoner oogt verward bij de deur." \
    --answers "signalen=Stank|Bewoner oogt verward;contact=ja" \
    --source boa --persons "onbekende bewoner||bewoner"
  household=$signal_id
  echo
  echo "== The police system (integrated client, mutual TLS) gets a token for wijkagent Peter"
  "$cli" client-token --cert "$state/certs/politie-bvh.pem" --key "$state/certs/politie-bvh.key" \
    --user peter.politie --save "$state/tokens/politie-bvh" 2>/dev/null
  echo "token issued; the signals of other organisations stay hidden from it:"
  "$cli" signal list --token-file "$state/tokens/politie-bvh"
  echo
  echo "== Coordinator Carla weighs the week's signals of Heerlen-Noord (triage)"
  export HARTSLAG_CASES_ADDR=localhost:$cases_port
  "$cli" triage queue "${coordinator[@]}"
  decide --signal "$dumping" --choice leefbaarheid --new-case "Dumping Vrieheidelaan 12"
  decide --signal "$youth" --choice handle_directly --reason "straatcoaches en BOA's extra toezicht"
  decide --signal "$household" --choice casuistiek --new-case "Zorgen om bewoner Schandelerstraat 41A"
  local case_id
  case_id=$("$cli" case list "${coordinator[@]}" --purpose MEETING_PREPARATION --kind casuistiek --json |
    grep -o '"case_id":"[^"]*"[^}]*"title":"Zorgen om bewoner Schandelerstraat 41A"' | head -n 1 |
    sed -n 's/"case_id":"\([^"]*\)".*/\1/p')
  "$cli" case list "${coordinator[@]}" --purpose MEETING_PREPARATION
  sleep 1  # the outcome travels to intake through the outbox
  echo "-- what street coach Sanne now sees of her signal:"
  "$cli" signal get "$dumping" "${coach[@]}" | grep -E "^(referentie|status|terugkoppeling)"
  echo
  echo "== The care team and the police join the case for the Casuïstiekoverleg and add notes"
  for user in zora.zorg peter.politie; do
    "$cli" login --user "$user" "${pw[@]}" --save "$state/tokens/$user" 2>/dev/null
  done
  local care=(--token-file "$state/tokens/zora.zorg") police=(--token-file "$state/tokens/peter.politie")
  if [ "$first_run" = 1 ]; then
    "$cli" case update "${coordinator[@]}" --id "$case_id" --participants gemeente-heerlen,buurtteam-heerlen,politie-limburg \
      --risk high --risk-reason "verwarde indruk, stankoverlast" >/dev/null
    "$cli" case note "${care[@]}" --id "$case_id" --visibility care --text "Buurtteam kent bewoner; GGZ-contact loopt."
    "$cli" case note "${police[@]}" --id "$case_id" --visibility police --text "Twee meldingen overlast afgelopen maand."
  fi
  echo "-- what the police see (no care note):"
  "$cli" case get "${police[@]}" --purpose MEETING_PREPARATION --id "$case_id"
  # The meeting's id from `meeting schedule --json`, and an item's from `meeting show --json`.
  first_id() { grep -o "\"$1\":\"[^\"]*\"" | head -n 1 | cut -d'"' -f4; }
  # The second, from a series of two.
  second_id() { grep -o "\"$1\":\"[^\"]*\"" | sed -n 2p | cut -d'"' -f4; }
  local meeting_day
  meeting_day=$(date -d 'next wednesday' +%F)
  if [ "$first_run" = 1 ]; then
    echo
    echo "== Carla schedules both meetings of the week (the Casuïstiekoverleg also the week after) and"
    echo "   generates their agendas"
    local leef_id casu_id casu_next_id casu_series
    leef_id=$("$cli" meeting schedule "${coordinator[@]}" --kind leefbaarheid --area heerlen-noord \
      --at "$meeting_day 10:00" --orgs handhaving-heerlen,woonpunt,politie-limburg --json | first_id meeting_id)
    casu_series=$("$cli" meeting schedule "${coordinator[@]}" --kind casuistiek --area heerlen-noord \
      --at "$meeting_day 14:00" --weeks 2 --orgs buurtteam-heerlen,politie-limburg --json)
    casu_id=$(first_id meeting_id <<<"$casu_series")
    casu_next_id=$(second_id meeting_id <<<"$casu_series")
    "$cli" meeting agenda generate "${coordinator[@]}" --id "$leef_id"
    "$cli" meeting agenda generate "${coordinator[@]}" --id "$casu_id"
  fi
  echo "-- the meetings the police take part in:"
  "$cli" meeting list "${police[@]}" --from "$(date +%F) 00:00"
  echo
  echo "== The police system (integrated client, clients/cpp/examples/police_system.cc) follows its actions"
  echo "   on a stream, from its saved cursor, and completes each it receives"
  local police_system=(--token-file "$state/tokens/politie-bvh" --purpose ACTION_EXECUTION)
  local watch_for=3s
  [ "$first_run" = 1 ] && watch_for=60s
  "$build/clients/cpp/examples/hartslag-example-police" --directory "localhost:$directory_port" \
    --cases "localhost:$cases_port" --cert "$state/certs/politie-bvh.pem" --key "$state/certs/politie-bvh.key" \
    --user peter.politie --cursor-file "$state/politie-bvh.cursor" --from-beginning --count 1 --for "$watch_for" \
    --note "Huisbezoek afgelegd; bewoner staat open voor hulp van het buurtteam." >"$state/politie-bvh.watch" &
  local watcher=$!
  if [ "$first_run" = 1 ]; then
    echo
    echo "== The Leefbaarheidsoverleg: decision and joint action; minutes closed"
    local item_id
    item_id=$("$cli" meeting show "${coordinator[@]}" --purpose MEETING --id "$leef_id" --json | first_id item_id)
    "$cli" meeting decide "${coordinator[@]}" --id "$leef_id" --item "$item_id" \
      --decision "Woonpunt ruimt op en spreekt bewoners aan; handhaving controleert" \
      --rationale "Terugkerende dumping bij de container" \
      --actions "woonpunt,handhaving-heerlen|$(date -d '+7 days' +%F)|Opruimen en bewoners Vrieheidelaan aanspreken"
    "$cli" meeting attendance "${coordinator[@]}" "$leef_id" --attendee "Carla Janssen:gemeente-heerlen" \
      --attendee "Bram Hendriks:handhaving-heerlen" --attendee "Wim Peters:woonpunt" \
      --attendee "Peter Smeets:politie-limburg" >/dev/null
    "$cli" meeting close "${coordinator[@]}" --id "$leef_id" >/dev/null
    echo
    echo "== The Casuïstiekoverleg: decision with an action for the police; attendance; minutes closed, approved"
    echo "   in the next week's Casuïstiekoverleg (here at once, for the demo) and exported"
    item_id=$("$cli" meeting show "${coordinator[@]}" --purpose MEETING --id "$casu_id" --json | first_id item_id)
    "$cli" meeting decide "${coordinator[@]}" --id "$casu_id" --item "$item_id" \
      --decision "Huisbezoek door wijkagent en buurtteam; over twee weken terug op de agenda" \
      --rationale "Zorgen over gezondheid en woning" --next-review "$(date -d '+14 days' +%F)" \
      --actions "politie-limburg|$(date -d '+7 days' +%F)|Wijkagent legt huisbezoek af samen met het buurtteam"
    "$cli" meeting attendance "${coordinator[@]}" "$casu_id" --attendee "Carla Janssen:gemeente-heerlen" \
      --attendee "Zora Bakker:buurtteam-heerlen" --attendee "Peter Smeets:politie-limburg" >/dev/null
    "$cli" meeting close "${coordinator[@]}" --id "$casu_id" >/dev/null
    "$cli" meeting approve "${coordinator[@]}" "$casu_id" --in "$casu_next_id" >/dev/null
    mkdir -p "$state/meetings"
    "$cli" meeting export "${coordinator[@]}" --purpose MEETING --id "$leef_id" --format html \
      --out "$state/meetings/notulen-leefbaarheidsoverleg.html"
    "$cli" meeting export "${coordinator[@]}" --purpose MEETING --id "$casu_id" --format html \
      --out "$state/meetings/notulen-casuistiekoverleg.html"
    echo "-- the Casuïstiekoverleg's minutes, approved (Markdown; both as HTML in .local/meetings/, the"
    echo "   Leefbaarheidsoverleg's still a concept):"
    "$cli" meeting export "${coordinator[@]}" --purpose MEETING --id "$casu_id"
  fi
  echo
  echo "== The police system received the action on its stream and completed it"
  wait "$watcher"
  if [ -s "$state/politie-bvh.watch" ]; then
    cat "$state/politie-bvh.watch"
  else
    echo "no new actions since the saved cursor $(cat "$state/politie-bvh.cursor" 2>/dev/null)"
  fi
  "$cli" action mine "${police_system[@]}"
  echo
  echo "== Privacy officer Pim: who saw data about Schandelerstraat 41A? (no employee names)"
  export HARTSLAG_AUDIT_ADDR=localhost:$audit_port
  "$cli" login --user pim.privacy "${pw[@]}" --save "$state/tokens/pim.privacy" 2>/dev/null
  local officer=(--token-file "$state/tokens/pim.privacy")
  sleep 1  # the services' outbox relays deliver within a moment
  "$cli" audit overview "${officer[@]}" --purpose SUBJECT_ACCESS_REQUEST \
    --postcode "6415 EG" --house-number 41 --addition A
  echo
  echo "== Figures for the programme, without personal data (a count under 5 shows as <5)"
  "$cli" figures "${coordinator[@]}" --from "$(date -d '-28 days' +%F)" --to "$(date -d '+1 day' +%F)" --table signals
  echo
  echo "== The audit log, exported and verified offline against its signed tree head"
  mkdir -p "$state/audit"
  "$cli" audit export "${officer[@]}" --out "$state/audit/log.jsonl" --tree-head-out "$state/audit/tree-head.json"
  "$cli" audit verify --log "$state/audit/log.jsonl" --tree-head "$state/audit/tree-head.json" \
    --public-key "$state/certs/audit-tree.pub"
  echo "tree head: $(cat "$state/audit/tree-head.json")"
  echo
  local web="https://localhost:$web_port"
  echo "Hartslag in the browser (trust .local/certs/ca.pem, or accept the warning); log in with"
  echo "gemeente heerlen and the password in .local/secrets/demo.password:"
  echo "  coördinator    $web/#/werkvoorraad  carla.coordinator  (Werkvoorraad, Casussen, Overleggen, Overzicht)"
  echo "  voorzitter     $web/#/overleggen    carla.coordinator  (the meeting board; Partnerweergave for the room)"
  echo "  partners       $web/#/acties        peter.politie, zora.zorg, wim.woonpunt"
  echo "  straatcoach    $web/#/melding       sanne.coach, bram.boa"
  echo "  privacy        $web/#/inzage        pim.privacy"
  echo "  beheer         $web/#/gebruikers    admin (password in .local/secrets/admin.password)"
  echo
  echo "Try it yourself (demo users: sanne.coach, bram.boa, carla.coordinator, peter.politie, zora.zorg,"
  echo "wim.woonpunt, pim.privacy; password in .local/secrets/demo.password; admin: .local/secrets/admin.password):"
  echo "  export HARTSLAG_CA=$HARTSLAG_CA HARTSLAG_INTAKE_ADDR=$HARTSLAG_INTAKE_ADDR HARTSLAG_DIRECTORY_ADDR=$HARTSLAG_DIRECTORY_ADDR HARTSLAG_CASES_ADDR=$HARTSLAG_CASES_ADDR"
  echo "  $cli login --user carla.coordinator --save /tmp/carla && export HARTSLAG_TOKEN_FILE=/tmp/carla"
  echo "  $cli signal list        # or: signal get SV-..., categories, --help"
  echo "  $cli triage queue                                 # as carla.coordinator; triage decide --help"
  echo "  $cli action mine --purpose ACTION_EXECUTION       # as peter.politie or zora.zorg; action --help"
  echo "  $cli action watch --purpose ACTION_EXECUTION      # follow your organisation's actions live"
  echo "  $cli meeting list                                 # meeting --help: schedule, agenda, decide, close"
  echo "  $cli case list --purpose MEETING_PREPARATION     # or: case get --id ..., case --help"
  echo "  $cli audit query --token-file $state/tokens/pim.privacy --server localhost:$audit_port   # as pim.privacy"
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
    if ! psql "$admin_db" -qtAc "SELECT 1 FROM pg_database WHERE datname = 'hartslag'" | grep -q 1; then
      psql "$admin_db" -qc "CREATE DATABASE hartslag"
      # A saved stream cursor points into the database it was read from (the
      # police system's would lie beyond the new one's end).
      rm -f "$state"/*.cursor
    fi
    for service in "${services[@]}"; do
      psql "$admin_db" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'hartslag_$service'" | grep -q 1 ||
        psql "$admin_db" -qc "CREATE ROLE hartslag_$service LOGIN"
      psql "$admin_db" -qc "GRANT CREATE, CONNECT ON DATABASE hartslag TO hartslag_$service"
    done
    for what in ca server signing-key pseudonym-key; do "$cli" pki "$what" --dir "$state/certs"; done
    "$cli" pki signing-key --dir "$state/certs" --name audit-tree
    for service in directory intake cases audit web; do
      "$cli" pki client --dir "$state/certs" --name "$service" --uri "spiffe://hartslag/service/$service"
    done
    # Services deliver their audit records to hartslag-audit as themselves (mutual TLS).
    to_audit=(--audit "localhost:$audit_port" --audit-ca "$state/certs/ca.pem")
    export HARTSLAG_CA=$state/certs/ca.pem HARTSLAG_DIRECTORY_ADDR=localhost:$directory_port
    # The audit service asks the directory for a restriction's organisation.
    start_service audit "$audit_port" hartslag_audit --tree-head-key "$state/certs/audit-tree.key" \
      --directory "localhost:$directory_port" --directory-ca "$state/certs/ca.pem" \
      --service-cert "$state/certs/audit.pem" --service-key "$state/certs/audit.key"
    start_service directory "$directory_port" hartslag_directory --jwt-signing-key "$state/certs/jwt.key" \
      "${to_audit[@]}" --service-cert "$state/certs/directory.pem" --service-key "$state/certs/directory.key"
    seed_directory
    start_service intake "$intake_port" hartslag_intake \
      --directory "localhost:$directory_port" --directory-ca "$state/certs/ca.pem" \
      "${to_audit[@]}" --service-cert "$state/certs/intake.pem" --service-key "$state/certs/intake.key"
    start_service cases "$cases_port" hartslag_cases \
      --directory "localhost:$directory_port" --directory-ca "$state/certs/ca.pem" \
      --intake "localhost:$intake_port" --intake-ca "$state/certs/ca.pem" \
      "${to_audit[@]}" --service-cert "$state/certs/cases.pem" --service-key "$state/certs/cases.key"
    start_web
    demo
    ;;
  down)
    for ((i = ${#processes[@]} - 1; i >= 0; i--)); do stop_service "${processes[$i]}"; done
    "$root/tools/pg-cluster.sh" stop "$state/pg"
    echo "PostgreSQL stopped"
    ;;
  status)
    for service in "${processes[@]}"; do
      if pid_alive "$state/run/$service.pid"; then echo "hartslag-$service: running"; else echo "hartslag-$service: stopped"; fi
    done
    if pg_isready -q -h 127.0.0.1 -p "$pg_port"; then echo "postgresql: running"; else echo "postgresql: stopped"; fi
    ;;
  *)
    echo "usage: tools/local.sh up|down|status" >&2
    exit 2
    ;;
esac
