#!/usr/bin/env bash
# Installs the Debian 12 packages Hangar needs to build and test. Idempotent: when every package
# is already installed it does not touch apt at all, so it is cheap to run before every build.
set -euo pipefail

packages=(
  build-essential cmake libcaf-dev libboost-dev libboost-system-dev libssl-dev libsqlite3-dev
  nlohmann-json3-dev catch2 libcli11-dev libspdlog-dev libfmt-dev ca-certificates openssl
  sqlite3 git
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$package")
  fi
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "setup: installing ${missing[*]}" >&2
sudo=()
if ((EUID != 0)); then
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update
"${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
