#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only those missing (idempotent, quiet when done).
# Usage: scripts/deps.sh PKG...
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "deps: need root to install: ${missing[*]}" >&2; exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# PKG:ARCH of a foreign architecture (the arm64 cross build's libc6-dev:arm64, musl-dev:arm64) needs that
# architecture in dpkg first.
for p in "${missing[@]}"; do
  a=${p#*:}
  if [ "$a" != "$p" ] && [ "$a" != "$(dpkg --print-architecture)" ] && ! dpkg --print-foreign-architectures | grep -qx "$a"; then
    dpkg --add-architecture "$a"
  fi
done
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
