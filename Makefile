# needlesim — build, test, run.  `make help` lists the targets.
#
# Products go to build/<variant>/ (release, debug, asan); build/needlesim is
# the release binary. Sources are discovered: models/*.c, models/*/*.c (one
# folder per solver) and sim/*.c form the library, tests/unit/test_*.c and
# tests/verify/verify_*.c are one Criterion binary each, tests/bench/bench_*.c
# one benchmark each.

SHELL := /bin/bash
.DEFAULT_GOAL := all

PREFIX ?= /usr/local
DESTDIR ?=
PYTHON ?= /usr/bin/python3
CC := mpicc
NP ?= 2
FAULT_STRIDE ?= 6
FUZZ_TIME ?= 60
CONFIG ?= inputs/default.ini
OUT ?= outputs/default.h5

V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

PKGS := hdf5-openmpi gsl criterion inih
# SuiteSparse (CHOLMOD, UMFPACK) of the continuum model: Debian 12 ships no
# pkg-config file for it, so its flags are written here (models/continuum/linsolve.c).
SUITESPARSE_CFLAGS := -isystem /usr/include/suitesparse
SUITESPARSE_LIBS := -lcholmod -lumfpack -lamd -lcolamd -lsuitesparseconfig
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
GIT_COMMIT := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)

# Open MPI refuses to run as root unless told; only then, and only here.
ifeq ($(shell id -u),0)
export OMPI_ALLOW_RUN_AS_ROOT := 1
export OMPI_ALLOW_RUN_AS_ROOT_CONFIRM := 1
endif
# Quiet Open MPI's shared-memory probe warnings in containers.
export OMPI_MCA_btl_vader_single_copy_mechanism := none
export OMPI_MCA_rmaps_base_oversubscribe := 1
export PYTHON

WARN := -std=c11 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion \
        -Wdouble-promotion -Wstrict-prototypes -Wmissing-prototypes -Wold-style-definition \
        -Wwrite-strings -Wcast-qual -Wundef -Wvla -Wformat=2 -Wlogical-op -Wduplicated-cond
ifeq ($(CI),true)
WARN += -Werror
endif

# Dependencies: pkg-config flags, with third-party include dirs as -isystem.
# Evaluated lazily so that `make` can install missing packages first.
pkg_cflags = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags $(PKGS) 2>/dev/null)) $(SUITESPARSE_CFLAGS)
pkg_libs = $(shell pkg-config --libs $(PKGS) 2>/dev/null) $(SUITESPARSE_LIBS) -lm

DEFS := -D_GNU_SOURCE -DNS_VERSION='"$(VERSION)"' -DNS_GIT_COMMIT='"$(GIT_COMMIT)"'

VARIANT ?= release
ifeq ($(VARIANT),release)
OPT := -O2 -g
else ifeq ($(VARIANT),debug)
OPT := -O0 -g
else ifeq ($(VARIANT),asan)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
       -fsanitize=float-divide-by-zero -fno-sanitize-recover=all
else
$(error unknown VARIANT=$(VARIANT): use release, debug or asan)
endif

B := build/$(VARIANT)
CFLAGS_ALL = $(WARN) $(OPT) $(DEFS) $(pkg_cflags) -MMD -MP $(CFLAGS)
LDFLAGS_ALL = $(OPT) $(LDFLAGS)

LIB_SRC := $(sort $(wildcard models/*.c models/*/*.c) $(filter-out sim/main.c,$(wildcard sim/*.c)))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
MAIN_OBJ := $(B)/sim/main.o
TEST_SRC := $(sort $(wildcard tests/unit/test_*.c tests/verify/verify_*.c))
TEST_BIN := $(TEST_SRC:%.c=$(B)/%)
BENCH_SRC := $(sort $(filter-out tests/bench/bench_petsc.c,$(wildcard tests/bench/bench_*.c)))
BENCH_BIN := $(BENCH_SRC:%.c=$(B)/%)
# The PETSc peer of the diffusion time stepping: PETSc is installed and
# linked for make bench only (scripts/install-deps.sh with NS_DEPS_BENCH=1).
PETSC_BENCH := $(B)/tests/bench/bench_petsc
petsc_cflags = $(patsubst -I%,-isystem %,$(shell pkg-config --cflags petsc 2>/dev/null))
petsc_libs = $(shell pkg-config --libs petsc 2>/dev/null)
LIB := $(B)/libneedlesim.a

# Criterion test sources use its macros; they are held to the same warnings
# except the prototype rule, which the Test() macro cannot satisfy, and the
# conversion rule, which its assertion macros trip at every use.
TEST_CFLAGS = -Wno-missing-prototypes -Wno-conversion

NO_DEPS_GOALS := clean help config format format-check deps
ifneq ($(filter-out $(NO_DEPS_GOALS),$(or $(MAKECMDGOALS),all)),)
DEPS_OK := $(shell pkg-config --exists $(PKGS) && command -v mpicc >/dev/null && command -v mpirun >/dev/null && command -v h5dump >/dev/null && test -f /usr/include/suitesparse/cholmod.h && echo yes)
ifneq ($(DEPS_OK),yes)
$(info needlesim: installing missing build dependencies (scripts/install-deps.sh))
DEPS_RC := $(shell bash scripts/install-deps.sh >&2; echo $$?)
ifneq ($(DEPS_RC),0)
$(error dependency installation failed; see the message above)
endif
endif
endif

.PHONY: all sim test check check-procedure check-smoke check-comments check-install man check-docs check-cf check-paraview check-mpi check-files check-faults check-lhs check-lhs-slice check-python check-examples asan memcheck fuzz \
        run bench install uninstall clean help config deps format format-check lint report validate

all: build/needlesim ## build build/needlesim (release)

sim: all

build/needlesim: $(B)/needlesim
	$(Q)cp $< $@

$(B)/needlesim: $(MAIN_OBJ) $(LIB)
	@echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(pkg_libs)

$(LIB): $(LIB_OBJ)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^

$(B)/%.o: %.c
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(B)/tests/%: tests/%.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC/LD   $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(TEST_CFLAGS) -o $@ $< $(LIB) $(pkg_libs)

deps: ## install missing system packages (apt-get; prints the command when not root)
	$(Q)bash scripts/install-deps.sh

test: $(TEST_BIN) ## build and run the Criterion unit and verification tests
	$(Q)bash scripts/run-tests.sh $(TEST_BIN)

check: test build/needlesim ## everything: tests, smoke run, examples, Python, MPI
	$(Q)$(MAKE) --no-print-directory check-smoke check-examples check-comments check-docs check-procedure check-python check-cf check-paraview check-install check-mpi check-lhs-slice
	@echo "make check: all checks passed"

check-smoke: build/needlesim ## run inputs/smoke.ini and compare with tests/data/smoke.ref
	$(Q)bash tests/check_smoke.sh

check-procedure: build/needlesim ## procedure layer via the CLI (roller and pen puncture rates, Gill ratios, time to effect, inputs/treatment.ini and its report)
	$(Q)bash tests/check_procedure.sh

check-examples: build/needlesim ## validate every inputs/*.ini and the bad-input corpus
	$(Q)bash tests/check_inputs.sh

check-comments: build/needlesim ## the header comments of inputs/*.ini agree with the configs (cases, sweep mode, skin preset)
	$(Q)bash tests/check_example_comments.sh

check-docs: build/needlesim ## README's generated blocks (config reference, ...) match the code
	$(Q)bash scripts/sync-readme.sh --check

check-python: build/needlesim ## Python loader, plots and report tests
	$(Q)if [ -f tests/check_python.sh ]; then bash tests/check_python.sh; fi

check-cf: build/needlesim ## CF attributes: units parsed by UDUNITS-2 and pint, long_name, flag_values/flag_meanings
	$(Q)bash tests/check_cf.sh

check-paraview: build/needlesim ## the XDMF files of a fields run open in ParaView (pvpython) with every value right
	$(Q)bash tests/check_paraview.sh

check-mpi: build/needlesim ## MPI rank-count invariance, kill-and-resume, failure isolation, faults
	$(Q)if [ -f tests/mpi/check_mpi.sh ]; then bash tests/mpi/check_mpi.sh; fi
	$(Q)$(MAKE) --no-print-directory check-files check-faults

check-files: build/needlesim ## output-file rules: -o checks, --overwrite, concurrent starts, exit codes
	$(Q)bash tests/mpi/check_files.sh

check-faults: build/needlesim ## kill / full disk at every file write (FAULT_STRIDE=1: every call)
	$(Q)FAULT_STRIDE=$(FAULT_STRIDE) bash tests/mpi/check_faults.sh

# Latin hypercube over the documented range of every key (tests/lhs/lhs.py):
# no crash, no hang, every case ok with all invariants or failed with a reason.
LHS_SAMPLES ?= 600
LHS_SLICE ?= 20
check-lhs: build/needlesim ## nightly: 5 x LHS_SAMPLES (3000) Latin-hypercube cases over every key's range (about an hour)
	$(Q)rm -rf build/lhs && /usr/bin/python3 tests/lhs/lhs.py --needlesim build/needlesim --samples $(LHS_SAMPLES) --dir build/lhs

check-lhs-slice: build/needlesim ## the Latin-hypercube test on 5 x LHS_SLICE (100) cases (part of make check)
	$(Q)rm -rf build/lhs-slice && /usr/bin/python3 tests/lhs/lhs.py --needlesim build/needlesim --samples $(LHS_SLICE) --seed 7 --duration "2 h" --dir build/lhs-slice

# libFuzzer needs clang (scripts/install-deps.sh installs it for this target
# only); the library is compiled into the fuzzer with coverage instrumentation.
# New inputs go to build/fuzz/corpus; seeds: tests/fuzz/seeds, inputs/, tests/data/bad/.
fuzz: ## fuzz the config loader and sweep parser for FUZZ_TIME seconds (libFuzzer, ASan, UBSan)
	$(Q)NS_DEPS_FUZZ=1 bash scripts/install-deps.sh
	@mkdir -p build/fuzz/corpus
	@echo "  FUZZ    build/fuzz/fuzz_config"
	$(Q)OMPI_CC=clang mpicc -std=c11 -O1 -g -fno-omit-frame-pointer $(DEFS) $(pkg_cflags) \
	  -fsanitize=fuzzer,address,undefined -o build/fuzz/fuzz_config tests/fuzz/fuzz_config.c \
	  $(LIB_SRC) $(pkg_libs)
	$(Q)build/fuzz/fuzz_config -max_total_time=$(FUZZ_TIME) -dict=tests/fuzz/config.dict \
	  -max_len=8192 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 \
	  build/fuzz/corpus tests/fuzz/seeds inputs tests/data/bad

asan: ## build and run the tests under AddressSanitizer + UBSan
	$(Q)$(MAKE) --no-print-directory VARIANT=asan test-asan

.PHONY: test-asan
test-asan: $(TEST_BIN) $(B)/needlesim
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 bash scripts/run-tests.sh $(TEST_BIN)
	@# The program itself initialises Open MPI, whose plugins are dlopen'ed and
	@# unloaded again: LSan cannot attribute their allocations, so leak checking
	@# stays with the Criterion tests above (all of needlesim's code, no MPI);
	@# address and UB checks still apply here.
	$(Q)ASAN_OPTIONS=detect_leaks=0 NEEDLESIM=$(B)/needlesim bash tests/check_inputs.sh
	$(Q)ASAN_OPTIONS=detect_leaks=0 NEEDLESIM=$(B)/needlesim bash tests/check_smoke.sh

memcheck: ## run the tests of the debug build under valgrind
	$(Q)$(MAKE) --no-print-directory VARIANT=debug $(TEST_SRC:%.c=build/debug/%)
	$(Q)for t in $(TEST_SRC:%.c=build/debug/%); do \
	  echo "== valgrind $$t"; CRITERION_NO_EARLY_EXIT=1 valgrind -q --error-exitcode=1 --leak-check=full \
	    --trace-children=yes $$t --jobs 1 || exit 1; done

run: build/needlesim ## run the main job (inputs/default.ini) on $(NP) MPI ranks into outputs/
	@mkdir -p outputs
	$(Q)mpirun -n $(NP) build/needlesim run $(CONFIG) -o $(OUT)

bench: $(BENCH_BIN) build/needlesim ## benchmarks (tables on stdout and in build/bench/)
	$(Q)NS_DEPS_BENCH=1 bash scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory $(PETSC_BENCH)
	$(Q)bash scripts/bench.sh $(BENCH_BIN) $(PETSC_BENCH)

$(PETSC_BENCH): tests/bench/bench_petsc.c $(LIB)
	@mkdir -p $(@D)
	@echo "  CC/LD   $@"
	$(Q)$(CC) $(CFLAGS_ALL) $(petsc_cflags) -o $@ $< $(LIB) $(pkg_libs) $(petsc_libs)

report: ## HTML device report of the main job's output (REPORT_ARGS="--rank penetration_depth")
	$(Q)test -f $(OUT) || $(MAKE) --no-print-directory run
	$(Q)$(PYTHON) scripts/report.py $(OUT) -o outputs/report.html $(REPORT_ARGS)
	@echo "report: outputs/report.html"

validate: build/needlesim ## validation report against published measurements
	$(Q)$(PYTHON) scripts/validate.py -o outputs/validation.html
# The insertion validation tests whose verdicts the page shows (scripts/validate.py, INSERTION_TESTS).
validate: $(addprefix $(B)/tests/verify/,verify_insertion_tiplaw verify_insertion_visco verify_insertion_validation verify_insertion_validation_friction verify_insertion_validation_burial)

# ---- install ------------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=staging]: the binary, the Python
# package (copied, so it works offline; on PYTHONPATH for PREFIX /usr and
# /usr/local, else add PYTHONDIR), needlesim-py, the man page and the bash
# completion (both generated from the binary), README, schema, changelog,
# licence and citation, the examples, the Slurm script and the analysis scripts.
BINDIR = $(PREFIX)/bin
DATADIR = $(PREFIX)/share/needlesim
DOCDIR = $(PREFIX)/share/doc/needlesim
MAN1DIR = $(PREFIX)/share/man/man1
COMPLETIONDIR = $(PREFIX)/share/bash-completion/completions
PYTHONDIR ?= $(PREFIX)/lib/python$(shell $(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)/dist-packages

build/man/needlesim.1: build/needlesim man/gen-man.sh VERSION
	$(Q)mkdir -p $(@D)
	$(Q)bash man/gen-man.sh build/needlesim $(VERSION) > $@.new && mv $@.new $@

man: build/man/needlesim.1 ## generate the manual page (build/man/needlesim.1)

install: build/needlesim build/man/needlesim.1 ## install to $(DESTDIR)$(PREFIX) (PREFIX=/usr/local)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/inputs $(DESTDIR)$(DATADIR)/scripts \
	  $(DESTDIR)$(DATADIR)/slurm $(DESTDIR)$(DOCDIR) $(DESTDIR)$(MAN1DIR) \
	  $(DESTDIR)$(COMPLETIONDIR) $(DESTDIR)$(PYTHONDIR)/needlesim
	install -m 755 build/needlesim $(DESTDIR)$(BINDIR)/needlesim
	install -m 644 python/needlesim/*.py $(DESTDIR)$(PYTHONDIR)/needlesim/
	install -m 644 VERSION $(DESTDIR)$(PYTHONDIR)/needlesim/VERSION
	printf '#!%s\n# needlesim-py: the needlesim Python package command (python3 -m needlesim)\nimport sys\nsys.path.insert(0, "%s")\nfrom needlesim.cli import main\nsys.exit(main())\n' \
	  $(PYTHON) $(PYTHONDIR) > $(DESTDIR)$(BINDIR)/needlesim-py
	chmod 755 $(DESTDIR)$(BINDIR)/needlesim-py
	install -m 644 build/man/needlesim.1 $(DESTDIR)$(MAN1DIR)/needlesim.1
	install -m 644 completion/needlesim.bash $(DESTDIR)$(COMPLETIONDIR)/needlesim
	install -m 644 README.md CHANGELOG.md LICENSE CITATION.cff $(DESTDIR)$(DOCDIR)/
	install -m 644 outputs/README.md $(DESTDIR)$(DOCDIR)/schema.md
	install -m 644 inputs/*.ini $(DESTDIR)$(DATADIR)/inputs/
	install -m 755 scripts/slurm/*.sbatch $(DESTDIR)$(DATADIR)/slurm/
	install -m 644 scripts/slurm/README.md $(DESTDIR)$(DATADIR)/slurm/
	install -m 755 scripts/*.py $(DESTDIR)$(DATADIR)/scripts/

print-%: # print a variable: make print-PYTHONDIR
	@echo $($*)

uninstall: ## remove what `make install` installed (same PREFIX and DESTDIR)
	rm -f $(DESTDIR)$(BINDIR)/needlesim $(DESTDIR)$(BINDIR)/needlesim-py \
	  $(DESTDIR)$(MAN1DIR)/needlesim.1 $(DESTDIR)$(COMPLETIONDIR)/needlesim
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR) $(DESTDIR)$(PYTHONDIR)/needlesim

check-install: build/needlesim build/man/needlesim.1 ## install into a staging DESTDIR and run the installed programs from an empty directory
	$(Q)bash tests/check_install.sh

format: ## clang-format every C source in place
	clang-format -i $(wildcard models/*.[ch] models/*/*.[ch] sim/*.[ch] tests/*/*.c)

format-check: ## fail if clang-format would change a file
	clang-format --dry-run --Werror $(wildcard models/*.[ch] models/*/*.[ch] sim/*.[ch] tests/*/*.c)

lint: ## clang-tidy and cppcheck
	cppcheck --quiet --enable=warning,performance,portability --std=c11 --error-exitcode=1 \
	  --suppress=missingIncludeSystem models sim

config: ## print the compiler and flags
	@echo "CC      = $(CC)"
	@echo "CFLAGS  = $(CFLAGS_ALL)"
	@echo "LIBS    = $(pkg_libs)"
	@echo "VARIANT = $(VARIANT)"

clean: ## remove build products
	rm -rf build

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 16

-include $(LIB_OBJ:.o=.d) $(MAIN_OBJ:.o=.d)
