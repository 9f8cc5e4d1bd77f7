# collagesim: `make run` runs the default scenario, `make test` runs the tests.
GO      ?= go
BIN     := bin/collagesim
OUT     ?= out

.PHONY: build run test bench vet fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/collagesim

run: build
	./$(BIN) run

test: ort
	$(GO) vet ./...
	ONNXRUNTIME_LIB=$(ORT_LIB) COLLAGESIM_REQUIRE_ORT=1 $(GO) test ./...

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./sim/... ./sweep/...

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin $(OUT)

# ---- ONNX Runtime and calibration ----------------------------------------
# `make ort` fetches ONNX Runtime's CPU library from the npm registry package
# onnxruntime-node into a git-ignored cache; `make calibrate` builds the bundled
# models and measures them into $(OUT)/profiles/local-cpu.toml.
ORT_VERSION ?= 1.24.3
ORT_ARCH    := $(shell uname -m | sed -e 's/^x86_64$$/x64/' -e 's/^aarch64$$/arm64/')
ORT_DIR     := .cache/onnxruntime/$(ORT_VERSION)/linux-$(ORT_ARCH)
ORT_LIB     := $(CURDIR)/$(ORT_DIR)/libonnxruntime.so.1
MODELS_DIR  ?= .cache/models
CALIBRATE_FLAGS ?=

.PHONY: ort calibrate

ort: $(ORT_DIR)/libonnxruntime.so.1

$(ORT_DIR)/libonnxruntime.so.1:
	@command -v npm >/dev/null || { echo "make ort: npm is needed to fetch onnxruntime-node@$(ORT_VERSION) from the npm registry" >&2; exit 1; }
	@mkdir -p $(ORT_DIR)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && \
	  (cd "$$tmp" && npm pack --silent onnxruntime-node@$(ORT_VERSION) >/dev/null) && \
	  tar -xzf "$$tmp"/onnxruntime-node-$(ORT_VERSION).tgz -C "$$tmp" package/bin/napi-v6/linux/$(ORT_ARCH)/libonnxruntime.so.1 && \
	  mv "$$tmp"/package/bin/napi-v6/linux/$(ORT_ARCH)/libonnxruntime.so.1 $@.tmp && mv $@.tmp $@
	@echo "ONNX Runtime $(ORT_VERSION): $(ORT_LIB)"

calibrate: build ort
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate --models $(MODELS_DIR) --out $(OUT)/profiles/local-cpu.toml $(CALIBRATE_FLAGS)
