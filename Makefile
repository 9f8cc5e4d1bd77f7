# collagesim: `make run` runs the default scenario, `make test` runs the tests.
GO      ?= go
BIN     := bin/collagesim
OUT     ?= out

.PHONY: build run test bench vet fmt clean validate-testbed

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
# models (S-CNN, Collage-CNNs for grids 2-4, parity models for k = 2, 4, 9) and
# measures them into $(OUT)/profiles/local-cpu.toml; copy that file to
# scenarios/profiles/local-cpu.toml to make it the built-in local-cpu profile.
ORT_VERSION ?= 1.24.3
ORT_ARCH    := $(shell uname -m | sed -e 's/^x86_64$$/x64/' -e 's/^aarch64$$/arm64/')
ORT_DIR     := .cache/onnxruntime/$(ORT_VERSION)/linux-$(ORT_ARCH)
ORT_LIB     := $(CURDIR)/$(ORT_DIR)/libonnxruntime.so.1
MODELS_DIR  ?= .cache/models
CALIBRATE_FLAGS ?=

.PHONY: ort calibrate calibrate-resnet34

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

# Timing of ResNet-34-shaped models (224x224 S-CNN and parity models, 448-pixel collages) with
# untrained heads: training them would take hours on a few cores.
calibrate-resnet34: build ort
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate --arch resnet34 --timing-only --runs 200 --warmup 10 \
	  --models $(MODELS_DIR)-resnet34 --name local-cpu-resnet34 --out $(OUT)/profiles/local-cpu-resnet34.toml $(CALIBRATE_FLAGS)

# ---- Testbed ----------------------------------------------------------------
# `make validate-testbed` runs the default scenario on a real loopback cluster
# (30 worker processes) for VALIDATE_REQUESTS counted requests per strategy at
# time scale VALIDATE_SCALE; the testbed also simulates each strategy on the
# scenario calibrated with that strategy's measured overheads (testbed/prediction/).
# Then the prediction and the uncalibrated simulator are compared with the
# testbed (tables, compare.csv, compare-cdf.png) in $(OUT)/validate-testbed.
VALIDATE_REQUESTS ?= 20000
VALIDATE_SCALE    ?= 10
VALIDATE_DIR      ?= $(OUT)/validate-testbed

validate-testbed: build ort
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) testbed default --requests $(VALIDATE_REQUESTS) --time-scale $(VALIDATE_SCALE) \
	  --models $(MODELS_DIR) --out $(VALIDATE_DIR)/testbed
	./$(BIN) run default --requests $(VALIDATE_REQUESTS) --out $(VALIDATE_DIR)/simulator-uncalibrated --quiet --no-plots
	./$(BIN) compare $(VALIDATE_DIR)/simulator-uncalibrated/results.json $(VALIDATE_DIR)/testbed/results.json --out $(VALIDATE_DIR)/uncalibrated
	./$(BIN) compare $(VALIDATE_DIR)/testbed/prediction/results.json $(VALIDATE_DIR)/testbed/results.json --out $(VALIDATE_DIR)
