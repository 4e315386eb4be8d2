#!/usr/bin/env bash
# make release TARGET=...: builds build/release/TARGET/{routerha,needs.txt,SHA256SUMS}.
# Targets: x86_64-glibc, x86_64-openwrt (musl relink of the same NativeAOT object), aarch64-glibc,
# aarch64-openwrt (the same for linux-arm64, cross-built), armv7-openwrt (stops with one line while NuGet has
# no NativeAOT packs for it). See toolchain/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: toolchain/release.sh TARGET}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-unknown)}
# MSBuild reads environment variables as properties: VERSION would become the assembly/NuGet Version.
unset VERSION
out=build/release/$target
work=build/release/.work

# The one NativeAOT publish per architecture that the glibc and the musl binary both come from. The recording
# linker keeps its argument list, which the musl relink replays.
publish() {
  local rid=$1; shift
  mkdir -p "$work"
  # `make build` shares obj/: when its link is up to date MSBuild skips ours and the recorder records nothing.
  # Removing the linked output forces the link step (the IL compile is still reused).
  rm -f src/Router.Daemon/bin/Release/*/"$rid"/native/routerha "$work/link-args-$rid.txt"
  ROUTERHA_LINK_RECORD=$PWD/$work/link-args-$rid.txt dotnet publish src/Router.Daemon/Router.Daemon.csproj \
    -c Release -r "$rid" -o "$work/$rid" -nologo -v:q -clp:ErrorsOnly \
    -p:InformationalVersion="$version" -p:IncludeSourceRevisionInInformationalVersion=false \
    -p:CppCompilerAndLinker="$PWD/toolchain/link-recorder.sh" "$@"
  [ -s "$work/link-args-$rid.txt" ] || { echo "$target: the publish for $rid linked nothing (no link-args-$rid.txt)" >&2; exit 1; }
}

# The arm64 build runs on this x86_64 machine: the IL compiler is the linux-x64 one, the runtime libraries
# the linux-arm64 pack's, the link clang --target=aarch64-linux-gnu over Debian's arm64 glibc (multiarch
# libc6-dev:arm64) and the cross gcc's crt files, the strip llvm-objcopy (the host objcopy cannot read arm64).
publish_linux_arm64() {
  scripts/deps.sh clang llvm build-essential gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu libc6-dev:arm64 "$@"
  publish linux-arm64 -p:ObjCopyName=llvm-objcopy
}

# The linked binary's runtime needs, one per line: the ELF interpreter and each DT_NEEDED library.
describe_needs() {
  readelf -l "$1" | sed -nE 's/.*Requesting program interpreter: (.*)\]/interpreter \1/p'
  readelf -d "$1" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/needed \1/p'
}

finish() {
  describe_needs "$out/routerha" > "$out/needs.txt"
  (cd "$out" && sha256sum routerha > SHA256SUMS)
  echo "$target: $out/routerha $(stat -c %s "$out/routerha") bytes, version $version"
  sed 's/^/  /' "$out/needs.txt"
}

# Relinks the glibc build's object and static runtime libraries against musl (dynamic, /lib/ld-musl-ARCH.so.1,
# as OpenWrt has it). Why each change: toolchain/README.md, "x86_64-openwrt" and "aarch64-openwrt".
# $1: the RID whose link is replayed; $2...: the musl C compiler driver (musl-gcc, or the cross gcc with
# musl's specs file); the strip tool is $STRIP.
musl_relink() {
  local rid=$1; shift
  local -a cc=("$@")
  local objdir=src/Router.Daemon shims=$PWD/$work/musl-shims-$rid.o bin=$PWD/$out/routerha
  "${cc[@]}" -c -O2 -fPIC -o "$shims" toolchain/musl-shims.c
  local -a args=() recorded
  mapfile -t recorded < "$work/link-args-$rid.txt"
  local skip=0 a
  for a in "${recorded[@]}"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in
      -o) skip=1 ;;
      -g|-gz=*|-fuse-ld=*|-Wl,-rpath,*|--target=*) ;;
      *) args+=("$a") ;;
    esac
  done
  # musl gives new threads 128 KiB stacks unless PT_GNU_STACK asks for more; .NET's own musl build uses 1.5 MiB.
  (cd "$objdir" && "${cc[@]}" "${args[@]}" "$shims" -Wl,-z,stack-size=1572864 -o "$bin.unstripped")
  strip_to "$bin.unstripped" "$bin"
  rm -f "$bin.unstripped"
}

strip_to() { "${STRIP:-objcopy}" --strip-debug --strip-unneeded "$1" "$2"; }

# Asks NuGet (restore only) whether the NativeAOT packs for a RID exist now, and stops either way:
# without them there is nothing to build; with them the armv7 cross build (as for arm64) is still to be written.
# linux-arm (glibc) is the RID to ask for: its packs are what a musl relink starts from, as for x86_64 and arm64.
cross_target() {
  local rid=$1 probe=$work/restore-$1 log missing
  rm -rf "$probe"; mkdir -p "$work"
  if log=$(dotnet restore src/Router.Daemon/Router.Daemon.csproj -r "$rid" -nologo -v:q \
       -p:BaseIntermediateOutputPath="$PWD/$probe/" 2>&1); then
    echo "$target: the NativeAOT packs for $rid now restore; the armv7 cross build is not written yet (toolchain/README.md)" >&2
    exit 3
  fi
  missing=$(grep -oE "Unable to find package [A-Za-z0-9.-]*[A-Za-z0-9]" <<<"$log" | awk '{ print $5 }' | grep -vi aspnetcore | sort -u | paste -sd ' ' -)
  if [ -n "$missing" ]; then
    echo "$target: cannot build: NuGet has no NativeAOT packs for $rid: $missing" >&2
  else
    echo "$target: cannot build: restoring for $rid failed: $(grep -m1 -E 'error' <<<"$log")" >&2
  fi
  exit 3
}

case "$target" in
  x86_64-glibc)
    scripts/deps.sh clang zlib1g-dev build-essential
    publish linux-x64
    mkdir -p "$out"
    cp "$work/linux-x64/routerha" "$out/routerha"
    finish ;;
  x86_64-openwrt)
    scripts/deps.sh clang zlib1g-dev build-essential musl-tools musl-dev
    publish linux-x64
    mkdir -p "$out"
    musl_relink linux-x64 musl-gcc
    finish ;;
  aarch64-glibc)
    publish_linux_arm64
    mkdir -p "$out"
    STRIP=aarch64-linux-gnu-objcopy strip_to "$work/linux-arm64/routerha" "$out/routerha"
    finish ;;
  aarch64-openwrt)
    publish_linux_arm64 musl-dev:arm64
    mkdir -p "$out"
    STRIP=aarch64-linux-gnu-objcopy musl_relink linux-arm64 \
      aarch64-linux-gnu-gcc -specs=/usr/lib/aarch64-linux-musl/musl-gcc.specs
    finish ;;
  armv7-openwrt) cross_target linux-arm ;;
  *) echo "unknown TARGET '$target' (x86_64-glibc x86_64-openwrt aarch64-glibc aarch64-openwrt armv7-openwrt)" >&2; exit 2 ;;
esac
