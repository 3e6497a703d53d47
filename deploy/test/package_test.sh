#!/usr/bin/env bash
# deploy.package: what `cmake --install` and `cpack -G DEB` deliver.
#   package_test.sh SOURCE_DIR BUILD_DIR
# 1. Installs the build with DESTDIR and prefix /usr (the package's layout)
#    and checks it: each server and the CLI present, executable and running
#    (--help); nothing else in bin; the front end with what index.html loads;
#    the migrations as in the source; a sample for each service that sets or
#    names every environment variable its --help lists; the units.
# 2. Installs again with another prefix: nothing lands outside it.
# 3. systemd-analyze verify on the installed units, with their binaries.
# 4. cpack -G DEB into a temporary folder, then dpkg-deb: the files, every
#    package owning a shared library the binaries load in Depends, the
#    maintainer scripts (valid sh; every unit stopped on removal; the user).
set -euo pipefail

source_dir=$1
build_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
services=(audit cases directory intake web)
binaries=(hartslag hartslag-audit hartslag-cases hartslag-directory hartslag-intake hartslag-web)
units=(hartslag-audit.service hartslag-cases.service hartslag-directory.service hartslag-intake.service
  hartslag-migrate@.service hartslag-web.service)

# --- 1. The layout under prefix /usr -----------------------------------------
root=$work/root
DESTDIR=$root cmake --install "$build_dir" --prefix /usr >"$work/install.log" ||
  { cat "$work/install.log" >&2; echo "FAIL: cmake --install" >&2; exit 1; }

for b in "${binaries[@]}"; do
  [ -x "$root/usr/bin/$b" ] || fail "usr/bin/$b is missing or not executable"
done
extra=$(comm -13 <(printf '%s\n' "${binaries[@]}" | sort) <(ls "$root/usr/bin" | sort))
[ -z "$extra" ] || fail "usr/bin holds more than the servers and the CLI: $extra"

web=$root/usr/share/hartslag/web
if [ -f "$web/index.html" ]; then
  # What the page loads must be there, or browsers get a blank screen.
  loaded=$(grep -oE '(src|href)="/?[A-Za-z0-9._-]+\.(js|css)"' "$web/index.html" | sed -E 's/.*="\/?([^"]+)"/\1/')
  [ -n "$loaded" ] || fail "index.html names no script or style sheet"
  for f in $loaded; do
    [ -f "$web/$f" ] || fail "index.html loads $f, which is not installed"
  done
else
  fail "usr/share/hartslag/web/index.html is missing"
fi

for s in audit cases directory intake; do
  diff <(cd "$source_dir/services/$s/migrations" && ls ./*.sql) \
    <(cd "$root/usr/share/hartslag/migrations/$s" 2>/dev/null && ls ./*.sql) >/dev/null ||
    fail "usr/share/hartslag/migrations/$s differs from services/$s/migrations"
done

for s in "${services[@]}"; do
  sample=$root/usr/share/hartslag/config/$s.env.sample
  if [ ! -f "$sample" ]; then
    fail "usr/share/hartslag/config/$s.env.sample is missing"
    continue
  fi
  if ! help=$("$root/usr/bin/hartslag-$s" --help 2>&1); then
    fail "hartslag-$s --help failed: $help"
    continue
  fi
  # Every setting the binary reads from its environment, set or shown behind #.
  for var in $(grep -oE '\[env [A-Z0-9_]+\]' <<<"$help" | sed -E 's/\[env ([A-Z0-9_]+)\]/\1/' | sort -u); do
    grep -qE "^#?$var=" "$sample" || fail "$s.env.sample does not name $var (hartslag-$s --help)"
  done
  # And nothing the binary does not know: a typo would be silently ignored.
  for var in $(grep -oE '^#?HARTSLAG_[A-Z0-9_]+=' "$sample" | tr -d '#=' | sort -u); do
    grep -q "\[env $var\]" <<<"$help" || fail "$s.env.sample sets $var, which hartslag-$s does not read"
  done
done
"$root/usr/bin/hartslag" --version >/dev/null || fail "hartslag --version failed"

for u in "${units[@]}"; do
  [ -f "$root/lib/systemd/system/$u" ] || fail "lib/systemd/system/$u is missing"
done
[ -f "$root/usr/share/doc/hartslag/README.md" ] || fail "usr/share/doc/hartslag/README.md is missing"

# --- 2. Another prefix: nothing outside it -----------------------------------
prefix=$work/opt/hartslag
cmake --install "$build_dir" --prefix "$prefix" >"$work/install-opt.log" ||
  { cat "$work/install-opt.log" >&2; fail "cmake --install --prefix $prefix"; }
outside=$(grep -v "^$prefix/" "$build_dir/install_manifest.txt" || true)
[ -z "$outside" ] || fail "cmake --install --prefix $prefix wrote outside it: $outside"
[ -f "$prefix/lib/systemd/system/hartslag-web.service" ] || fail "units not under the prefix $prefix"

# --- 3. The units ----------------------------------------------------------------
if command -v systemd-analyze >/dev/null; then
  # --root: the units and the ExecStart binaries are looked up in the
  # installed tree, and so are systemd's own units they refer to: a copy of
  # this machine's. The instance stands for the template.
  mkdir -p "$root/usr/lib/systemd"
  cp -r /usr/lib/systemd/system "$root/usr/lib/systemd/"
  (cd "$root/lib/systemd/system" &&
    systemd-analyze verify --root="$root" --man=no \
      hartslag-audit.service hartslag-cases.service hartslag-directory.service \
      hartslag-intake.service hartslag-web.service hartslag-migrate@intake.service) \
    >"$work/verify.log" 2>&1 || fail "systemd-analyze verify exited $?"
  # verify exits 0 on some problems; a line naming a hartslag unit is one.
  if grep -i "hartslag" "$work/verify.log"; then fail "systemd-analyze verify reported the above"; fi
else
  echo "SKIP: systemd-analyze is not installed (Debian package systemd): the units are not verified"
fi

# --- 4. The Debian package ---------------------------------------------------------
(cd "$build_dir" && cpack -G DEB -B "$work/package") >"$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log" >&2; echo "FAIL: cpack -G DEB" >&2; exit 1; }
debs=("$work"/package/hartslag_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { echo "FAIL: cpack made no single hartslag_*.deb" >&2; exit 1; }
deb=${debs[0]}
echo "package: $(basename "$deb"), $(du -k "$deb" | cut -f1) kB"

contents=$(dpkg-deb -c "$deb" | awk '{print $NF}' | sed 's|^\./|/|')
for b in "${binaries[@]}"; do
  grep -qx "/usr/bin/$b" <<<"$contents" || fail "the package lacks /usr/bin/$b"
done
for u in "${units[@]}"; do
  grep -qx "/lib/systemd/system/$u" <<<"$contents" || fail "the package lacks /lib/systemd/system/$u"
done
for s in "${services[@]}"; do
  grep -qx "/usr/share/hartslag/config/$s.env.sample" <<<"$contents" || fail "the package lacks $s.env.sample"
done
grep -qx "/usr/share/hartslag/web/index.html" <<<"$contents" || fail "the package lacks the front end"
grep -qx "/usr/share/hartslag/migrations/audit/0001_audit_log.sql" <<<"$contents" ||
  fail "the package lacks the migrations"
if grep -E '^/(etc|var|home|tmp|build|work)/' <<<"$contents"; then fail "the package ships the files above"; fi

[ "$(dpkg-deb -f "$deb" Package)" = hartslag ] || fail "Package is not hartslag"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
# Every shared library the binaries link directly (NEEDED) comes from a
# package that Depends names; dpkg -S finds the package that owns it here.
depends_names=$(tr ',|' '\n\n' <<<"$depends" | sed -E 's/\(.*//; s/[[:space:]]//g' | sed '/^$/d')
needed_packages=$(for b in "${binaries[@]}"; do
    resolved=$(ldd "$root/usr/bin/$b")
    for so in $(objdump -p "$root/usr/bin/$b" | awk '$1 == "NEEDED" {print $2}'); do
      awk -v so="$so" '$1 == so && $2 == "=>" {print $3}' <<<"$resolved"
    done
  done | sort -u |
  while read -r lib; do
    dpkg -S "$lib" 2>/dev/null || dpkg -S "$(readlink -f "$lib")" 2>/dev/null || echo "UNOWNED: $lib"
  done | cut -d: -f1 | sort -u)
if grep UNOWNED <<<"$needed_packages"; then fail "libraries no package owns"; fi
[ "$(wc -l <<<"$needed_packages")" -ge 5 ] || fail "too few library packages found: $needed_packages"
for p in $needed_packages adduser tzdata; do
  grep -qxF "$p" <<<"$depends_names" || fail "Depends lacks $p"
done

control=$work/control
dpkg-deb -e "$deb" "$control"
for script in postinst prerm postrm; do
  if [ -x "$control/$script" ]; then
    sh -n "$control/$script" || fail "$script is not valid sh"
  else
    fail "the package has no executable $script"
  fi
done
grep -qE '^\s*adduser --system --group --home /var/lib/hartslag\b.* hartslag$' "$control/postinst" ||
  fail "postinst does not make the system user hartslag"
if grep -qE 'systemctl (.* )?(start|enable|restart)\b' "$control/postinst"; then
  fail "postinst starts or enables a unit"
fi
for u in "${units[@]}"; do
  [ "$u" = "hartslag-migrate@.service" ] && continue
  grep -q "$u" "$control/prerm" || fail "prerm does not stop $u"
done

if [ "$failures" -gt 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "deploy.package: all checks passed"
