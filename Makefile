# hookrelay — every command a developer or CI needs. Tools are pinned and
# installed into the repository (node_modules/, .tools/), never globally.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

TOOLS         := $(CURDIR)/.tools
GOAWS         := $(TOOLS)/bin/goaws
GUARD_SRC     := $(wildcard tools/loopbackguard/*.go) tools/loopbackguard/go.mod
GOAWS_SRC     := $(wildcard tools/goaws-loopback/*.go) tools/goaws-loopback/go.mod tools/goaws-loopback/go.sum $(GUARD_SRC)
KMS           := $(TOOLS)/bin/local-kms
KMS_SRC       := $(wildcard tools/kms-loopback/*.go) tools/kms-loopback/go.mod tools/kms-loopback/go.sum $(GUARD_SRC)
FUNCTIONS     := $(notdir $(wildcard functions/*))
BOOTSTRAPS    := $(foreach f,$(FUNCTIONS),bin/$(f)/bootstrap)
GO_SOURCES     = $(shell find . -name '*.go' -not -path './node_modules/*' -not -path './.tools/*' -not -path './cdk.out/*') go.mod go.sum \
                 $(wildcard catalog/types/*.json catalog/samples/*.json shared/portal/static/* shared/portal/snippets/*) shared/api/openapi.json.gz
# The portal's pages are templ templates (shared/portal/*.templ), compiled
# to the committed *_templ.go by the templ version go.mod requires.
TEMPL          = go run github.com/a-h/templ/cmd/templ@$(shell go list -m -f '{{.Version}}' github.com/a-h/templ)

export HOOKRELAY_DYNALITE := $(CURDIR)/node_modules/dynalite/cli.js
export HOOKRELAY_GOAWS    := $(GOAWS)
export HOOKRELAY_KMS      := $(KMS)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1
# The CDK CLI reports usage to AWS and, in a terminal, asks npm for its
# latest version, and npx checks npm for updates, by default: nothing make
# runs may send traffic off the machine unasked.
export CDK_DISABLE_CLI_TELEMETRY := 1
export CDK_DISABLE_VERSION_CHECK := 1
export npm_config_update_notifier := false

.PHONY: help tools runtools testpackages dev test build generate bench cost synth deploy lint clean

help: ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

tools: runtools testpackages ## install the pinned emulators, the CDK CLI, and Chromium, python3 and curl if missing

# What running the stack needs (dev, synth, deploy, bench): no browser.
runtools: node_modules/.installed $(GOAWS) $(KMS) ## install the pinned emulators and the CDK CLI only (no browser)

# What the tests run besides Go and node: Debian's chromium (the portal's
# browser tests, headless), python3 (the docs' and portal's verifier
# snippets) and curl (the quick start's commands). The tests fail, never
# skip, without them, so tools installs the missing ones with apt-get, or
# stops here with the reason. apt-get waits up to APT_LOCK_WAIT seconds for
# the package database: on a machine just booted, Debian's daily apt job
# (or another install) can hold it for a while, and apt-get alone fails at
# once when it is taken.
TEST_PACKAGES := chromium python3 curl
APT_LOCK_WAIT := 600
testpackages:
	@missing=""; for p in $(TEST_PACKAGES); do command -v $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if ! command -v apt-get >/dev/null 2>&1; then \
		echo "make tools: the tests need$$missing; this system has no apt-get: install them and run make tools again" >&2; exit 1; \
	fi; \
	sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	if [ -n "$$sudo" ] && ! command -v sudo >/dev/null 2>&1; then \
		echo "make tools: the tests need$$missing; install them as root (apt-get install$$missing) and run make tools again" >&2; exit 1; \
	fi; \
	apt="apt-get -o DPkg::Lock::Timeout=$(APT_LOCK_WAIT)"; \
	$$sudo $$apt update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive $$apt install -y -qq $$missing

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@# a nested module makes `go ... ./...` skip node_modules (aws-cdk ships Go templates)
	echo 'module nodemodules' > node_modules/go.mod
	touch $@

# goaws's own command listens on every interface; tools/goaws-loopback
# serves the same router (goaws version pinned in its go.mod) on 127.0.0.1.
$(GOAWS): $(GOAWS_SRC)
	cd tools/goaws-loopback && GOWORK=off go build -trimpath -o $@ .

# local-kms's own command listens on every interface too; tools/kms-loopback
# serves its handler (local-kms pinned in its go.mod,
# github.com/nsmithuk/local-kms v0.0.0-20260228092603-2a5e92d09ab6) on 127.0.0.1.
$(KMS): $(KMS_SRC)
	cd tools/kms-loopback && GOWORK=off go build -trimpath -o $@ .

# Built, then run: `go run` exits 1 whenever it gets a SIGINT, so make
# would report Ctrl-C, the way to stop dev, as a failed recipe.
dev: runtools ## run the whole pipeline locally on 127.0.0.1:8080
	go build -o $(TOOLS)/bin/hookrelay ./cmd/hookrelay
	$(TOOLS)/bin/hookrelay dev

test: tools build lint ## unit, integration, CDK and end-to-end tests, then cdk synth
	go test -count=1 -timeout 30m ./...
	cd tools/goaws-loopback && GOWORK=off go test -count=1 ./...
	cd tools/kms-loopback && GOWORK=off go test -count=1 ./...
	cd tools/loopbackguard && GOWORK=off go test -count=1 ./...
	out=$$(mktemp -d) && npx cdk synth --quiet --no-notices -o "$$out" && rm -rf "$$out"

build: $(BOOTSTRAPS) ## linux/arm64 bootstrap binary per Lambda under bin/

# Build tags per Lambda: shared/runtimeapi.BuildTags says why, and a test
# checks these lines against it.
TAGS_api     := lambda.norpc,nethttpomithttp2
TAGS_deliver := lambda.norpc
TAGS_fanout  := lambda.norpc,nethttpomithttp2

# Compiler flags per Lambda (none for deliver and fanout):
# shared/runtimeapi.GCFlags says why, and a test checks these lines.
GCFLAGS_api := -gcflags=github.com/hookrelay/hookrelay/...=-l -gcflags=github.com/aws/aws-sdk-go-v2/service/...=-l

# The Lambdas embed catalog/types and compile a schema on its first use;
# checking the whole catalog here keeps a broken one out of a deployment
# (the test fails naming the file at fault).
bin/catalog-checked: $(wildcard catalog/types/*.json) $(wildcard catalog/*.go)
	@mkdir -p bin
	go test -count=1 -run '^TestEmbeddedCatalogPassesTheFullLoad$$' ./catalog
	@touch $@

bin/%/bootstrap: $(GO_SOURCES) bin/catalog-checked
	$(if $(TAGS_$*),,$(error the Makefile sets no TAGS_$* for functions/$*))
	GOOS=linux GOARCH=arm64 CGO_ENABLED=0 go build -tags $(TAGS_$*) $(GCFLAGS_$*) -trimpath -ldflags='-s -w' -o $@ ./functions/$*

generate: ## compile the portal's templ templates into shared/portal/*_templ.go; compress the API's OpenAPI document for the api binary
	cd shared/portal && $(TEMPL) generate
	gzip -9 -n -c shared/api/openapi.json > shared/api/openapi.json.gz

bench: runtools build ## benchmarks: delivery throughput, fan-out cost, binary sizes
	go test -run '^$$' -bench . -benchmem -count=1 ./...
	@for f in $(BOOTSTRAPS); do stat -c '%s %n' $$f | awk '{printf "%-28s %6.2f MB (goal <= 10 MB)\n", $$2, $$1/1048576}'; done

cost: runtools ## run the local pipeline through fixed scenarios and print $ per million deliveries
	go run ./cmd/costreport -events $(or $(EVENTS),1000)

synth: runtools build ## cdk synth the stack into cdk.out/
	npx cdk synth --quiet --no-notices $(CDK_ARGS)

deploy: runtools build ## cdk deploy (pass context with CDK_ARGS='-c key=value')
	npx cdk deploy $(CDK_ARGS)

lint: ## gofmt, generated templates current, go vet, and a build for macOS and a vet for Windows (a clone works there too)
	@out=$$(gofmt -l $$(git ls-files '*.go') 2>/dev/null); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	@cd shared/portal && for f in *.templ; do \
		if ! $(TEMPL) generate -f "$$f" -stdout | cmp -s - "$${f%.templ}_templ.go"; then echo "shared/portal/$$f changed: run make generate"; exit 1; fi; \
	done
	go vet ./...
	cd tools/goaws-loopback && GOWORK=off go vet ./...
	cd tools/kms-loopback && GOWORK=off go vet ./...
	cd tools/loopbackguard && GOWORK=off go vet ./...
	GOOS=darwin go build ./...
	GOOS=windows go vet ./...

# Build output goes first and whatever the tree's state: make clean is
# what a broken tree needs, and bin/ and cdk.out/ need no CLI. The data
# folder goes through `dev --clean`, never while make dev runs on it (the
# stack would go on without its data, state file and token key); when the
# CLI does not build, `rm -rf .hookrelay` with make dev stopped does it.
# The CLI is built first, so that hint follows a failed build only, never
# the CLI's own refusal (which protects what it names).
clean: ## remove build output, and local data unless make dev runs
	rm -rf bin cdk.out
	@go build -o $(TOOLS)/bin/hookrelay ./cmd/hookrelay || \
		{ echo "make clean: kept .hookrelay (bin/ and cdk.out/ are gone): the CLI does not build; with make dev stopped, rm -rf .hookrelay removes it" >&2; exit 2; }
	@HOOKRELAY_DATA_DIR=$(CURDIR)/.hookrelay $(TOOLS)/bin/hookrelay dev --clean || \
		{ echo "make clean: kept .hookrelay (bin/ and cdk.out/ are gone)" >&2; exit 2; }
