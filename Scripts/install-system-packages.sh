#!/usr/bin/env bash
# Installs the Debian packages SmuggleWatch builds and tests against, when any is missing.
set -euo pipefail
packages=(libcurl4-openssl-dev libxml2-dev libsqlite3-dev pkg-config postgresql python3-venv tmux)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "swift is not on PATH: install Swift 6.1 or newer (swift.org) first" >&2; exit 1; }
