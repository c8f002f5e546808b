#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Runs a command on a private X server (Xvfb) with the xcb platform: the tray
# tests need a real windowing system, as the offscreen platform has no tray.
# Xvfb picks a free display itself (-displayfd), so tests may run in parallel.
# Usage: with-xvfb.sh COMMAND [ARGS...]
set -u
dir=$(mktemp -d "${TMPDIR:-/tmp}/vigil-xvfb.XXXXXX") || exit 1
mkfifo "$dir/displayfd" || exit 1
Xvfb -displayfd 3 -screen 0 1600x1000x24 -nolisten tcp -noreset 3>"$dir/displayfd" 2>"$dir/xvfb.log" &
xvfb=$!
cleanup() {
    kill "$xvfb" 2>/dev/null
    wait "$xvfb" 2>/dev/null
    rm -rf "$dir"
}
trap cleanup EXIT INT TERM
# Xvfb writes the display number once it accepts connections.
read -r display <"$dir/displayfd"
if [ -z "$display" ]; then
    echo "with-xvfb.sh: Xvfb did not start:" >&2
    cat "$dir/xvfb.log" >&2
    exit 1
fi
export DISPLAY=":$display"
export QT_QPA_PLATFORM=xcb
# Qt's generic Unix theme, whatever desktop the caller runs: the tray is Qt's
# D-Bus StatusNotifierItem, never a desktop's own platform theme plugin.
export QT_QPA_PLATFORMTHEME=generic
unset XDG_CURRENT_DESKTOP DESKTOP_SESSION KDE_FULL_SESSION GNOME_DESKTOP_SESSION_ID WAYLAND_DISPLAY
"$@"
