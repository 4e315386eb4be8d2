#!/bin/sh
# Stands in for the C linker of the NativeAOT publish: links the glibc binary with clang as usual and
# keeps the exact argument list in $ROUTERHA_LINK_RECORD, so the same object and static runtime
# libraries can be linked again against musl (toolchain/musl-relink.sh) without a second IL compile.
set -eu
: "${ROUTERHA_LINK_RECORD:?ROUTERHA_LINK_RECORD must name the file that receives the link arguments}"
printf '%s\n' "$@" > "$ROUTERHA_LINK_RECORD"
exec clang "$@"
