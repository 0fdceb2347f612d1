# creditscore: build, test, demo, bench. See README.md.
#
#   make            build build/creditscore
#   make test       unit and end-to-end tests (each plain and under ASan+UBSan), oracle and browser tests
#   make demo       install what is missing, build, generate data, train, serve
#   make bench      benchmarks against the Python peers, results in bench/results/
#   make fuzz       fuzz the parsers (FUZZ_SECONDS each, default 600), then the fault injection runs in full
#
# Sources are found per folder: src/<module>/*.c. Modules form layers, lowest first; a module
# may use the modules before it in LAYERS and never one after it. A unit test
# tests/unit/test_<module>_<what>.c links only its module and the layers below, so a module
# under construction higher up never breaks the tests of the ones it builds on, and since
# layers are linked as archives, neither does an unfinished file the test does not use.

CC      ?= gcc
B       ?= build
OPT     ?= -O2 -g
SAN     ?=
PKGS    := sqlite3 libmicrohttpd libcjson libpq zlib

LAYERS  := base http io recipe infer synth features eval learn explain model cf fair store drift monitor report serve dash

CPPFLAGS += -D_GNU_SOURCE -Isrc
CFLAGS  := -std=c11 $(OPT) -fopenmp -pthread -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
           -Wmissing-prototypes -MMD -MP $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS  := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lxgboost -lm
LDFLAGS += -fopenmp -pthread
CMOCKA_LIBS := $(shell pkg-config --libs cmocka 2>/dev/null)
ifeq ($(SAN),1)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif

objs = $(patsubst src/%.c,$(B)/obj/%.o,$(wildcard src/$(1)/*.c))
# upto(m, layers): the layers from the first one up to and including m
upto = $(if $(filter $(1),$(firstword $(2))),$(firstword $(2)),$(firstword $(2)) $(call upto,$(1),$(wordlist 2,$(words $(2)),$(2))))

LIB_OBJ := $(foreach l,$(LAYERS),$(call objs,$(l)))
CLI_OBJ := $(call objs,cli)
BIN     := $(B)/creditscore

UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNIT_BIN := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

.PHONY: all unit-bins libs web test demo bench fuzz clean install-deps screenshots
all: $(BIN)

$(BIN): $(LIB_OBJ) $(CLI_OBJ)
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/obj/serve/docs.o: src/serve/openapi.json     # embedded with .incbin
$(B)/obj/features/builtin.o: recipes/homecredit-kernel.json

$(B)/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/obj/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Wno-missing-prototypes -c -o $@ $<

# one static archive per layer: a test pulls in only the objects it uses, so an unfinished
# file elsewhere in a layer it links never breaks it
libof = $(if $(call objs,$(1)),$(B)/lib/libcs_$(1).a)
define lib_rule
$(B)/lib/libcs_$(1).a: $(call objs,$(1))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,$(LAYERS),$(eval $(call lib_rule,$(l))))

# one link rule per unit test: test_<module>_*.c links the layers up to <module>
define unit_rule
$(B)/tests/$(1): $(B)/obj/tests/unit/$(1).o $(foreach l,$(call upto,$(2),$(LAYERS)),$(call libof,$(l)))
	@mkdir -p $$(dir $$@)
	$$(CC) $$(LDFLAGS) -o $$@ $$< -Wl,--start-group $$(filter %.a,$$^) -Wl,--end-group $$(CMOCKA_LIBS) $$(LDLIBS)
endef
$(foreach t,$(UNIT_SRC),$(eval $(call unit_rule,$(basename $(notdir $(t))),$(word 2,$(subst _, ,$(basename $(notdir $(t))))))))

unit-bins: $(UNIT_BIN)

# every layer's archive (the benchmarks' C drivers link them)
libs: $(foreach l,$(LAYERS),$(call libof,$(l)))

# The dashboard's npm packages (Apache ECharts; esbuild; playwright-core and axe-core for the
# browser tests), installed from the lockfile, never at run time; the page's own ECharts
# build (only the charts it draws: web/dashboard/src/echarts-custom.js) is bundled by esbuild
# into the page's folder, so the dashboard server serves nothing from node_modules.
DASH_WEB := web/dashboard
$(DASH_WEB)/node_modules/.package-lock.json: $(DASH_WEB)/package.json $(DASH_WEB)/package-lock.json
	cd $(DASH_WEB) && npm ci --no-audit --no-fund --loglevel=error
$(DASH_WEB)/public/vendor/echarts.custom.min.js: $(DASH_WEB)/node_modules/.package-lock.json $(DASH_WEB)/src/echarts-custom.js
	@mkdir -p $(dir $@)
	cd $(DASH_WEB) && node_modules/.bin/esbuild src/echarts-custom.js --bundle --minify --format=iife \
	  --target=es2019 --legal-comments=eof --log-level=warning --outfile=public/vendor/echarts.custom.min.js
web: $(DASH_WEB)/public/vendor/echarts.custom.min.js
# The API's Swagger UI (npm swagger-ui-dist, from its lockfile), served by `serve` at /docs.
web/api-docs/node_modules/.package-lock.json: web/api-docs/package.json web/api-docs/package-lock.json
	cd web/api-docs && npm ci --no-audit --no-fund --loglevel=error
web: web/api-docs/node_modules/.package-lock.json

test:
	@scripts/install-deps.sh
	@scripts/test.sh

demo:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory all web
	@scripts/demo.sh

bench:
	@scripts/install-deps.sh
	@$(MAKE) --no-print-directory all libs
	@bench/run.sh

# screenshots of the dashboard's main views for the README, taken by the browser tests
screenshots: all web
	@SCREENSHOT_DIR=$(CURDIR)/docs/screenshots ROOT=$(CURDIR) CS=$(CURDIR)/$(BIN) tests/browser/run.sh

install-deps:
	@scripts/install-deps.sh

# make fuzz: each fuzz target runs FUZZ_SECONDS (clang, libFuzzer + ASan + UBSan). Parsers add
# their own build rule and `fuzz::` line (through fuzz_run); findings go to
# build/fuzz/findings-<name>/, each run's log to build/fuzz/log-<name>.txt (the last lines are
# shown when a target fails), and tests/fuzz/summary.sh tabulates the logs.
FUZZ_SECONDS ?= 600
FUZZ_CFLAGS := -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
               -fopenmp -D_GNU_SOURCE -Isrc $(shell pkg-config --cflags libcjson libpq 2>/dev/null)
fuzz_src = $(foreach l,$(1),$(wildcard src/$(l)/*.c))
FUZZ_RUN = -max_total_time=$(FUZZ_SECONDS) -max_len=65536 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1
# fuzz_run NAME: run build/fuzz/fuzz_NAME on its corpus (the kept one, then the seeds)
define fuzz_run
	@mkdir -p build/fuzz/corpus-$(1) build/fuzz/findings-$(1)
	@echo "fuzz $(1): $(FUZZ_SECONDS) s (log: build/fuzz/log-$(1).txt)"
	@build/fuzz/fuzz_$(1) $(FUZZ_RUN) -artifact_prefix=build/fuzz/findings-$(1)/ build/fuzz/corpus-$(1) \
	  tests/fuzz/corpus/$(1) >build/fuzz/log-$(1).txt 2>&1 || { tail -n 40 build/fuzz/log-$(1).txt; exit 1; }
endef
build/fuzz/fuzz_request: tests/fuzz/fuzz_request.c src/serve/request.c src/serve/jsoncheck.c src/serve/json.c $(wildcard src/base/*.c src/io/*.c)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(shell pkg-config --libs libcjson 2>/dev/null) -lm
fuzz:: build/fuzz/fuzz_request
	$(call fuzz_run,request)
build/fuzz/fuzz_csv: tests/fuzz/fuzz_csv.c $(wildcard src/base/*.c src/io/*.c)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ -lm
fuzz:: build/fuzz/fuzz_csv
	$(call fuzz_run,csv)
build/fuzz/fuzz_raw: tests/fuzz/fuzz_raw.c src/serve/request.c src/serve/jsoncheck.c src/serve/json.c $(call fuzz_src,base io recipe features)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(shell pkg-config --libs libcjson 2>/dev/null) -lm
fuzz:: build/fuzz/fuzz_raw
	$(call fuzz_run,raw)
build/fuzz/fuzz_model: tests/fuzz/fuzz_model.c $(call fuzz_src,base io recipe features eval learn explain model)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)
fuzz:: build/fuzz/fuzz_model
	$(call fuzz_run,model)
build/fuzz/fuzz_featfile: tests/fuzz/fuzz_featfile.c src/features/featfile.c $(call fuzz_src,base)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ -lm
fuzz:: build/fuzz/fuzz_featfile
	$(call fuzz_run,featfile)
build/fuzz/fuzz_drift: tests/fuzz/fuzz_drift.c $(call fuzz_src,base io recipe features eval learn explain model store drift)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(LDLIBS)
fuzz:: build/fuzz/fuzz_drift
	$(call fuzz_run,drift)
build/fuzz/fuzz_recipe: tests/fuzz/fuzz_recipe.c $(call fuzz_src,base io recipe)
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) -o $@ $^ $(shell pkg-config --libs libcjson 2>/dev/null) -lm
fuzz:: build/fuzz/fuzz_recipe
	$(call fuzz_run,recipe)
# the HTTP layer as a whole: raw bytes over a socket to a running serve and dashboard
build/fuzz/fuzz_http: tests/fuzz/fuzz_http.c $(call fuzz_src,$(LAYERS))
	@mkdir -p $(dir $@)
	clang $(FUZZ_CFLAGS) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -o $@ $^ $(LDLIBS)
fuzz:: build/fuzz/fuzz_http
	$(call fuzz_run,http)
# the fault injection runs over their whole range: I/O faults at every call of each writer
# (tests/e2e/test_faults.sh) and a failure at every allocation of each parser
# (tests/e2e/test_malloc_fail.sh); make test runs both with a few points spread over it
FAULT_RUNS := faults malloc_fail
fuzz:: $(BIN)
	@mkdir -p build/fuzz
	@for s in $(FAULT_RUNS); do \
	  echo "faults $$s: every N (log: build/fuzz/faults-$$s.txt)"; \
	  FAULT_POINTS=0 MALLOC_FAIL_POINTS=0 CS=$(CURDIR)/$(BIN) ROOT=$(CURDIR) bash tests/e2e/test_$$s.sh \
	    >build/fuzz/faults-$$s.txt 2>&1; \
	  grep -E '^(ok|not ok) ' build/fuzz/faults-$$s.txt; \
	  if grep -q '^not ok ' build/fuzz/faults-$$s.txt || ! grep -q '^ok ' build/fuzz/faults-$$s.txt; then \
	    tail -n 40 build/fuzz/faults-$$s.txt; exit 1; fi; \
	done
fuzz::
	@tests/fuzz/summary.sh

clean:
	rm -rf build

-include $(shell find $(B) -name '*.d' 2>/dev/null)
