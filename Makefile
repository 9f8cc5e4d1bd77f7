# collagesim: `make run` runs the default scenario, `make test` runs the tests.
GO      ?= go
BIN     := bin/collagesim
OUT     ?= out

.PHONY: build run test bench vet fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/collagesim

run: build
	./$(BIN) run --out $(OUT)

test:
	$(GO) vet ./...
	$(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT)
