#!/usr/bin/env bash
# The real dnsmasq for the router image: Debian bookworm's dnsmasq 2.90 sources, built static against musl (the image
# has no glibc, so Debian's dnsmasq-base cannot run there). Default build options (DHCP, DHCPv6, the lease script);
# no D-Bus, IDN, conntrack or nftables. Prints the binary's path.
# Usage: toolchain/image/dnsmasq.sh x86_64|aarch64. Output: build/image/dnsmasq/ARCH-KEY/dnsmasq (KEY hashes the source
# and this script: an unchanged run does nothing). Network: the Debian mirror only (the tarball is kept in build/musl-src).
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:?usage: toolchain/image/dnsmasq.sh x86_64|aarch64}
case "$arch" in
  x86_64) CC=musl-gcc; STRIP=strip; UAPI_ASM=/usr/include/x86_64-linux-gnu/asm ;;
  aarch64) CC="aarch64-linux-gnu-gcc -specs=/usr/lib/aarch64-linux-musl/musl-gcc.specs -mno-outline-atomics"
    STRIP=aarch64-linux-gnu-strip; UAPI_ASM=/usr/include/aarch64-linux-gnu/asm ;;
  *) echo "dnsmasq: unknown ARCH '$arch' (x86_64 aarch64)" >&2; exit 2 ;;
esac
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Pinned .dsc (sha256 as downloaded from bookworm's pool); a point release that removes it: take the new name and sum
# from $MIRROR/dists/bookworm/main/source/Sources.xz.
DSC=pool/main/d/dnsmasq/dnsmasq_2.90-4~deb12u2.dsc
DSC_SHA256=e962782cd9f298a8c6a92ce6f7434629268f53ddbd9908d40d0bec5f08381c5c
ORIG=dnsmasq_2.90.orig.tar.xz
SRC=build/musl-src
mkdir -p "$SRC"
fetch() { [ -f "$2" ] && return 0; curl -fsS --retry 3 -o "$2.part" "$1" && mv "$2.part" "$2"; }
dsc=$SRC/$(basename "$DSC")
fetch "$MIRROR/$DSC" "$dsc"
echo "$DSC_SHA256  $dsc" | sha256sum -c --quiet - >&2 || { rm -f "$dsc"; echo "dnsmasq: $dsc: checksum mismatch" >&2; exit 1; }
want=$(awk -v f="$ORIG" '/^Checksums-Sha256:/{s=1;next} /^[^ ]/{s=0} s && $3==f {print $1}' "$dsc")
fetch "$MIRROR/$(dirname "$DSC")/$ORIG" "$SRC/$ORIG"
echo "$want  $SRC/$ORIG" | sha256sum -c --quiet - >&2 || { rm -f "$SRC/$ORIG"; echo "dnsmasq: $ORIG: checksum mismatch" >&2; exit 1; }

key=$( { cat "$0" "$SRC/$ORIG"; echo "$arch"; } | sha256sum | cut -c1-16)
out=build/image/dnsmasq/$arch-$key
if [ ! -x "$out/dnsmasq" ]; then
  command -v "${CC%% *}" > /dev/null || { echo "dnsmasq: ${CC%% *} missing (make deps-musl-libs)" >&2; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  tar -xJf "$SRC/$ORIG" -C "$work"
  # musl-gcc sees no kernel headers: the uapi ones of the host's linux-libc-dev, as musl-libs.sh does.
  mkdir -p "$work/inc"
  ln -s /usr/include/linux "$work/inc/linux"
  ln -s /usr/include/asm-generic "$work/inc/asm-generic"
  ln -s "$UAPI_ASM" "$work/inc/asm"
  make -C "$work"/dnsmasq-2.90 -j"$(nproc)" CC="$CC" LDFLAGS=-static COPTS="-I$work/inc" > "$work/build.log" 2>&1 \
    || { tail -20 "$work/build.log" >&2; echo "dnsmasq: build failed" >&2; exit 1; }
  mkdir -p "$out"
  $STRIP -o "$out/dnsmasq" "$work"/dnsmasq-2.90/src/dnsmasq
fi
echo "$out/dnsmasq"
