# Feedback Loop. `make demo` and `make test` are the two commands a new user
# runs; both install what they need (clickhouse-server via apt-get).
GO       ?= go
BIN      := bin/feedbackloop
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: all build deps test-deps test test-short lint fmt demo bench bench-queries bench-tagging tagging-instructions tagging-figures tagging-curves tagging-targets clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/feedbackloop

# clickhouse-server for everything that runs the pipeline; chromium only
# for the tests (the dashboard test in api/ drives it headless).
deps:
	./scripts/install-deps.sh

test-deps:
	./scripts/install-deps.sh chromium

# Every test runs against real servers: an embedded NATS and a private
# clickhouse-server each test binary starts. Under CI=true a test whose
# server cannot start fails instead of skipping.
test: test-deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 60m ./...
	# The tagger's portable code, which arm64 and other architectures run
	# instead of its amd64 assembly.
	$(GO) vet -tags purego ./enrich/learned/
	$(GO) test -count=1 -tags purego ./enrich/learned/
	# Discovery measured on the shared real data (skips without it), which
	# the race detector makes too slow above.
	$(GO) test -count=1 -run RealQueries ./enrich/discover/

# The embedded default end to end: a local NATS and ClickHouse, a generated
# sample of 20,000 records, the worker, and the weekly theme table. Data
# stays in .feedbackloop/ (make clean removes it); `bin/feedbackloop dev`
# does the same and keeps running.
demo: deps build
	$(BIN) dev --once --log-level warn

# Pipeline benchmarks against real servers (see BENCHMARKS.md): worker
# throughput next to a bare loop, publish-to-queryable latency, peak RSS.
# They print their figures and rewrite their section of BENCHMARKS.md.
bench: deps
	FEEDBACKLOOP_BENCH_RECORD=1 $(GO) test -run '^$$' -bench . -benchtime 1x -timeout 30m ./bench/

# Query speed (see BENCHMARKS.md, "Query speed"): loads 10 million generated
# records into a private clickhouse-server (about 5 minutes), refreshes the
# insights rollup once, then times trends (12 months by week) and emerging.
bench-queries: deps
	$(GO) test -run '^$$' -bench BenchmarkQueries -benchtime 30x -timeout 60m -v ./insights/

# The learned tagger's speed on 300-character texts, one core (see
# docs/tagging.md). Needs the shared development data: THEMES names its
# folder.
bench-tagging:
	FEEDBACKLOOP_THEMES_DATA=$(abspath $(or $(THEMES),../shared/data/themes)) \
		$(GO) test -run '^$$' -bench 'BenchmarkTag$$' -cpu 1 -count 5 -benchtime 2s ./enrich/learned/

# Instructions per tagged text, counted by cachegrind: a measure of the
# tagger's speed that does not move with the machine's load (needs valgrind).
tagging-instructions:
	THEMES=$(or $(THEMES),../shared/data/themes) ./scripts/tagging-instructions.sh

# The learned tagger's quality on 5-fold splits of the development data
# (docs/tagging.md, "Figures"); THEMES names the data's folder.
tagging-figures:
	THEMES=$(or $(THEMES),../shared/data/themes) ./scripts/tagging-figures.sh

# The same on 50, 70 and 85% of each training fold: how the figures grow
# with more data (docs/tagging.md).
tagging-curves:
	THEMES=$(or $(THEMES),../shared/data/themes) ./scripts/tagging-figures.sh curves

# The targets themselves, on held-out test files this repository does not
# have: B77_TEST and RP_TEST name them (docs/tagging.md, "Checking the
# targets on the held-out halves").
tagging-targets:
	THEMES=$(or $(THEMES),../shared/data/themes) B77_TEST=$(B77_TEST) RP_TEST=$(RP_TEST) B77_SMALL=$(B77_SMALL) \
		./scripts/tagging-targets.sh

# go vet and staticcheck (fetched through the Go module proxy on first use).
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

test-short:
	$(GO) test -count=1 -short ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin .feedbackloop
