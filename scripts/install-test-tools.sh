#!/usr/bin/env bash
# Installs the system tools that the vj tests drive, with apt-get on Debian or
# Ubuntu: OSC peers (liblo-tools), a private D-Bus session bus with an MPRIS
# player (dbus-daemon, mpv, mpv-mpris, playerctl), tmux, audio tools (sox,
# ffmpeg, libasound2), a PulseAudio null sink that paces ALSA capture in real
# time (pulseaudio, pulseaudio-utils, libasound2-plugins), network namespaces
# (iproute2, util-linux), pyzmq (python3-zmq) for a Python client of the bus
# and pyliblo (python3-liblo) for OSC blobs and bundles.
#
# Run it as root. When every tool is already present it exits at once without
# calling apt-get, so running it before each test run costs nothing.
# apt-get output goes to a log file in the temporary folder, and the script
# prints the end of that log when a step fails.
set -euo pipefail

# Executables that the tests look up on PATH.
TOOLS=(oscsend oscdump oscsendfile dbus-daemon mpv playerctl tmux sox ffmpeg ip unshare pulseaudio pactl)

# Debian packages to install. "a|b" installs the first name that apt-cache
# finds, because Debian 12 calls them dbus-daemon and libasound2, while older releases
# ship dbus-daemon inside dbus and Debian 13 and Ubuntu 24.04 renamed libasound2
# to libasound2t64.
PACKAGES=(liblo-tools 'dbus-daemon|dbus' mpv mpv-mpris playerctl tmux sox
  'libasound2|libasound2t64' ffmpeg iproute2 util-linux python3-zmq python3-liblo
  pulseaudio pulseaudio-utils libasound2-plugins)

# The mpv-mpris package installs this plugin, which mpv loads by itself.
MPRIS_PLUGIN=/etc/mpv/scripts/mpris.so

# Prints the tools, libraries and files that are missing, one per line.
list_missing() {
  local tool ldconfig
  for tool in "${TOOLS[@]}"; do
    command -v "$tool" >/dev/null 2>&1 || echo "$tool"
  done

  ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
  # grep without -q reads all of ldconfig's output, so ldconfig never gets
  # SIGPIPE and the pipeline's status under pipefail is grep's.
  if ! "$ldconfig" -p 2>/dev/null | grep 'libasound\.so\.2' >/dev/null; then
    echo libasound.so.2
  fi

  [ -e "$MPRIS_PLUGIN" ] || echo "$MPRIS_PLUGIN"

  # pyzmq and pyliblo for Debian's own Python, which drives the Python client
  # in the bus tests and sends OSC blobs and bundles in the OSC tests.
  /usr/bin/python3 -c 'import zmq' >/dev/null 2>&1 || echo python3-zmq
  /usr/bin/python3 -c 'import liblo' >/dev/null 2>&1 || echo python3-liblo

  # ALSA's PulseAudio plugin, which the paced capture device of the audio tests uses.
  [ -n "$(find /usr/lib -name 'libasound_module_pcm_pulse.so' -print -quit 2>/dev/null)" ] ||
    echo libasound_module_pcm_pulse.so
}

# Prints the first of the "|"-separated package names that apt-cache finds.
resolve_package() {
  local name
  local -a names
  IFS='|' read -r -a names <<<"$1"
  for name in "${names[@]}"; do
    if apt-cache show --no-all-versions "$name" >/dev/null 2>&1; then
      echo "$name"
      return 0
    fi
  done
  echo "install-test-tools: no apt package named ${1//|/ or } was found; check the sources in /etc/apt" >&2
  return 1
}

now_ms() {
  echo $(($(date +%s%N) / 1000000))
}

fail() {
  echo "install-test-tools: $1 failed; last lines of $log:" >&2
  tail -n 25 "$log" >&2
  exit 1
}

mapfile -t missing < <(list_missing)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-tools: all test tools are present; nothing to install"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-test-tools: missing ${missing[*]}; run this script as root to install them" >&2
  exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-test-tools: missing ${missing[*]}, and apt-get was not found; install them by hand" >&2
  exit 1
fi

started_ms=$(now_ms)
log=$(mktemp -t vj-install-test-tools.XXXXXX)
export DEBIAN_FRONTEND=noninteractive
# Wait up to 120 s for another apt or dpkg run to release its lock instead of failing.
apt_options=(-qq -o DPkg::Lock::Timeout=120)
echo "install-test-tools: missing ${missing[*]}; installing with apt-get (log: $log)"

apt-get "${apt_options[@]}" update >>"$log" 2>&1 </dev/null || fail 'apt-get update'

packages=()
for entry in "${PACKAGES[@]}"; do
  package=$(resolve_package "$entry") || exit 1
  packages+=("$package")
done

apt-get "${apt_options[@]}" install -y --no-install-recommends "${packages[@]}" >>"$log" 2>&1 </dev/null ||
  fail 'apt-get install'

mapfile -t still_missing < <(list_missing)
if [ "${#still_missing[@]}" -gt 0 ]; then
  echo "install-test-tools: ${still_missing[*]} still missing after apt-get installed ${packages[*]} (log: $log)" >&2
  exit 1
fi

elapsed_ms=$(($(now_ms) - started_ms))
printf 'install-test-tools: installed %s in %d.%d s\n' "${packages[*]}" $((elapsed_ms / 1000)) $((elapsed_ms % 1000 / 100))
rm -f "$log"
