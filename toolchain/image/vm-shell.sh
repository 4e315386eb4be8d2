#!/usr/bin/env bash
# make vm-shell [VM_ARCH=aarch64]: boots one router VM from build/image/ARCH with its console on this
# terminal (quit: `poweroff -f` in the VM, or Ctrl-A X). Its lan NIC (MAC 52:54:00:00:00:01, 10.0.0.1/24,
# see /etc/vm.conf) is on a loopback-only multicast segment: VM_LAN_PORT=N (default random); a second
# `make vm-shell VM_LAN_PORT=N VM_LAN_MAC=52:54:00:00:00:02` on the same port shares that LAN (give it
# another address with `ip addr` then).
set -euo pipefail
cd "$(dirname "$0")/../.."
arch=${1:-x86_64}
case "$arch" in
  x86_64) qemu=(qemu-system-x86_64 -M pc -accel tcg); console=ttyS0 ;;
  aarch64) qemu=(qemu-system-aarch64 -M virt -cpu cortex-a53 -accel tcg); console=ttyAMA0 ;;
  *) echo "unknown ARCH '$arch' (x86_64 aarch64)" >&2; exit 2 ;;
esac
dir=build/image/$arch
[ -f "$dir/kernel" ] && [ -f "$dir/rootfs.cpio.gz" ] || { echo "no image in $dir: make image" >&2; exit 1; }
port=${VM_LAN_PORT:-$((20000 + RANDOM % 40000))}
mac=${VM_LAN_MAC:-52:54:00:00:00:01}
echo "vm-shell: $arch, lan $mac on segment 230.0.0.1:$port (loopback); quit with poweroff -f or Ctrl-A X" >&2
exec "${qemu[@]}" -nodefaults -no-user-config -display none -no-reboot -m 256 \
  -kernel "$dir/kernel" -initrd "$dir/rootfs.cpio.gz" -append "console=$console quiet panic=-1" \
  -serial mon:stdio \
  -netdev "socket,id=lan,mcast=230.0.0.1:$port,localaddr=127.0.0.1" -device "virtio-net-pci,netdev=lan,mac=$mac"
