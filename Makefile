# Feedback Loop. `make demo` and `make test` are the two commands a new user
# runs; both install what they need (clickhouse-server via apt-get).
GO       ?= go
BIN      := bin/feedbackloop
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -X main.version=$(VERSION)

.PHONY: all build deps test test-short vet fmt demo bench clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/feedbackloop

deps:
	./scripts/install-deps.sh

# Every test runs against real servers: an embedded NATS and a private
# clickhouse-server each test binary starts. Under CI=true a test whose
# server cannot start fails instead of skipping.
test: deps
	$(GO) vet ./...
	$(GO) test -race -count=1 -timeout 60m ./...

test-short:
	$(GO) test -count=1 -short ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin .feedbackloop
