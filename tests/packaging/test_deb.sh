#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Checks of the .deb (issue 9): test_deb.sh STEP BUILD_DIR DEB WORK PRIVATE_LIBDIR
#   build     make package, then dpkg -x into WORK/root (never dpkg -i)
#   contents  the files a user needs are in the package, and nothing of the build tree
#   depends   every shared library the package's ELF files need is in Depends
#   run       the extracted vigil runs (--version, check and screenshot of the demo workspace),
#             with no environment pointing at the build tree
#   plugins   ... and finds its plugins beside itself (without the demo plugin, check fails)
#   journal   ... and `vigil watch` writes journald's format when stderr is the journal
#   desktop   desktop-file-validate, appstreamcli validate --no-net, man --warnings
#   systemd   the unit's keys, then systemd-analyze verify --user (where systemd-analyze is installed;
#             it needs no running systemd, only a runtime folder)
#   lintian   no E: tags (warnings are listed; accepted ones are overridden with a reason
#             in packaging/debian/lintian-overrides)
set -euo pipefail

step=$1 build=$2 deb=$3 work=$4 privlib=$5
root=$work/root
fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || fail "$1 is missing (package $2; packaging/debian-deps.sh installs it)"; }
# The extracted vigil with a clean environment: nothing points it at the build tree.
run_vigil() {
  env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_STATE_HOME="$work/state" XDG_RUNTIME_DIR="$work/runtime" \
    QT_QPA_PLATFORM=offscreen LANG=C.UTF-8 "$@"   # "$@" may start with more NAME=VALUE
}
prepare_home() { mkdir -p "$work/home" "$work/state" "$work/runtime"; chmod 700 "$work/runtime"; }

case $step in
build)
  need dpkg-deb dpkg
  need dpkg-shlibdeps dpkg-dev
  rm -f "$deb"
  log=$work/package.log
  mkdir -p "$work"
  if ! cmake --build "$build" --target package >"$log" 2>&1; then
    tail -40 "$log"
    fail "cmake --build $build --target package failed (whole log: $log)"
  fi
  [[ -f $deb ]] || { tail -20 "$log"; fail "cpack wrote no $deb"; }
  rm -rf "$root"
  mkdir -p "$root"
  dpkg -x "$deb" "$root"
  echo "built $(basename "$deb"): $(du -k "$deb" | cut -f1) KiB, $(find "$root" -type f | wc -l) files"
  dpkg-deb -I "$deb"
  ;;

contents)
  missing=0
  expect() { for f in "$@"; do [[ -e $root/$f ]] || { echo "missing: /$f"; missing=1; }; done; }
  expect usr/bin/vigil \
    "usr/$privlib/libvigil-core.so.0" \
    usr/share/vigil/workspaces/demo.yaml \
    usr/share/applications/vigil.desktop \
    usr/share/metainfo/io.github.vigil.Vigil.metainfo.xml \
    usr/share/icons/hicolor/scalable/apps/vigil.svg \
    usr/share/man/man1/vigil.1.gz \
    usr/share/doc/vigil/copyright usr/share/doc/vigil/changelog.Debian.gz usr/share/doc/vigil/USER-GUIDE.md \
    usr/share/lintian/overrides/vigil \
    usr/lib/systemd/user/vigil-watch.service
  for p in prometheus mlflow demo-connector desktop slack; do expect "usr/$privlib/plugins/libvigil-$p.so"; done
  # Each PNG icon has the size its folder says (the PNG header's width and height).
  for size in 16 22 24 32 48 64 128 256; do
    png=usr/share/icons/hicolor/${size}x${size}/apps/vigil.png
    expect "$png"
    if [[ -f $root/$png ]]; then
      dims=$(od -An -tu1 -j16 -N8 "$root/$png" | awk '{print $3*256+$4 "x" $7*256+$8}')
      [[ $dims == "${size}x${size}" ]] || { echo "$png is $dims"; missing=1; }
    fi
  done
  # Private library: no development symlink, no copy in the public library folders.
  [[ ! -e $root/usr/$privlib/libvigil-core.so ]] || { echo "unexpected: the development symlink libvigil-core.so"; missing=1; }
  [[ ! -e $root/usr/bin/vigil-demo-fleet ]] || { echo "unexpected: vigil-demo-fleet (make demo's server)"; missing=1; }
  [[ ! -e $root/usr/local ]] || { echo "unexpected: files under /usr/local"; missing=1; }
  # RUNPATHs are relative to the file ($ORIGIN), never a folder of the build machine.
  while IFS= read -r -d '' f; do
    if head -c4 "$f" | grep -q $'\x7fELF'; then
      rp=$(readelf -d "$f" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p; s/.*(RPATH).*\[\(.*\)\]/\1/p')
      case $rp in ''|'$ORIGIN'*) ;; *) echo "${f#"$root"}: RUNPATH $rp"; missing=1 ;; esac
      if grep -q "$build" <<<"$rp"; then echo "${f#"$root"}: RUNPATH names the build tree"; missing=1; fi
    fi
  done < <(find "$root" -type f -print0)
  unit=$root/usr/lib/systemd/user/vigil-watch.service
  grep -qx 'ExecStart=/usr/bin/vigil watch --workspace %E/vigil/workspace.yaml' "$unit" \
    || { echo "the unit's ExecStart is not /usr/bin/vigil watch --workspace %E/vigil/workspace.yaml"; missing=1; }
  [[ $missing == 0 ]] || fail "the package's contents are not as expected"
  find "$root" -type f -o -type l | sed "s|^$root||" | sort
  ;;

depends)
  depends=$(dpkg-deb -f "$deb" Depends)
  echo "Depends: $depends"
  bad=0
  # The packages the brief names: Qt 6, QtKeychain, yaml-cpp, spdlog (and fmt, which spdlog uses).
  needed=$(find "$root" -type f \( -name '*.so*' -o -path '*/bin/*' \) -exec readelf -d {} + 2>/dev/null \
             | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
  wanted=('libqt6core6' 'libqt6widgets6' 'libqt6charts6' 'libqt6network6' 'libqt6sql6 ' 'libqt6dbus6'
          'libyaml-cpp' 'libspdlog' 'libc6' 'libstdc\+\+6' 'libqt6sql6-sqlite' 'qt6-qpa-plugins')
  # QtKeychain once vigil links it (the keychain store, issue 6).
  if grep -q keychain <<<"$needed"; then wanted+=('libqt6keychain1|qtkeychain'); else echo "(vigil does not link QtKeychain yet)"; fi
  for want in "${wanted[@]}"; do
    grep -Eq "(^|, )($want)" <<<"$depends" || { echo "Depends lacks $want"; bad=1; }
  done
  # Every library an ELF file of the package needs belongs to a package in
  # Depends, by name or by what it Provides (libspdlog1.10 provides
  # libspdlog1.10-fmt9), or is vigil's own.
  # Depends as one package name a line (versions and alternatives' bars dropped).
  depends_names=$(sed 's/([^)]*)//g; s/|/,/g' <<<"$depends" | tr ',' '\n' | tr -d ' ')
  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)   # /sbin may not be on PATH
  # Read once: awk stopping at its first match while `ldconfig -p` still writes
  # would kill ldconfig with SIGPIPE, and pipefail would end this script there.
  cache=$("$ldconfig" -p)
  for lib in $needed; do
    [[ $lib == libvigil-core.so.* ]] && continue
    path=$(awk -v l="$lib" '$1 == l && /x86-64|x86_64|64bit/ {print $NF; exit}' <<<"$cache")
    [[ -n $path ]] || path=$(awk -v l="$lib" '$1 == l {print $NF; exit}' <<<"$cache")
    [[ -n $path ]] || { echo "$lib: not found on this machine"; bad=1; continue; }
    pkg=$(dpkg -S "$(readlink -f "$path")" 2>/dev/null | head -1 | cut -d: -f1) \
      || pkg=$(dpkg -S "$path" 2>/dev/null | head -1 | cut -d: -f1) || true
    [[ -n $pkg ]] || { echo "$lib ($path): no package owns it"; bad=1; continue; }
    found=
    for name in $pkg $(dpkg-query -W -f='${Provides}' "$pkg" | sed 's/([^)]*)//g; s/,/ /g'); do
      grep -qxF -- "$name" <<<"$depends_names" && found=$name && break
    done
    if [[ -n $found ]]; then echo "ok: $lib from $pkg ($found)"; else echo "Depends lacks $pkg (for $lib)"; bad=1; fi
  done
  [[ $bad == 0 ]] || fail "the package's dependencies are incomplete"
  ;;

run)
  prepare_home
  version=$(run_vigil "$root/usr/bin/vigil" --version)
  echo "vigil --version: $version"
  [[ $version == "vigil 0."* ]] || fail "vigil --version printed '$version'"
  core=$(readlink -f "$(ldd "$root/usr/bin/vigil" | awk '/libvigil-core/ {print $3}')")
  [[ $core == "$root/usr/$privlib/"* ]] || fail "vigil links libvigil-core from '$core', not from the package"
  echo "libvigil-core: $core"
  # The demo workspace's model registry: the demo fleet's MLflow-compatible
  # one (make demo's server, from the build tree; not packaged), on a free port.
  fleet_log=$work/fleet.out
  "$build/bin/vigil-demo-fleet" --port 0 >"$fleet_log" 2>&1 &
  fleet=$!
  trap 'kill $fleet 2>/dev/null || true' EXIT
  for _ in $(seq 100); do grep -q '^listening on ' "$fleet_log" && break; sleep 0.1; done
  url=$(sed -n 's/^listening on \(http[^ ]*\).*/\1/p' "$fleet_log" | head -1)
  [[ -n $url ]] || fail "vigil-demo-fleet did not start: $(cat "$fleet_log")"
  set +e
  out=$(run_vigil VIGIL_REGISTRY_URL="$url" "$root/usr/bin/vigil" check \
          --workspace "$root/usr/share/vigil/workspaces/demo.yaml" 2>&1)
  rc=$?
  set -e
  echo "$out"
  [[ $rc == 0 ]] || fail "vigil check on the packaged demo workspace exited $rc"
  grep -q "registered models" <<<"$out" || fail "vigil check did not list the registry's models"
  # The window's libraries (Widgets, Charts, a platform plugin): a dashboard rendered offscreen.
  shot=$build/screenshots/packaged-demo-fleet-overview.png
  mkdir -p "$build/screenshots"
  rm -f "$shot"
  run_vigil "$root/usr/bin/vigil" screenshot --workspace "$root/usr/share/vigil/workspaces/demo.yaml" \
    --view 'dashboard:Fleet overview' -o "$shot" --timeout 30s 2>&1 | grep -v '^vigil\.demo: ' || true
  [[ -s $shot && $(head -c8 "$shot" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] \
    || fail "vigil screenshot wrote no PNG at $shot"
  echo "screenshot: $shot"
  ;;

plugins)
  prepare_home
  # A copy of the tree without the demo connector: the demo workspace's
  # connection then has no plugin, which shows the plugins came from the tree.
  copy=$work/root-without-demo
  rm -rf "$copy"
  cp -a "$root" "$copy"
  rm "$copy/usr/$privlib/plugins/libvigil-demo-connector.so"
  set +e
  out=$(run_vigil "$copy/usr/bin/vigil" check --workspace "$copy/usr/share/vigil/workspaces/demo.yaml" 2>&1)
  rc=$?
  set -e
  echo "$out"
  rm -rf "$copy"
  [[ $rc == 1 ]] || fail "without its demo plugin, vigil check exited $rc, not 1"
  grep -qi "demo" <<<"$out" || fail "vigil check did not name the missing kind 'demo'"
  ;;

journal)
  prepare_home
  dir=$work/journal
  rm -rf "$dir"
  mkdir -p "$dir/state"
  err=$dir/stderr
  : >"$err"
  # What systemd sets for a unit whose stderr is the journal: the stream's device and inode.
  stream=$(stat -c '%d:%i' "$err")
  env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" JOURNAL_STREAM="$stream" LANG=C.UTF-8 \
    "$root/usr/bin/vigil" watch --workspace "$root/usr/share/vigil/workspaces/demo.yaml" --state-dir "$dir/state" \
    2>>"$err" >/dev/null &
  pid=$!
  for _ in $(seq 300); do
    grep -q '^<6>\[app\] watching' "$err" && break
    kill -0 $pid 2>/dev/null || break
    sleep 0.1
  done
  kill -TERM $pid 2>/dev/null || true
  set +e
  wait $pid
  rc=$?
  set -e
  cat "$err"
  [[ $rc == 0 ]] || fail "vigil watch exited $rc after SIGTERM"
  grep -q '^<6>\[app\] watching [0-9]* rule(s)' "$err" || fail "no '<6>[app] watching' line"
  grep -q '^<6>\[app\] signal 15: stopping' "$err" || fail "no '<6>[app] signal 15: stopping' line"
  grep -q '^<6>\[app\] stopped' "$err" || fail "no '<6>[app] stopped' line"
  ! grep -Eq '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:' "$err" || fail "a line carries a timestamp (journald adds its own)"
  # Qt's messages (logging categories) too: each line has a priority, and the
  # demo connector's debug lines stay out at the default level.
  ! grep -v '^<[0-7]>' "$err" || fail "the lines above have no priority prefix"
  ! grep -q '^<7>' "$err" || fail "debug lines at log level info"
  # A workspace it cannot use: the reason at the journal's error priority, exit 2
  # (which the unit's RestartPreventExitStatus= does not restart).
  : >"$dir/empty.yaml"
  : >"$err"
  set +e
  env -i PATH=/usr/bin:/bin HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" JOURNAL_STREAM="$stream" \
    "$root/usr/bin/vigil" watch --workspace "$dir/empty.yaml" --state-dir "$dir/state" 2>>"$err"
  rc=$?
  set -e
  cat "$err"
  [[ $rc == 2 ]] || fail "vigil watch on a workspace without rules exited $rc, not 2"
  grep -q '^<3>vigil watch: .*empty.yaml has no usable rules' "$err" || fail "no '<3>' line saying why it stopped"
  # The log file keeps its own format, timestamps included.
  grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T.*\[app\] stopped' "$dir/state/vigil.log" || fail "the log file lacks its timestamped lines"
  ;;

desktop)
  need desktop-file-validate desktop-file-utils
  need appstreamcli appstream
  desktop-file-validate "$root/usr/share/applications/vigil.desktop"
  appstreamcli validate --no-net "$root/usr/share/metainfo/io.github.vigil.Vigil.metainfo.xml"
  warnings=$(LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z \
               "$root/usr/share/man/man1/vigil.1.gz" 2>&1 >/dev/null)
  [[ -z $warnings ]] || fail "man reports: $warnings"
  for sub in watch check screenshot drift detect; do
    zcat "$root/usr/share/man/man1/vigil.1.gz" | grep -q "^\.SY \"vigil $sub\"" || fail "vigil.1 has no synopsis of vigil $sub"
  done
  echo "desktop entry, metainfo and manual page: valid"
  ;;

systemd)
  unit=$root/usr/lib/systemd/user/vigil-watch.service
  # The keys that matter, by parsing (every line a comment, a [Section] or Key=Value).
  bad=$(grep -Evn '^(#.*|\[(Unit|Service|Install)\]|[A-Za-z]+=.*|)$' "$unit" || true)
  [[ -z $bad ]] || fail "lines that are not comments, sections or Key=Value: $bad"
  section_of() { awk -v k="$1" '/^\[/ {s=$0} index($0, k "=") == 1 {print s; exit}' "$unit"; }
  for kv in '[Service] Type=exec' '[Service] ExecStart=/usr/bin/vigil watch --workspace %E/vigil/workspace.yaml' \
            '[Service] Restart=on-failure' '[Service] RestartPreventExitStatus=2' '[Service] NoNewPrivileges=yes' \
            '[Service] UMask=0077' '[Unit] Documentation=man:vigil(1)' '[Install] WantedBy=default.target'; do
    section=${kv%% *} line=${kv#* }
    grep -qxF -- "$line" "$unit" || fail "the unit lacks $line"
    [[ $(section_of "${line%%=*}") == "$section" ]] || fail "${line%%=*} is not in $section"
  done
  echo "unit keys: as expected"
  if ! command -v systemd-analyze >/dev/null; then
    echo "NOTE: systemd-analyze is missing (package systemd): the unit was checked by parsing only"
    exit 0
  fi
  dir=$work/systemd
  rm -rf "$dir"
  mkdir -p "$dir/runtime"
  chmod 700 "$dir/runtime"
  # systemd-analyze verify checks that ExecStart's program exists: point it at
  # the extracted binary. --user needs a runtime folder, not a running manager.
  sed "s|^ExecStart=/usr/bin/vigil |ExecStart=$root/usr/bin/vigil |" \
    "$root/usr/lib/systemd/user/vigil-watch.service" >"$dir/vigil-watch.service"
  verify() {
    (cd "$dir" && XDG_RUNTIME_DIR="$dir/runtime" MANPATH="$root/usr/share/man" \
       systemd-analyze verify --user "$1" 2>&1) || echo "exit status $?"
  }
  # Control: a misspelt key must be reported here (verify warns, exit 0 or not),
  # or this environment cannot verify anything.
  sed 's/^UMask=/Umask=/' "$dir/vigil-watch.service" >"$dir/vigil-watch-misspelt.service"
  control=$(verify vigil-watch-misspelt.service)
  grep -q "Unknown key 'Umask'" <<<"$control" || fail "systemd-analyze did not report a misspelt key: $control"
  out=$(verify vigil-watch.service)
  [[ -z $out ]] || fail "systemd-analyze verify --user: $out"
  echo "systemd-analyze verify --user: no findings"
  ;;

lintian)
  need lintian lintian
  out=$(lintian --tag-display-limit 0 --display-info --show-overrides --fail-on none "$deb" 2>&1 | grep -v 'running with root privileges' || true)
  echo "${out:-lintian: no findings}"
  errors=$(grep -c '^E: ' <<<"$out" || true)
  warnings=$(grep -c '^W: ' <<<"$out" || true)
  echo "lintian: $errors error(s), $warnings warning(s)"
  [[ $errors == 0 ]] || fail "lintian reports errors"
  ;;

*)
  fail "unknown step $step"
  ;;
esac
