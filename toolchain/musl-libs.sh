#!/bin/bash
# Builds the two native libraries the *-openwrt binaries load at run time, against musl, from
# Debian bookworm's source packages: libsqlite3.so.0 (the lease store) and libcrypto.so.3 + libssl.so.3
# (.NET's crypto shim: peer channel HMAC, MQTT TLS). Debian ships none of them built for musl; OpenWrt
# ships them as libsqlite3 and libopenssl3. The package tests install them into the musl-only root.
#
# Usage: toolchain/musl-libs.sh [x86_64|aarch64]   (x86_64 by default; aarch64 is cross-compiled with
# Debian's gcc-aarch64-linux-gnu and musl's specs file from musl-dev:arm64).
# Output: build/musl-libs/KEY/{libsqlite3.so.0,libcrypto.so.3,libssl.so.3} and build/musl-libs/current
# pointing at it (build/musl-libs-aarch64/... for aarch64). KEY hashes the sources, this script and the
# architecture, so a run with all unchanged does nothing.
# Network: the Debian mirror only (the tarballs are kept in build/musl-src).
set -euo pipefail
cd "$(dirname "$0")/.."
ARCH=${1:-x86_64}
case "$ARCH" in
  x86_64)
    CC=musl-gcc; STRIP=strip; NM=nm; MUSL_LIBC=/usr/lib/x86_64-linux-musl/libc.so; OUT=build/musl-libs
    SQLITE_HOST=(); OPENSSL_TARGET=linux-x86_64; UAPI_ASM=/usr/include/x86_64-linux-gnu/asm ;;
  aarch64)
    # -mno-outline-atomics: gcc's default on aarch64 calls libgcc's LSE helpers, whose initialiser in the cross
    # (glibc) libgcc reads glibc's private __getauxval, which musl does not have: the library would not load.
    CC="aarch64-linux-gnu-gcc -specs=/usr/lib/aarch64-linux-musl/musl-gcc.specs -mno-outline-atomics"
    STRIP=aarch64-linux-gnu-strip; NM=aarch64-linux-gnu-nm; MUSL_LIBC=/usr/lib/aarch64-linux-musl/libc.so
    OUT=build/musl-libs-aarch64
    SQLITE_HOST=(--host=aarch64-linux-musl); OPENSSL_TARGET=linux-aarch64; UAPI_ASM=/usr/include/aarch64-linux-gnu/asm ;;
  *) echo "musl-libs: unknown ARCH '$ARCH' (x86_64 aarch64)" >&2; exit 2 ;;
esac

MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Pinned .dsc files (sha256 from bookworm's Sources.xz). A Debian point release removes them from the pool:
# then take the new names and sums from $MIRROR/dists/bookworm/main/source/Sources.xz.
OPENSSL_DSC=pool/main/o/openssl/openssl_3.0.20-1~deb12u2.dsc
OPENSSL_DSC_SHA256=a614474a2773c23b10c0d65f4eccbcf93fdac4749afb7c26d76e1b0340154d3d
OPENSSL_ORIG=openssl_3.0.20.orig.tar.gz
SQLITE_DSC=pool/main/s/sqlite3/sqlite3_3.40.1-2+deb12u2.dsc
SQLITE_DSC_SHA256=ee3459ae9d00939741c7708fc1b8ce1bde12d8c3fb1dfa005bbbc8651d884e23
SQLITE_ORIG=sqlite3_3.40.1.orig.tar.xz

SRC=build/musl-src
mkdir -p "$SRC" "$OUT"

fetch() { # URL FILE: download once; a partial download never survives under the final name
  [ -f "$2" ] && return 0
  curl -fsS --retry 3 -o "$2.part" "$1" && mv "$2.part" "$2"
}

# The .dsc is checked against its pinned sum, the orig tarball against the sum the .dsc lists.
source_tarball() { # DSC DSC_SHA256 ORIG
  local dsc="$SRC/$(basename "$1")"
  fetch "$MIRROR/$1" "$dsc"
  echo "$2  $dsc" | sha256sum -c --quiet - || { rm -f "$dsc"; echo "musl-libs: $dsc: checksum mismatch" >&2; exit 1; }
  local want
  want=$(awk -v f="$3" '/^Checksums-Sha256:/{s=1;next} /^[^ ]/{s=0} s && $3==f {print $1}' "$dsc")
  [ -n "$want" ] || { echo "musl-libs: $dsc lists no $3" >&2; exit 1; }
  fetch "$MIRROR/$(dirname "$1")/$3" "$SRC/$3"
  echo "$want  $SRC/$3" | sha256sum -c --quiet - || { rm -f "$SRC/$3"; echo "musl-libs: $3: checksum mismatch" >&2; exit 1; }
}

source_tarball "$OPENSSL_DSC" "$OPENSSL_DSC_SHA256" "$OPENSSL_ORIG"
source_tarball "$SQLITE_DSC" "$SQLITE_DSC_SHA256" "$SQLITE_ORIG"

KEY=$( { cat "$0" "$SRC/$OPENSSL_ORIG" "$SRC/$SQLITE_ORIG"; echo "$ARCH"; } | sha256sum | cut -c1-16)
DEST="$OUT/$KEY"
if [ -f "$DEST/libssl.so.3" ] && [ -f "$DEST/libcrypto.so.3" ] && [ -f "$DEST/libsqlite3.so.0" ]; then
  ln -sfn "$KEY" "$OUT/current"
  exit 0
fi

command -v "${CC%% *}" >/dev/null || { echo "musl-libs: ${CC%% *} missing (make deps-musl-libs)" >&2; exit 1; }
WORK=$(mktemp -d "$PWD/$OUT/work.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
JOBS=$(nproc)
start=$(date +%s)

# SQLite: the amalgamation (generated with the host's tclsh), one shared object. Thread-safe, plus the two
# API additions Debian's libsqlite3-0 also has (column metadata, unlock notify); no extensions (FTS, R-tree).
tar -xJf "$SRC/$SQLITE_ORIG" -C "$WORK"
(
  cd "$WORK"/sqlite3-*/
  ./configure "${SQLITE_HOST[@]}" CC="$CC" --disable-tcl --disable-readline >configure.log 2>&1 || { cat configure.log >&2; exit 1; }
  make sqlite3.c >make.log 2>&1 || { cat make.log >&2; exit 1; }
  $CC -shared -fPIC -O2 -DSQLITE_THREADSAFE=1 -DSQLITE_ENABLE_COLUMN_METADATA -DSQLITE_ENABLE_UNLOCK_NOTIFY \
    -Wl,-soname,libsqlite3.so.0 -o libsqlite3.so.0 sqlite3.c -lpthread -lm
)
sqlite_done=$(date +%s)

# OpenSSL 3.0: the default feature set, with its assembler. musl-gcc's include path has no Linux uapi
# headers (OpenWrt's toolchain does): secure memory needs <linux/mman.h>, so the host's (linux-libc-dev,
# libc-independent) are added; the AF_ALG engine and kernel TLS stay off, as routerha uses neither.
# Only the two shared libraries are built (build_libs would compile every file a second time for the .a).
mkdir -p "$WORK/uapi"
ln -s /usr/include/linux "$WORK/uapi/linux"
ln -s /usr/include/asm-generic "$WORK/uapi/asm-generic"
ln -s "$UAPI_ASM" "$WORK/uapi/asm"
tar -xzf "$SRC/$OPENSSL_ORIG" -C "$WORK"
(
  cd "$WORK"/openssl-*/
  # OpenSSL embeds its build date ("built on:"); the release's own date keeps the library reproducible.
  SOURCE_DATE_EPOCH=$(stat -c %Y VERSION.dat)
  export SOURCE_DATE_EPOCH
  # Relative: the flags end up in the library ("compiler:"), and WORK's name is random.
  ./Configure "$OPENSSL_TARGET" shared no-tests no-afalgeng no-ktls -isystem../uapi \
    --prefix=/usr --libdir=lib --openssldir=/etc/ssl CC="$CC" >configure.log 2>&1 || { cat configure.log >&2; exit 1; }
  { make -j"$JOBS" build_generated && make -j"$JOBS" libcrypto.so.3 libssl.so.3; } >make.log 2>&1 || { tail -50 make.log >&2; exit 1; }
)
openssl_done=$(date +%s)

mkdir -p "$WORK/out"
cp "$WORK"/sqlite3-*/libsqlite3.so.0 "$WORK"/openssl-*/libcrypto.so.3 "$WORK"/openssl-*/libssl.so.3 "$WORK/out/"
$STRIP --strip-unneeded "$WORK"/out/*

# Every symbol the libraries need must come from musl's libc or from each other (libssl from libcrypto): a
# toolchain leak (a glibc-private symbol such as __getauxval) fails here, not at the router's first dlopen.
defined=$( { "$NM" -D --defined-only "$MUSL_LIBC" "$WORK"/out/*.so* | awk 'NF == 3 { print $3 }'; } | sed 's/@.*//' | sort -u)
for lib in "$WORK"/out/*; do
  missing=$("$NM" -D --undefined-only "$lib" | awk '$1 == "U" { print $2 }' | sed 's/@.*//' | sort -u | comm -23 - <(echo "$defined"))
  # Weak references (w) may stay unresolved; only strong ones (U) are checked.
  [ -z "$missing" ] || { echo "musl-libs $ARCH: $(basename "$lib") needs symbols musl does not have: $(echo $missing)" >&2; exit 1; }
done
rm -rf "$DEST"
mv "$WORK/out" "$DEST"
ln -sfn "$KEY" "$OUT/current"
# Builds of older sources or of an older version of this script.
find "$OUT" -mindepth 1 -maxdepth 1 -type d -regextype posix-extended -regex '.*/[0-9a-f]{16}' ! -name "$KEY" -exec rm -rf {} +
echo "musl-libs $ARCH: built in $DEST (sqlite $((sqlite_done - start)) s, openssl $((openssl_done - sqlite_done)) s, $JOBS jobs):"
ls -l "$DEST"
