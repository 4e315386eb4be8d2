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
LAB_PKGS   := iproute2 iputils-ping procps keepalived tcpdump dnsmasq busybox-static

.PHONY: build deps-build deps-lab test unit lab demo bench clean

deps-build:
	@scripts/deps.sh $(BUILD_PKGS)

deps-lab:
	@scripts/deps.sh $(LAB_PKGS)

build: deps-build
	$(DOTNET) publish src/Router.Daemon/Router.Daemon.csproj -c Release -r $(RID) -o $(OUT) $(DOTNET_FLAGS) \
	  -p:InformationalVersion=$(VERSION) -p:IncludeSourceRevisionInInformationalVersion=false
	@ls -l $(BIN)

# Unit tests need no root; lab tests need root and run the published binary.
unit: deps-build
	$(DOTNET) test tests/Router.Core.Tests $(DOTNET_FLAGS) --logger "console;verbosity=normal"

test: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/test.sh

lab: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) $(DOTNET) test tests/Router.Lab.Tests $(DOTNET_FLAGS) --logger "console;verbosity=normal"

demo: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/demo.sh

bench: build deps-lab
	ROUTERHA_BIN=$(abspath $(BIN)) scripts/bench.sh

clean:
	rm -rf build
	find src tests -type d \( -name bin -o -name obj \) -prune -exec rm -rf {} +
