#!/usr/bin/env bash
# Installs the peer stack of `./tributary bench peers` (Node-RED, node-red-contrib-influxdb, protobufjs at the
# versions of package-lock.json) into a cache directory keyed by the lock file's hash, once; prints that directory.
# Needs node and npm (Debian: nodejs npm), mosquitto and influxd: the launcher installs those with apt-get.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
key="$(sha256sum "$here/package-lock.json" | cut -c1-16)"
dir="${TRIBUTARY_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tributary}/peers/$key"
if [[ ! -d "$dir" ]]; then
  # Installed beside it and renamed when complete: an interrupted or concurrent install never looks finished.
  mkdir -p "$(dirname "$dir")"
  tmp="$(mktemp -d "$dir.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  cp "$here/package.json" "$here/package-lock.json" "$tmp/"
  echo "peers: installing Node-RED, node-red-contrib-influxdb and protobufjs into $dir (npm ci) ..." >&2
  (cd "$tmp" && npm ci --omit=dev --no-audit --no-fund --loglevel=error >&2)
  mv -T "$tmp" "$dir" 2>/dev/null || [[ -d "$dir" ]]
fi
echo "$dir"
