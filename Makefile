# authbench — the commands the README and CI use.
#
#   make test   everything that must pass (installs what it needs first)
#   make bench  the benchmarks that prove the performance ratios (long; not in test)
#   make lint   gofmt and go vet
#   make fuzz   a short run of every fuzz target (not in test)
#   make soak   1,000,000 sign-ins against the embedded pool in another process, both
#               processes' RSS every 10 s (scripts/soak.sh; long; not in test)

GO        ?= go
PKGS      := ./...
BENCHTIME ?= 1s
COUNT     ?= 6

.PHONY: test deps lint vet fmt-check tidy-check unit norace bench fuzz soak build clean

test: deps lint unit norace

deps:
	$(GO) mod download
	npm ci --prefix emulator/testdata/interop --no-audit --no-fund
	@# chromium renders the HTML reports in a test (skipped without it, failed under CI)
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || true

lint: fmt-check vet tidy-check

# tidy-check fails when go.mod/go.sum are not what `go mod tidy` writes (a direct
# dependency marked indirect, an unused one).
tidy-check:
	@cp go.mod /tmp/authbench-go.mod.$$$$ && cp go.sum /tmp/authbench-go.sum.$$$$; \
	$(GO) mod tidy; \
	if ! cmp -s go.mod /tmp/authbench-go.mod.$$$$ || ! cmp -s go.sum /tmp/authbench-go.sum.$$$$; then \
		echo "go mod tidy changes go.mod/go.sum:"; diff -u /tmp/authbench-go.mod.$$$$ go.mod; \
		cp /tmp/authbench-go.mod.$$$$ go.mod; cp /tmp/authbench-go.sum.$$$$ go.sum; exit 1; fi; \
	rm -f /tmp/authbench-go.mod.$$$$ /tmp/authbench-go.sum.$$$$

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet $(PKGS)

unit:
	$(GO) test -race -count=1 -timeout 12m $(PKGS)

# norace runs, without the race detector, every benchmark once (so that a benchmark
# that no longer runs, a setup the pool now refuses say, fails the tests rather than
# `make bench`) and the full-size cases of the memory tests that run a smaller case
# under -race (internal/race).
FULLSIZE := ^(TestHostileStreamHeapBounded|TestHostileProvisioningBounded|TestReadIntervalLogCapped|TestReadIntervalLogCappedHeldPacked|TestIntervalRowsConstantMemory)$$
norace:
	$(GO) test -count=1 -run '$(FULLSIZE)' -bench . -benchtime 1x $(PKGS)

build:
	$(GO) build -o bin/authbench ./cmd/authbench

# bench runs each benchmark COUNT times so the ratios can be read with benchstat:
#   go run golang.org/x/perf/cmd/benchstat@latest -col /engine bench.txt
bench:
	$(GO) test -run '^$$' -bench . -benchtime $(BENCHTIME) -count $(COUNT) ./srp/ ./internal/modexp/ ./emulator/ ./emulator/internal/tokens/ ./driver/ ./bench/ | tee bench.txt

FUZZTIME ?= 20s
fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzHandshake$$' -fuzztime $(FUZZTIME) ./srp/
	$(GO) test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime $(FUZZTIME) ./srp/
	$(GO) test -run '^$$' -fuzz '^FuzzExp$$' -fuzztime $(FUZZTIME) ./internal/modexp/
	$(GO) test -run '^$$' -fuzz '^FuzzParseOutbox$$' -fuzztime $(FUZZTIME) ./mfa/
	$(GO) test -run '^$$' -fuzz '^FuzzParseCommandOutput$$' -fuzztime $(FUZZTIME) ./mfa/
	$(GO) test -run '^$$' -fuzz '^FuzzDecode$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzPasswordVerifier$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzDirectory$$' -fuzztime $(FUZZTIME) ./emulator/
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./emulator/internal/idp/
	$(GO) test -run '^$$' -fuzz '^FuzzVerify$$' -fuzztime $(FUZZTIME) ./emulator/internal/tokens/
	$(GO) test -run '^$$' -fuzz '^FuzzParseThreshold$$' -fuzztime $(FUZZTIME) ./reports/
	$(GO) test -run '^$$' -fuzz '^FuzzHead$$' -fuzztime $(FUZZTIME) ./internal/jsonstream/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRate$$' -fuzztime $(FUZZTIME) ./bench/
	$(GO) test -run '^$$' -fuzz '^FuzzParseStages$$' -fuzztime $(FUZZTIME) ./bench/

# soak runs SOAK_SIGNINS (default 1,000,000) sign-ins of a flow mix against
# `authbench emulate` and writes rss.csv (both processes' RSS every 10 s) in the run
# directory it names; see scripts/soak.sh for its settings.
soak:
	GO=$(GO) ./scripts/soak.sh

clean:
	rm -rf bin bench.txt
