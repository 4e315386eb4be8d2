#!/usr/bin/env bash
# make ipk TARGET=x86_64-openwrt|aarch64-openwrt: build/ipk/routerha_<version>_<arch>.ipk from the release binary and
# openwrt-feed/net/routerha, without the OpenWrt SDK. The format is OpenWrt's: a gzip'd tar holding
# ./debian-binary, ./data.tar.gz and ./control.tar.gz. Reproducible: fixed owner, order and mtime
# (the commit time), gzip without names or times.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: scripts/mkipk.sh TARGET}
# opkg installs a package only when its Architecture is one of the router's `arch` lines (the target's
# package architecture, e.g. aarch64_cortex-a53), so an aarch64 router needs the ipk named for its own:
# one ipk per architecture people meet, each with the same binary (built for plain ARMv8-A, which they all run).
case "$target" in
  x86_64-openwrt) archs=(x86_64) ;;
  aarch64-openwrt) archs=(aarch64_generic aarch64_cortex-a53 aarch64_cortex-a72 aarch64_cortex-a76) ;;
  *) echo "mkipk: no ipk for TARGET '$target' (x86_64-openwrt, aarch64-openwrt; armv7 cannot be built here, see toolchain/README.md)" >&2; exit 2 ;;
esac
bin=build/release/$target/routerha
[ -x "$bin" ] || { echo "mkipk: $bin missing: make release TARGET=$target" >&2; exit 1; }

describe=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo unknown)}
# opkg compares versions Debian-style: v1.2.0-3-gabc -> 1.2.0-3-gabc; without a release tag (a bare
# commit hash, which may start with a digit) 0.0.0-gabc.
version=${describe#v}
[[ $version =~ ^[0-9]+(\.[0-9]+)+ ]] || version=0.0.0-g$version
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}

feed=openwrt-feed/net/routerha
pack() { # DIR OUT: a reproducible tar.gz of DIR's contents as ./...
  tar --format=gnu --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C "$1" -cf - . | gzip -9n > "$2"
}

# data.tar.gz, the bulk of the ipk, through zopfli: a plain gzip stream (opkg's and busybox's gunzip read it) about
# 3 % smaller than gzip -9 (4,051,457 -> 3,939,083 bytes for the x86_64 binary), which keeps the ipk under 4 MB.
# Its header has no name and mtime 0, so it stays reproducible. ~20 s per call: the aarch64 ipks share one.
pack_data() { # DIR OUT
  tar --format=gnu --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
    -C "$1" -cf "$2.tar" .
  zopfli --i5 -c "$2.tar" > "$2"
  rm -f "$2.tar"
}
data_gz=

ipk_for() { # ARCH
  local arch=$1 stage=build/ipk/.stage-$1 installed_size out
  rm -rf "$stage"
  mkdir -p "$stage/data" "$stage/control"

  # dest, mode, source: the same layout as Package/routerha/install in $feed/Makefile.
  while read -r dest mode src; do
    install -D -m "$mode" "$src" "$stage/data$dest"
  done <<EOF_FILES
/usr/sbin/routerha 0755 $bin
/etc/init.d/routerha 0755 $feed/files/routerha.init
/etc/init.d/routerha-boot 0755 $feed/files/routerha.boot
/etc/config/routerha 0600 $feed/files/routerha.config
/etc/hotplug.d/dhcp/50-routerha 0644 $feed/files/routerha.hotplug
/usr/libexec/rpcd/routerha 0755 $feed/files/routerha.rpcd
EOF_FILES
  find "$stage/data" -type d -exec chmod 0755 {} +

  installed_size=$(find "$stage/data" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@INSTALLED_SIZE@/$installed_size/" \
    "$feed/ipk/control.in" > "$stage/control/control"
  chmod 0644 "$stage/control/control"
  echo /etc/config/routerha > "$stage/control/conffiles"
  chmod 0644 "$stage/control/conffiles"
  install -m 0755 "$feed/ipk/postinst" "$feed/ipk/prerm" "$stage/control/"
  echo 2.0 > "$stage/debian-binary"

  # The data is the same for every package architecture of a target: compressed once.
  if [ -z "$data_gz" ]; then
    data_gz=build/ipk/.data-$target.tar.gz
    pack_data "$stage/data" "$data_gz"
  fi
  cp "$data_gz" "$stage/data.tar.gz"
  pack "$stage/control" "$stage/control.tar.gz"
  touch -d "@$epoch" "$stage/debian-binary" "$stage/data.tar.gz" "$stage/control.tar.gz"
  out=build/ipk/routerha_${version}_${arch}.ipk
  tar --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$stage" \
    -cf - ./debian-binary ./data.tar.gz ./control.tar.gz | gzip -9n > "$out"
  rm -rf "$stage"
  echo "$out $(stat -c %s "$out") bytes (installed $installed_size bytes)"
}

# build/ipk/luci-app-routerha_<version>_all.ipk: luci-app/ laid out as luci.mk installs it (htdocs/ under /www,
# root/ under /), the same for every target.
luci_ipk() {
  local app=luci-app stage=build/ipk/.stage-luci installed_size out
  rm -rf "$stage"
  mkdir -p "$stage/data/www" "$stage/control"
  if [ -d "$app/htdocs" ]; then cp -R "$app/htdocs/." "$stage/data/www/"; fi
  cp -R "$app/root/." "$stage/data/"
  find "$stage/data" -type d -exec chmod 0755 {} +
  find "$stage/data" -type f -exec chmod 0644 {} +

  installed_size=$(find "$stage/data" -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')
  sed -e "s/@VERSION@/$version/" -e "s/@INSTALLED_SIZE@/$installed_size/" "$app/ipk/control.in" > "$stage/control/control"
  chmod 0644 "$stage/control/control"
  install -m 0755 "$app/ipk/postinst" "$stage/control/"
  echo 2.0 > "$stage/debian-binary"
  pack "$stage/data" "$stage/data.tar.gz"
  pack "$stage/control" "$stage/control.tar.gz"
  touch -d "@$epoch" "$stage/debian-binary" "$stage/data.tar.gz" "$stage/control.tar.gz"
  out=build/ipk/luci-app-routerha_${version}_all.ipk
  tar --format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -C "$stage" \
    -cf - ./debian-binary ./data.tar.gz ./control.tar.gz | gzip -9n > "$out"
  rm -rf "$stage"
  echo "$out $(stat -c %s "$out") bytes (installed $installed_size bytes)"
}

for arch in "${archs[@]}"; do ipk_for "$arch"; done
rm -f "$data_gz"
luci_ipk
