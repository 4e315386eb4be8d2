#!/usr/bin/env bash
# make image: builds the QEMU router image for ARCH (x86_64, aarch64) from Debian packages only:
#   build/image/ARCH/kernel          Debian's kernel (linux-image-*-amd64 / -arm64): the arm64 Image as shipped,
#                                    the x86_64 vmlinux unpacked from the bzImage (boots faster under TCG)
#   build/image/ARCH/rootfs.cpio.gz  initramfs: busybox-static, musl's loader, the kernel modules the VM
#                                    needs (with modules.dep), /init, and routerha's ipk installed
#   build/image/ARCH/manifest.txt    what went in (package versions, the ipk, routerha's sha256)
# Cached: nothing is rebuilt while build/image/ARCH/inputs.sha256 matches the inputs. See toolchain/image/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:?usage: toolchain/image/build.sh x86_64|aarch64}
# ipk_arch: the package architecture whose ipk goes in (the VM's CPU is a Cortex-A53); libs: the musl
# builds of SQLite and OpenSSL (`make musl-libs`) that opkg would install as routerha's dependencies.
case "$arch" in
  x86_64) deb_arch=amd64; kernel_pkg=linux-image-amd64; ipk_arch=x86_64; libs=build/musl-libs/current ;;
  aarch64) deb_arch=arm64; kernel_pkg=linux-image-arm64; ipk_arch=aarch64_cortex-a53; libs=build/musl-libs-aarch64/current ;;
  *) echo "unknown ARCH '$arch' (x86_64 aarch64)" >&2; exit 2 ;;
esac
# Built in (CONFIG_PACKET=y, the PCI host bridges, the consoles); these are modules in Debian's kernels.
modules=(virtio_pci virtio_net)
out=build/image/$arch
debs=build/image/debs
src=toolchain/image

# The arm64 kernel and busybox come from Debian's arm64 archive: apt needs that architecture (download only,
# nothing of it is installed).
if [ "$deb_arch" != "$(dpkg --print-architecture)" ] && ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
  [ "$(id -u)" -eq 0 ] || { echo "image: need root to add the $deb_arch architecture to apt" >&2; exit 1; }
  dpkg --add-architecture "$deb_arch"
  apt-get update -qq
fi

# linux-image-amd64 is a metapackage: the kernel is the versioned package it depends on. A machine whose
# apt lists were cleaned knows no package yet: update once.
kernel_of() { apt-cache depends "$kernel_pkg:$deb_arch" 2>/dev/null | sed -nE 's/^\s*Depends: (linux-image-[^:]*)(:.*)?$/\1/p' | head -1; }
kernel_deb_pkg=$(kernel_of)
if [ -z "$kernel_deb_pkg" ] && [ "$(id -u)" -eq 0 ]; then apt-get update -qq; kernel_deb_pkg=$(kernel_of); fi
[ -n "$kernel_deb_pkg" ] || { echo "image: cannot resolve $kernel_pkg:$deb_arch (apt-get update?)" >&2; exit 1; }
kver=${kernel_deb_pkg#linux-image-}

fetch() {  # PKG -> path of its .deb in $debs (downloaded once)
  local pkg=$1 version file
  version=$(apt-cache policy "$pkg:$deb_arch" | sed -nE 's/^\s*Candidate: (.*)$/\1/p')
  [ -n "$version" ] && [ "$version" != "(none)" ] || { echo "image: no candidate for $pkg:$deb_arch" >&2; exit 1; }
  # apt-get download names the file after the version with its epoch colon escaped.
  file=$debs/${pkg}_${version/:/%3a}_$deb_arch.deb
  if [ ! -f "$file" ]; then
    mkdir -p "$debs"
    (cd "$debs" && apt-get download -qq "$pkg:$deb_arch" 2>&1 | grep -v "couldn't be accessed by user '_apt'" >&2 || true)
    [ -f "$file" ] || { echo "image: apt-get download $pkg:$deb_arch gave no $file" >&2; exit 1; }
  fi
  echo "$file"
}
kernel_deb=$(fetch "$kernel_deb_pkg")
busybox_deb=$(fetch busybox-static)
musl_deb=$(fetch musl)

# routerha as a router gets it: the newest ipk `make ipk` built for this architecture, with its dependencies.
ipk=$(ls -t build/ipk/routerha_*_"$ipk_arch".ipk 2>/dev/null | head -1 || true)
[ -n "$ipk" ] || { echo "image: no build/ipk/routerha_*_$ipk_arch.ipk: make ipk TARGET=$arch-openwrt first" >&2; exit 1; }
for lib in libsqlite3.so.0 libcrypto.so.3 libssl.so.3; do
  [ -f "$libs/$lib" ] || { echo "image: no $libs/$lib: make musl-libs first" >&2; exit 1; }
done

# The real dnsmasq, built from Debian's source against musl (cached in build/image/dnsmasq).
dnsmasq=$(toolchain/image/dnsmasq.sh "$arch")

inputs=$( {
  echo "$arch $kernel_deb $busybox_deb $musl_deb"
  sha256sum "$dnsmasq"
  find "$src" -type f | LC_ALL=C sort | xargs sha256sum
  sha256sum "$ipk" "$libs"/*
} | sha256sum | cut -d' ' -f1)
if [ -f "$out/inputs.sha256" ] && [ "$(cat "$out/inputs.sha256")" = "$inputs" ] && [ -f "$out/kernel" ] && [ -f "$out/rootfs.cpio.gz" ]; then
  echo "image $arch: up to date ($out)"
  exit 0
fi

work=$PWD/$out/.work
rm -rf "$out"; mkdir -p "$work/kernel" "$work/busybox" "$work/musl"
root=$PWD/$out/.root
mkdir -p "$root"
dpkg-deb -x "$kernel_deb" "$work/kernel"
dpkg-deb -x "$busybox_deb" "$work/busybox"
dpkg-deb -x "$musl_deb" "$work/musl"

# Kernel: arm64's Image as shipped. x86_64's bzImage carries the kernel XZ-compressed, and decompressing it
# under emulation costs seconds per boot (measured 19 s vs 11 s to a shell on a loaded 2-core machine):
# the ELF vmlinux inside boots directly through its PVH entry (CONFIG_PVH=y).
vmlinuz=$work/kernel/boot/vmlinuz-$kver
if [ "$arch" = x86_64 ]; then
  xz_at=$(grep -abo $'\xfd7zXZ' "$vmlinuz" | head -1 | cut -d: -f1)
  [ -n "$xz_at" ] || { echo "image: no XZ payload in $vmlinuz" >&2; exit 1; }
  # --single-stream: what follows the payload in the bzImage is not XZ.
  tail -c +$((xz_at + 1)) "$vmlinuz" | xz -dc --single-stream > "$out/kernel" 2>/dev/null || true
  cmp -s -n 4 <(printf '\177ELF') "$out/kernel" || { echo "image: $vmlinuz: the XZ payload is not an ELF vmlinux" >&2; exit 1; }
else
  cp "$vmlinuz" "$out/kernel"
fi

# Modules: the wanted ones and what they depend on, resolved on the full tree, then depmod on the image's.
depmod -b "$work/kernel" "$kver"
mapfile -t kos < <(for m in "${modules[@]}"; do
  modprobe -d "$work/kernel" -S "$kver" --show-depends "$m" | sed -nE 's/^insmod ([^ ]+).*/\1/p'
done | LC_ALL=C sort -u)
for ko in "${kos[@]}"; do
  rel=${ko#"$work/kernel"}
  mkdir -p "$root$(dirname "$rel")"
  cp "$ko" "$root$rel"
done
cp "$work/kernel/lib/modules/$kver/modules.order" "$work/kernel/lib/modules/$kver/modules.builtin"* "$root/lib/modules/$kver/"
depmod -b "$root" "$kver"

# Userland: busybox-static (applets as links) and musl's loader, which is also its libc.so (OpenWrt's layout).
# The image's own files first: a stand-in named like an applet (ifup, ifdown) wins over the link, and cp never
# writes through an applet link (absolute: it would point at the build machine's /bin/busybox).
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,lib,etc/config,etc/init.d,etc/rc.d,proc,sys,dev,tmp,root}
cp -a "$src/rootfs/." "$root/"
ln -s tmp "$root/var"  # OpenWrt: /var is /tmp (RAM)
cp "$work/busybox/bin/busybox" "$root/bin/busybox"
# The applet list comes from the binary itself; the arm64 one cannot run here, and the host's busybox-static
# (same Debian version) gives the same list.
applets=$("$work/busybox/bin/busybox" --list-full 2>/dev/null) || applets=$(busybox --list-full)
for applet in $applets; do
  [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
# The loader is an absolute link to musl's libc.so inside the package: resolve it in the unpacked tree.
loader=$(cd "$work/musl" && find . -name 'ld-musl-*.so.1' | head -1)
target=$(readlink "$work/musl/$loader")
case "$target" in /*) target=$work/musl$target ;; *) target=$work/musl/$(dirname "$loader")/$target ;; esac
cp "$target" "$root/lib/$(basename "$loader")"

# The ipk's files as opkg unpacks them. Its maintainer scripts are not run (they restart dnsmasq and rpcd); what
# the stock default_postinst does on a fresh install, enabling its init scripts, is done below with the image's own.
tar -xzOf "$ipk" ./data.tar.gz | tar -xz -C "$root" --no-same-owner
# The real dnsmasq behind the dnsmasq init stand-in (the image has no glibc: built static against musl).
cp "$dnsmasq" "$root/usr/sbin/dnsmasq"
# Enabled as on a fresh OpenWrt/OMR install: /etc/rc.d/S<START>NAME and K<STOP>NAME links to every init script
# (network, dnsmasq, the VPS clients, omr-schedule, routerha and its early boot hook). /init runs them only for a VM
# that asks for OpenWrt's boot (VM_START=boot).
for script in "$root"/etc/init.d/*; do
  name=${script##*/}
  start=$(sed -n 's/^START=\([0-9]*\).*/\1/p' "$script" | head -1)
  stop=$(sed -n 's/^STOP=\([0-9]*\).*/\1/p' "$script" | head -1)
  [ -n "$start" ] && ln -s "../init.d/$name" "$root/etc/rc.d/S$start$name"
  [ -n "$stop" ] && ln -s "../init.d/$name" "$root/etc/rc.d/K$stop$name"
done
mkdir -p "$root/usr/lib"
cp "$libs"/libsqlite3.so.0 "$libs"/libcrypto.so.3 "$libs"/libssl.so.3 "$root/usr/lib/"

# Reproducible archive: fixed times, uid 0, sorted names, device-independent inode numbers.
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) | gzip -n -1 > "$out/rootfs.cpio.gz"

{
  echo "arch $arch"
  echo "kernel $(basename "$kernel_deb") ($kver)$([ "$arch" = x86_64 ] && echo ", vmlinux unpacked from its bzImage")"
  echo "busybox $(basename "$busybox_deb")"
  echo "musl $(basename "$musl_deb") -> /lib/$(basename "$loader")"
  echo "modules ${kos[*]##*/}"
  echo "dnsmasq $(sha256sum "$dnsmasq" | cut -d' ' -f1 | cut -c1-16) from Debian's dnsmasq 2.90 source, static musl"
  echo "routerha $(sha256sum "$root/usr/sbin/routerha" | cut -d' ' -f1) from $(basename "$ipk")"
  echo "libs $(cd "$libs" && sha256sum libsqlite3.so.0 libcrypto.so.3 libssl.so.3 | awk '{ printf "%s %s ", $2, substr($1, 1, 16) }')from build/$(basename "$(dirname "$libs")")/$(readlink "$libs")"
} > "$out/manifest.txt"
rm -rf "$work" "$root"
echo "$inputs" > "$out/inputs.sha256"
echo "image $arch: $out/kernel $(stat -c %s "$out/kernel") bytes, $out/rootfs.cpio.gz $(stat -c %s "$out/rootfs.cpio.gz") bytes"
sed 's/^/  /' "$out/manifest.txt"
