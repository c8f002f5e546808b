#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs the Debian 12 packages Vigil needs to build, test and run its demo.
# Idempotent: installs only what is missing. Uses sudo when not root.
#   packaging/debian-deps.sh            build + test + demo packages
#   packaging/debian-deps.sh --fuzz     also clang and libFuzzer (make fuzz)
#   packaging/debian-deps.sh --print    print the package list and exit
set -euo pipefail

build=(
  cmake ninja-build g++ make pkg-config
  qt6-base-dev libqt6opengl6-dev qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev
  libqt6sql6-sqlite libqt6svg6 qt6-qpa-plugins
  qtkeychain-qt6-dev libsecret-1-0
  libspdlog-dev libyaml-cpp-dev catch2 libsimdjson-dev
  libgl-dev libglx-dev libopengl-dev libvulkan-dev
)
runtime_test=(
  prometheus victoria-metrics prometheus-alertmanager
  dbus dbus-bin dbus-daemon gnome-keyring
  fonts-dejavu-core xauth xvfb curl
  python3 python3-scipy
  dpkg-dev lintian desktop-file-utils appstream librsvg2-bin man-db
)
# make fuzz: clang 14 (Debian 12's) and its runtime libraries, which hold
# libFuzzer (libclang_rt.fuzzer) and clang's ASan/UBSan runtimes.
fuzz=(clang libclang-rt-14-dev)
pkgs=("${build[@]}" "${runtime_test[@]}")
if [[ " $* " == *" --fuzz "* ]]; then pkgs+=("${fuzz[@]}"); fi

if [[ " $* " == *" --print "* ]]; then printf '%s\n' "${pkgs[@]}"; exit 0; fi

missing=()
for p in "${pkgs[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == "installed" ]] || missing+=("$p")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "debian-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "debian-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo=(sudo)
fi
echo "debian-deps: installing ${#missing[@]} missing packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "debian-deps: done"
