# RouterHA — every target installs what it needs (Debian 12, root).
SHELL := /bin/bash
.DEFAULT_GOAL := build

RID      := linux-x64
OUT      := build/$(RID)
BIN      := $(OUT)/routerha
VERSION  := $(shell git describe --tags --always --dirty 2>/dev/null || echo 0.0.0-unknown)
DOTNET   := dotnet
DOTNET_FLAGS := -nologo -v:q -clp:ErrorsOnly
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# Build needs a C toolchain for the NativeAOT link; the lab needs the kernel tools and the real peers.
BUILD_PKGS := clang zlib1g-dev build-essential libsqlite3-0
# scripts/test.sh reads the TRX results with scripts/trx-report.py: python3, not python3-minimal, has xml.etree.
TEST_PKGS  := python3
LAB_PKGS   := iproute2 iputils-ping procps keepalived tcpdump mosquitto mosquitto-clients openssl dnsmasq busybox-static
# Release binaries: the x86_64-openwrt binary is the linux-x64 NativeAOT object relinked against musl.
RELEASE_PKGS := musl-tools musl-dev binutils
# Package tests: a musl-only root (busybox-static + Debian's musl loader) runs the router binary.
PACKAGE_PKGS := busybox-static musl tar gzip zopfli
# musl builds of SQLite and OpenSSL from Debian sources, for the package tests (toolchain/musl-libs.sh): tclsh
# generates the SQLite amalgamation, perl runs OpenSSL's Configure, linux-libc-dev has the uapi headers.
MUSL_LIBS_PKGS := musl-tools musl-dev curl xz-utils tcl perl make binutils linux-libc-dev
# ... and cross-compiled for aarch64: Debian's cross gcc with musl's arm64 specs file and the arm64 uapi headers.
MUSL_LIBS_PKGS += gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu musl-dev:arm64 linux-libc-dev:arm64
# conntrackd: the real daemon behind the conntrackd role action (Router.Integrations.Tests).
LAB_PKGS   += conntrackd
# openvpn: the single-client tunnel stand-in (server in the VPS namespace, client per router) of the HA lab.
LAB_PKGS   += openvpn
# The D-Bus lab: dbus-daemon for a private system bus, busctl (systemd) as the client, setpriv (util-linux) to call as nobody.
LAB_PKGS   += dbus systemd util-linux
# The LuCI app's tests: Debian's chromium, driven headless by Playwright's bundled node driver (no browser download); a font for readable screenshots.
LAB_PKGS   += chromium fonts-dejavu-core

# QEMU router images (toolchain/image/): emulators, depmod and cpio for the builder; the kernels and busybox
# come as .deb downloads into build/image/debs (arm64 ones need the arm64 apt architecture, which build.sh adds).
VM_PKGS := qemu-system-x86 qemu-system-arm kmod cpio gzip xz-utils busybox-static

# make release TARGET=x86_64-glibc|x86_64-openwrt|aarch64-glibc|aarch64-openwrt|armv7-openwrt
# make ipk TARGET=x86_64-openwrt|aarch64-openwrt
TARGET ?= x86_64-openwrt

.PHONY: build deps-build deps-lab deps-test test unit fuzz lab demo bench bench-handoff bench-package clean release ipk deps-release deps-package image vmtest \
        vm-shell deps-vm musl-libs deps-musl-libs format format-check

deps-build:
	@scripts/deps.sh $(BUILD_PKGS)

deps-lab:
	@scripts/deps.sh $(LAB_PKGS)

deps-test:
	@scripts/deps.sh $(TEST_PKGS)

build: deps-build
	$(DOTNET) publish src/Router.Daemon/Router.Daemon.csproj -c Release -r $(RID) -o $(OUT) $(DOTNET_FLAGS) \
	  -p:InformationalVersion=$(VERSION) -p:IncludeSourceRevisionInInformationalVersion=false
	@ls -l $(BIN)

# Unit tests need no root (scripts/test.sh lists which projects those are); lab tests need root and run the
# published binary.
unit: deps-build deps-test
	scripts/test.sh unit

# The decoder properties of tests/Router.Fuzz.Tests at length (`make unit`/`make test` run FuzzRun.DefaultCases per
# property, about a minute in all): FUZZ_CASES cases per property, about 15 minutes on two cores. A failure prints
# the ROUTERHA_FUZZ_SEED and ROUTERHA_FUZZ_CASES that replay it: make fuzz FUZZ_CASES=<cases> FUZZ_SEED=<seed>
FUZZ_CASES ?= 750000
FUZZ_SEED  ?=
fuzz: deps-build
	ROUTERHA_FUZZ_CASES=$(FUZZ_CASES) ROUTERHA_FUZZ_SEED=$(FUZZ_SEED) $(DOTNET) test tests/Router.Fuzz.Tests $(DOTNET_FLAGS) \
	  --logger "console;verbosity=detailed"

# Code style (.editorconfig), with the SDK's own `dotnet format` (nothing to install): format-check fails on
# a violation and runs first in `make test`; format fixes all but naming (IDE1006), which is renamed by hand
# (two passes: one leaves a few `var` fixes that the second applies).
format-check:
	$(DOTNET) format Router.sln --verify-no-changes -v:q

format:
	$(DOTNET) format Router.sln -v:q
	$(DOTNET) format Router.sln -v:q

test: format-check build deps-lab deps-test
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/test.sh

lab: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) $(DOTNET) test tests/Router.Lab.Tests $(DOTNET_FLAGS) --logger "console;verbosity=normal"

demo: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/demo.sh

bench: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/bench.sh

# Only the artifact figures (sizes, start-up, idle memory, start -> BACKUP in the arm64 VM): make bench-package BENCH_ARGS="--reps 3"
bench-package: build deps-lab image
	ROUTERHA_BIN=$(abspath $(BIN)) $(DOTNET) run --project tests/Router.LabTool -c Release -- bench-package $(BENCH_ARGS)

# Only issue 12's handoff scenarios (a few minutes per repetition): make bench-handoff BENCH_ARGS="--reps 1"
bench-handoff: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/bench.sh handoff $(BENCH_ARGS)

deps-release:
	@scripts/deps.sh $(BUILD_PKGS) $(RELEASE_PKGS)

deps-package:
	@scripts/deps.sh $(PACKAGE_PKGS)

release: deps-release
	VERSION=$(VERSION) toolchain/release.sh $(TARGET)

ipk: release deps-package
	VERSION=$(VERSION) scripts/mkipk.sh $(TARGET)

deps-musl-libs:
	@scripts/deps.sh $(MUSL_LIBS_PKGS)

# Cached in build/musl-libs (build/musl-libs-aarch64) by source hash: a no-op when already built.
musl-libs: deps-musl-libs
	toolchain/musl-libs.sh x86_64
	toolchain/musl-libs.sh aarch64

# The package tests (in scripts/test.sh) unpack the ipk and run its binary in a musl-only root; the
# bench reports their sizes.
test bench: ipk
test: musl-libs

deps-vm:
	@scripts/deps.sh $(VM_PKGS)

# The router images for x86_64 and aarch64, each with its ipk and the musl SQLite/OpenSSL it depends on.
image: ipk musl-libs deps-vm
	$(MAKE) --no-print-directory ipk TARGET=aarch64-openwrt VERSION=$(VERSION)
	toolchain/image/build.sh x86_64
	toolchain/image/build.sh aarch64

vmtest: image
	$(DOTNET) test tests/Router.Vm.Tests $(DOTNET_FLAGS) --logger "console;verbosity=normal"

# One router VM of `make image` on the console (quit: poweroff -f, or Ctrl-A X). VM_ARCH=x86_64|aarch64
VM_ARCH ?= x86_64
vm-shell: deps-vm
	toolchain/image/vm-shell.sh $(VM_ARCH)

test bench: image

clean:
	rm -rf build
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
