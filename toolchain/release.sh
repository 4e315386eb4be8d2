#!/usr/bin/env bash
# make release TARGET=...: builds build/release/TARGET/{routerha,needs.txt,SHA256SUMS}.
# Targets: x86_64-glibc, x86_64-openwrt (musl relink of the same NativeAOT object), aarch64-openwrt,
# armv7-openwrt (stop with one line while NuGet has no NativeAOT packs for them). See toolchain/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: toolchain/release.sh TARGET}
version=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-unknown)}
# MSBuild reads environment variables as properties: VERSION would become the assembly/NuGet Version.
unset VERSION
out=build/release/$target
work=build/release/.work

# The one linux-x64 NativeAOT publish both x86_64 targets come from. The recording linker keeps its
# argument list, which the musl relink replays.
publish_linux_x64() {
  mkdir -p "$work"
  # `make build` shares obj/: when its link is up to date MSBuild skips ours and the recorder records nothing.
  # Removing the linked output forces the link step (the IL compile is still reused).
  rm -f src/Router.Daemon/bin/Release/*/linux-x64/native/routerha "$work/link-args.txt"
  ROUTERHA_LINK_RECORD=$PWD/$work/link-args.txt dotnet publish src/Router.Daemon/Router.Daemon.csproj \
    -c Release -r linux-x64 -o "$work/linux-x64" -nologo -v:q -clp:ErrorsOnly \
    -p:InformationalVersion="$version" -p:IncludeSourceRevisionInInformationalVersion=false \
    -p:CppCompilerAndLinker="$PWD/toolchain/link-recorder.sh"
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

# Relinks the glibc build's object and static runtime libraries against musl (dynamic, /lib/ld-musl-x86_64.so.1,
# as OpenWrt has it). Why each change: toolchain/README.md, "x86_64-openwrt".
musl_relink() {
  local objdir=src/Router.Daemon shims=$PWD/$work/musl-shims.o bin=$PWD/$out/routerha
  musl-gcc -c -O2 -fPIC -o "$shims" toolchain/musl-shims.c
  local -a args=() recorded
  mapfile -t recorded < "$work/link-args.txt"
  local skip=0 a
  for a in "${recorded[@]}"; do
    if [ $skip = 1 ]; then skip=0; continue; fi
    case "$a" in
      -o) skip=1 ;;
      -g|-gz=*|-fuse-ld=*|-Wl,-rpath,*) ;;
      *) args+=("$a") ;;
    esac
  done
  # musl gives new threads 128 KiB stacks unless PT_GNU_STACK asks for more; .NET's own musl build uses 1.5 MiB.
  (cd "$objdir" && musl-gcc "${args[@]}" "$shims" -Wl,-z,stack-size=1572864 -o "$bin.unstripped")
  objcopy --strip-debug --strip-unneeded "$bin.unstripped" "$bin"
  rm -f "$bin.unstripped"
}

# Asks NuGet (restore only) whether the NativeAOT packs for a RID exist now, and stops either way:
# without them there is nothing to build; with them the recipe in toolchain/README.md is still manual.
cross_target() {
  local rid=$1 probe=$work/restore-$1 log missing
  rm -rf "$probe"; mkdir -p "$work"
  if log=$(dotnet restore src/Router.Daemon/Router.Daemon.csproj -r "$rid" -nologo -v:q \
       -p:BaseIntermediateOutputPath="$PWD/$probe/" 2>&1); then
    echo "$target: the NativeAOT packs for $rid now restore; the cross build is not automated yet: follow toolchain/README.md" >&2
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
    publish_linux_x64
    mkdir -p "$out"
    cp "$work/linux-x64/routerha" "$out/routerha"
    finish ;;
  x86_64-openwrt)
    scripts/deps.sh clang zlib1g-dev build-essential musl-tools musl-dev
    publish_linux_x64
    mkdir -p "$out"
    musl_relink
    finish ;;
  aarch64-openwrt) cross_target linux-musl-arm64 ;;
  armv7-openwrt) cross_target linux-musl-arm ;;
  *) echo "unknown TARGET '$target' (x86_64-glibc x86_64-openwrt aarch64-openwrt armv7-openwrt)" >&2; exit 2 ;;
esac
