# collagesim: `make run` runs the default scenario, `make test` runs the tests.
GO      ?= go
BIN     := bin/collagesim
OUT     ?= out

.PHONY: build run test bench bench-simpy bench-instructions pgo slurm-check validate-testbed vet fmt clean

build:
	$(GO) build -o $(BIN) ./cmd/collagesim

run: build
	./$(BIN) run

test: ort
	$(GO) vet ./...
	ONNXRUNTIME_LIB=$(ORT_LIB) COLLAGESIM_REQUIRE_ORT=1 $(GO) test ./...

# The benchmarks are built with the profile the binary is built with
# (cmd/collagesim/default.pgo), so they measure the code collagesim runs.
bench:
	$(GO) test -pgo=$(CURDIR)/cmd/collagesim/default.pgo -run '^$$' -bench . -benchmem ./sim/... ./sweep/... ./bench/...

# cmd/collagesim/default.pgo, the profile of the profile-guided build, from
# runs of bench/cloud-six.toml and the default scenario (needs the trace's samples).
pgo:
	GO=$(GO) scripts/pgo.sh

# collagesim against a SimPy model of bench/cloud-six.toml: wall time, CPU and peak RSS at
# 100k and 1M requests, and their agreement on mean and p99 (needs the trace's samples file,
# python3-simpy3 and GNU time; installs the last two with apt-get when run as root).
bench-simpy: build
	scripts/simpy-ratio.sh $(BIN)

# Instructions per request of the cloud benchmark's runs (collage-first alone and the six in
# lockstep by default; BENCHES="none/direct parity-9/direct" for others), counted by valgrind:
# a figure the host's load does not move, to compare two versions of the code (needs the trace's
# samples and valgrind; installs valgrind with apt-get when run as root).
BENCHES ?=
bench-instructions:
	scripts/instructions.sh $(BENCHES)

# The Slurm array example (scenarios/cluster/) run for real on a single-node Slurm started
# on this machine (root; installs slurmctld, slurmd, slurm-client and munge with apt-get).
slurm-check: build
	OUT=$(OUT) scripts/slurm/check.sh $(BIN)

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

# With Fashion-MNIST installed (make fashion-mnist) the bundle's heads are trained on its training
# split and measured on its test split (real images); without it, on synthetic images.
calibrate: build ort
	@data=; if [ -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ] && [ -f $(FASHION_DIR)/t10k-images-idx3-ubyte.gz ]; then data="--idx $(FASHION_DIR)"; \
	  else echo "make calibrate: no Fashion-MNIST in $(FASHION_DIR) (make fashion-mnist installs it): training and measuring on synthetic images" >&2; fi; \
	  echo ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate $$data --models $(MODELS_DIR) --out $(OUT)/profiles/local-cpu.toml $(CALIBRATE_FLAGS); \
	  ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate $$data --models $(MODELS_DIR) --out $(OUT)/profiles/local-cpu.toml $(CALIBRATE_FLAGS)

# Timing of ResNet-34-shaped models (224x224 S-CNN and parity models, 448-pixel collages) with
# untrained heads: training them would take hours on a few cores.
calibrate-resnet34: build ort
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate --arch resnet34 --timing-only --runs 200 --warmup 10 \
	  --models $(MODELS_DIR)-resnet34 --name local-cpu-resnet34 --out $(OUT)/profiles/local-cpu-resnet34.toml $(CALIBRATE_FLAGS)

# ---- Real images: Fashion-MNIST ---------------------------------------------
# `make fashion-mnist` installs Debian's dataset-fashion-mnist (IDX files under
# /usr/share/datasets/fashion-mnist) where apt-get can, and says what to do
# where it cannot. `make calibrate-fashion` measures the PyTorch-trained S-CNN
# and 3x3 Collage-CNN of models/testdata/fashion on all 10000 test images into
# $(OUT)/profiles/fashion-cpu.toml; `make fashion-models` retrains them
# (Debian's python3-torch; never part of `make test`).
FASHION_DIR    ?= /usr/share/datasets/fashion-mnist
FASHION_MODELS := models/testdata/fashion

.PHONY: fashion-mnist calibrate-fashion fashion-models

fashion-mnist:
	@if [ -f $(FASHION_DIR)/t10k-images-idx3-ubyte.gz ] || [ -f $(FASHION_DIR)/t10k-images-idx3-ubyte ]; then \
	  echo "Fashion-MNIST: $(FASHION_DIR)"; \
	elif [ "$(FASHION_DIR)" = /usr/share/datasets/fashion-mnist ] && command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  { apt-get install -y dataset-fashion-mnist || { apt-get update && apt-get install -y dataset-fashion-mnist; }; } && echo "Fashion-MNIST: $(FASHION_DIR)"; \
	else \
	  echo "make fashion-mnist: no Fashion-MNIST in $(FASHION_DIR). On Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist;" \
	    "elsewhere download t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from github.com/zalandoresearch/fashion-mnist" \
	    "into a folder and pass FASHION_DIR=that-folder" >&2; exit 1; \
	fi

calibrate-fashion: build ort fashion-mnist
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) calibrate --idx $(FASHION_DIR) --mean 0.2860 --std 0.3530 \
	  --onnx $(FASHION_MODELS)/scnn.onnx:name=scnn --onnx $(FASHION_MODELS)/collage3.onnx:name=collage-3x3 \
	  --name fashion-cpu --out $(OUT)/profiles/fashion-cpu.toml $(CALIBRATE_FLAGS)

fashion-models: fashion-mnist
	/usr/bin/python3 $(FASHION_MODELS)/train.py $(FASHION_DIR)

# ---- ONNX Runtime with the CUDA and TensorRT providers (x64) ----------------
# `make ort-cuda` puts ONNX Runtime 1.29.0 (npm onnxruntime-node, built with the
# provider bridge) and its CUDA and TensorRT providers (npm
# com.github.asus4.onnxruntime.linux-x64-gpu, built for 1.29.0) side by side in
# .cache/onnxruntime/1.29.0-cuda/linux-x64/; use it with
# --ort-lib $(ORT_CUDA_LIB) --provider cuda|tensorrt. The CUDA provider needs
# CUDA 13 (libcudart.so.13, libcublas.so.13, libcublasLt.so.13, libcurand.so.10)
# and cuDNN 9; the TensorRT provider also TensorRT 10 (libnvinfer.so.10).
ORT_CUDA_VERSION := 1.29.0
ORT_GPU_PACKAGE  := com.github.asus4.onnxruntime.linux-x64-gpu@0.4.9
ORT_CUDA_DIR     := .cache/onnxruntime/$(ORT_CUDA_VERSION)-cuda/linux-x64
ORT_CUDA_LIB     := $(CURDIR)/$(ORT_CUDA_DIR)/libonnxruntime.so.1

.PHONY: ort-cuda

ort-cuda: $(ORT_CUDA_DIR)/libonnxruntime_providers_cuda.so

$(ORT_CUDA_DIR)/libonnxruntime_providers_cuda.so:
	@[ "$(ORT_ARCH)" = x64 ] || { echo "make ort-cuda: the GPU providers on npm are built for linux-x64 only (this is $(ORT_ARCH))" >&2; exit 1; }
	@command -v npm >/dev/null || { echo "make ort-cuda: npm is needed to fetch onnxruntime-node@$(ORT_CUDA_VERSION) and $(ORT_GPU_PACKAGE) from the npm registry" >&2; exit 1; }
	@mkdir -p $(ORT_CUDA_DIR)
	@tmp=$$(mktemp -d) && trap 'rm -rf "$$tmp"' EXIT && cd "$$tmp" && \
	  npm pack --silent onnxruntime-node@$(ORT_CUDA_VERSION) $(ORT_GPU_PACKAGE) >/dev/null && \
	  tar -xzf onnxruntime-node-$(ORT_CUDA_VERSION).tgz package/bin/napi-v6/linux/x64/libonnxruntime.so.1 && \
	  tar -xzf com.github.asus4.onnxruntime.linux-x64-gpu-*.tgz package/Plugins/Linux/x64 && \
	  for f in package/Plugins/Linux/x64/libonnxruntime_providers_shared.so package/Plugins/Linux/x64/libonnxruntime_providers_tensorrt.so \
	           package/bin/napi-v6/linux/x64/libonnxruntime.so.1 package/Plugins/Linux/x64/libonnxruntime_providers_cuda.so; do \
	    mv "$$f" "$(CURDIR)/$(ORT_CUDA_DIR)/$$(basename $$f).tmp" && mv "$(CURDIR)/$(ORT_CUDA_DIR)/$$(basename $$f).tmp" "$(CURDIR)/$(ORT_CUDA_DIR)/$$(basename $$f)" || exit 1; \
	  done
	@echo "ONNX Runtime $(ORT_CUDA_VERSION) with CUDA and TensorRT providers: $(ORT_CUDA_LIB)"

# `make calibrate-cuda` is `make calibrate` on the GPU: the bundle (on Fashion-MNIST where it is
# installed) through the CUDA provider, at batch 1, 4 and 8, into $(OUT)/profiles/local-cuda.toml;
# `make calibrate-cuda-resnet34` times the ResNet-34-shaped bundle likewise. The CUDA 13 and
# cuDNN 9 libraries are looked for by scripts/cuda-libs.sh (pip's nvidia-* wheels, which PyTorch
# installs, /usr/local/cuda*, the system's folders) and put on LD_LIBRARY_PATH.
CUDA_LD = LD_LIBRARY_PATH=$$(scripts/cuda-libs.sh --append)

.PHONY: calibrate-cuda calibrate-cuda-resnet34

calibrate-cuda: build ort-cuda
	@data=; if [ -f $(FASHION_DIR)/train-images-idx3-ubyte.gz ] && [ -f $(FASHION_DIR)/t10k-images-idx3-ubyte.gz ]; then data="--idx $(FASHION_DIR)"; \
	  else echo "make calibrate-cuda: no Fashion-MNIST in $(FASHION_DIR) (make fashion-mnist installs it): training and measuring on synthetic images" >&2; fi; \
	  $(CUDA_LD) ./$(BIN) calibrate $$data --ort-lib $(ORT_CUDA_LIB) --provider cuda --batch 1,4,8 \
	    --models $(MODELS_DIR) --name local-cuda --out $(OUT)/profiles/local-cuda.toml $(CALIBRATE_FLAGS)

calibrate-cuda-resnet34: build ort-cuda
	$(CUDA_LD) ./$(BIN) calibrate --ort-lib $(ORT_CUDA_LIB) --provider cuda --arch resnet34 --timing-only \
	  --batch 1,4,8 --runs 1000 --warmup 50 --models $(MODELS_DIR)-resnet34 --name local-cuda-resnet34 \
	  --out $(OUT)/profiles/local-cuda-resnet34.toml $(CALIBRATE_FLAGS)

# ---- Testbed ----------------------------------------------------------------
# `make validate-testbed` runs the default scenario on a real loopback cluster
# (30 worker processes) for VALIDATE_REQUESTS counted requests per strategy at
# time scale VALIDATE_SCALE; the testbed also simulates each strategy on the
# scenario calibrated with that strategy's measured overheads (testbed/prediction/).
# Then the prediction and the uncalibrated simulator are compared with the
# testbed (tables, compare.csv, compare-cdf.png) in $(OUT)/validate-testbed.
# About 7 minutes on 2 vCPUs. Each batch of 9 arrivals makes the load balancer
# and workers queue for the CPUs together, a burst fixed in wall time that
# grows with the scale in virtual time: VALIDATE_SCALE=5 VALIDATE_REQUESTS=10000
# halves it in the same 7 minutes (README, "Simulator against testbed").
VALIDATE_REQUESTS ?= 20000
VALIDATE_SCALE    ?= 10
VALIDATE_DIR      ?= $(OUT)/validate-testbed

validate-testbed: build ort
	ONNXRUNTIME_LIB=$(ORT_LIB) ./$(BIN) testbed default --requests $(VALIDATE_REQUESTS) --time-scale $(VALIDATE_SCALE) \
	  --models $(MODELS_DIR) --out $(VALIDATE_DIR)/testbed
	./$(BIN) run default --requests $(VALIDATE_REQUESTS) --out $(VALIDATE_DIR)/simulator-uncalibrated --quiet --no-plots
	./$(BIN) compare $(VALIDATE_DIR)/simulator-uncalibrated/results.json $(VALIDATE_DIR)/testbed/results.json --out $(VALIDATE_DIR)/uncalibrated
	./$(BIN) compare $(VALIDATE_DIR)/testbed/prediction/results.json $(VALIDATE_DIR)/testbed/results.json --out $(VALIDATE_DIR)
