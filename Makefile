# pdgen: Markdown + Mustache + YAML -> PDF letters for prosecutorial-discretion escalations.
# Quick start: `make demo`, then `make test`. BUILD=dir keeps objects apart (default build/).

VERSION  = 0.1.0
PREFIX  ?= /usr/local
DATADIR  = $(PREFIX)/share/pdgen
BUILD   ?= build
CC      ?= cc
PKGS     = libcmark-gfm yaml-0.1 libutf8proc harfbuzz-subset fribidi zlib libdeflate libpng libjpeg
CFLAGS  ?= -O2 -g
WARN     = -std=c11 -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
LIBDIR   = $(PREFIX)/lib/pdgen
CPPFLAGS += -D_POSIX_C_SOURCE=200809L -DPD_VERSION='"$(VERSION)"' -DPD_DATADIR='"$(DATADIR)"' \
	   -DPD_LIBDIR='"$(LIBDIR)"'
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) $(SUBMIT_PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lcmark-gfm-extensions -lhpdf -lhyphen -lnettle -lm -pthread
# pdgen's malloc: mimalloc (libyaml, libharu and cmark allocate for every node: glibc's
# malloc was a tenth of a batch's time; mimalloc takes 10% less CPU in all and, unlike
# tcmalloc, costs a single letter little to start). The module links it too: opened with
# RTLD_DEEPBIND, its libraries would otherwise free with glibc what GLib took from mimalloc.
# The sanitizer and valgrind builds keep glibc's (ALLOC_LIBS=), which those tools watch.
ALLOC_LIBS ?= -lmimalloc

# `packet` and `email` live in a module that pdgen loads when one is asked for (submit.c):
# loading libqpdf and GMime costs 14 M instructions, which every letter would pay otherwise.
SUBMIT_SRCS = $(addprefix generator/,packet.c packet_encl.c packet_style.c merge.c merge_tags.c email.c)
SUBMIT_PKGS = libqpdf gmime-3.0
SUBMIT_LIBS = $(shell pkg-config --libs $(SUBMIT_PKGS) 2>/dev/null)
SUBMIT   = $(BUILD)/pdgen-submit.so
SUBMIT_OBJS = $(SUBMIT_SRCS:generator/%.c=$(BUILD)/pic/%.o)

SRCS     = $(filter-out $(SUBMIT_SRCS),$(wildcard generator/*.c))
OBJS     = $(SRCS:generator/%.c=$(BUILD)/%.o)
LIB_OBJS = $(filter-out $(BUILD)/main.o $(BUILD)/cmd_%.o,$(OBJS))
UNIT_SRCS = $(wildcard tests/unit/test_*.c)
UNITS    = $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
PDGEN    = $(BUILD)/pdgen

# Debian 12 packages the build, the tests and the demo need.
DEB_PKGS = build-essential pkg-config libhpdf-dev libcmark-gfm-dev \
	   libcmark-gfm-extensions-dev libyaml-dev libutf8proc-dev libcmocka-dev \
	   poppler-utils qpdf nettle-dev python3-yaml man-db fonts-wqy-microhei \
	   python3-fonttools libhyphen-dev hyphen-en-us libharfbuzz-dev zlib1g-dev libdeflate-dev \
	   libpng-dev libjpeg-dev libqpdf-dev libgmime-3.0-dev icc-profiles-free python3-pikepdf \
	   fonts-liberation2 libmimalloc-dev libfribidi-dev fonts-dejavu-core

.PHONY: all cut-fonts sample-enclosures deps check-deps demo test unit e2e regress regress-update \
	clean install install-completion uninstall asan valgrind lint bench fuzz

all: pdgen

pdgen: $(PDGEN) $(SUBMIT) cut-fonts
	cp $(SUBMIT) pdgen-submit.so.tmp && mv -f pdgen-submit.so.tmp pdgen-submit.so
	cp $(PDGEN) pdgen.tmp && mv -f pdgen.tmp pdgen # a running pdgen keeps its old file
	@$(MAKE) --no-print-directory -s sample-enclosures

# The sample packet's enclosure PDFs, made by pdgen itself from Markdown (a few KB each),
# again whenever pdgen changes (the packet's goldens hold their text); any build's pdgen
# makes the same bytes.
SAMPLE_ENCL = $(patsubst %.md,%.pdf,$(wildcard samples/packet/encl/*.md))
sample-enclosures: $(SAMPLE_ENCL)
samples/packet/encl/%.pdf: samples/packet/encl/%.md $(PDGEN) $(SUBMIT)
	$(PDGEN) typeset $< -o $@

# The shipped fonts cut at build time to the scripts letters need (Latin with Vietnamese,
# Greek, Cyrillic, punctuation), without hinting, keeping the kerning and ligature tables
# shaping reads (GPOS, GSUB, GDEF, kern): a fraction of the size,
# so far faster to embed. The cuts are renamed (the OFL reserves "Liberation"); characters
# they lack come from the full fonts. Without fontTools pdgen uses the full fonts.
CUT_UNICODES = U+0020-007E,U+00A0-036F,U+0370-03FF,U+0400-04FF,U+1E00-1EFF,U+2000-206F,U+20A0-20CF,U+2100-214F,U+2190-2199,U+2212,U+2215,U+25CA,U+FB00-FB06
FONT_SRCS = $(wildcard fonts/*.ttf)
CUT_FONTS = $(FONT_SRCS:fonts/%=fonts/cut/%)
cut-fonts:
	@if /usr/bin/python3 -c 'import fontTools' 2>/dev/null; then \
		$(MAKE) --no-print-directory -s $(CUT_FONTS); \
	else echo "note: python3-fonttools is missing: using the full fonts (slower, larger PDFs)"; fi

fonts/cut/%.ttf: fonts/%.ttf fonts/cut-font.py
	@mkdir -p fonts/cut
	/usr/bin/python3 fonts/cut-font.py $< $@ '$(CUT_UNICODES)'

$(PDGEN): $(OBJS) $(SUBMIT)
	$(CC) $(CFLAGS) $(LDFLAGS) -rdynamic -o $@ $(OBJS) $(PKG_LIBS) $(ALLOC_LIBS)

$(SUBMIT): $(SUBMIT_OBJS)
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -o $@ $(SUBMIT_OBJS) $(SUBMIT_LIBS) $(ALLOC_LIBS)

$(BUILD)/pic/%.o: generator/%.c generator/*.h | $(BUILD)
	@mkdir -p $(@D)
	$(CC) $(WARN) $(CFLAGS) -fPIC $(CPPFLAGS) $(PKG_CFLAGS) -Igenerator -c -o $@ $<

# -MMD -MP: each object depends on the headers it includes (BUILD/*.d), no more; an
# object without its .d (built before) is built again.
$(BUILD)/%.o: generator/%.c $(BUILD)/%.d | $(BUILD)
	$(CC) $(WARN) $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -MMD -MP -Igenerator -c -o $@ $<

$(BUILD)/%.d: ;
.PRECIOUS: $(BUILD)/%.d
-include $(OBJS:.o=.d)

$(BUILD):
	mkdir -p $(BUILD)/tests $(BUILD)/pic

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) generator/*.h | $(BUILD)
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) $(CPPFLAGS) $(PKG_CFLAGS) -Igenerator \
		-o $@ $< $(LIB_OBJS) $(PKG_LIBS) -lcmocka

# The packages of DEB_PKGS not installed, space separated.
MISSING_DEBS = for p in $(DEB_PKGS); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' \
			|| printf ' %s' $$p; done

# Installs what is missing (apt-get as root, else sudo); does nothing when all is there.
deps:
	@missing=$$($(MISSING_DEBS)); \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

demo: deps
	$(MAKE) pdgen
	@sh tests/demo.sh ./pdgen out

# Installs nothing: names what is missing and stops (make deps, or make demo, installs it).
check-deps:
	@missing=$$($(MISSING_DEBS)); \
	if [ -n "$$missing" ]; then echo "missing Debian packages:$$missing (run make deps)"; exit 2; fi

# The suite runs the binary of $(BUILD) (asan and valgrind builds never replace ./pdgen).
test: check-deps
	$(MAKE) $(if $(filter build,$(BUILD)),pdgen) $(PDGEN) cut-fonts units
	@$(MAKE) --no-print-directory -s sample-enclosures
	@PDGEN=$(PDGEN) BUILD=$(BUILD) sh tests/run.sh

units: $(UNITS)

# The regress corpus (diagnostics) and the goldens (every sample's and man-page example's
# Markdown, PDF text and page make-up, tests/golden/); -update rewrites both: read the diff.
regress: pdgen
	@PDGEN=./pdgen sh tests/regress.sh && PDGEN=./pdgen sh tests/golden.sh

regress-update: pdgen
	@PDGEN=./pdgen sh tests/regress.sh --update && PDGEN=./pdgen sh tests/golden.sh --update

asan:
	$(MAKE) BUILD=build-asan CFLAGS='-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer' \
		LDFLAGS='-fsanitize=address,undefined' ALLOC_LIBS= test

valgrind:
	$(MAKE) BUILD=build-valgrind ALLOC_LIBS= build-valgrind/pdgen units
	@PDGEN=build-valgrind/pdgen BUILD=build-valgrind VALGRIND='valgrind -q --error-exitcode=99 --leak-check=full' \
		sh tests/run.sh

# libFuzzer targets (clang): each runs FUZZ_SECONDS from a seed corpus of samples and regress inputs.
FUZZ_SECONDS ?= 60
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
fuzz:
	$(MAKE) BUILD=build-fuzz CC=clang \
		CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer' \
		$(patsubst tests/fuzz/%.c,build-fuzz/%,$(FUZZ_SRCS))
	@for f in $(FUZZ_SRCS); do \
		name=$$(basename $$f .c); corpus=build-fuzz/corpus-$$name; mkdir -p $$corpus; \
		cp samples/*.yaml templates/*.md tests/regress/*/*.* tests/fuzz/seeds/$$name/* $$corpus/ 2>/dev/null; \
		echo "fuzzing $$name for $(FUZZ_SECONDS) s"; \
		build-fuzz/$$name -max_total_time=$(FUZZ_SECONDS) -timeout=10 -rss_limit_mb=2048 \
			-artifact_prefix=build-fuzz/$$name- $$corpus >build-fuzz/$$name.log 2>&1 \
			|| { tail -40 build-fuzz/$$name.log; exit 1; }; \
		tail -1 build-fuzz/$$name.log; \
	done

build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c $(LIB_OBJS)
	$(CC) $(WARN) -Wno-missing-prototypes $(CFLAGS) -fsanitize=fuzzer $(CPPFLAGS) $(PKG_CFLAGS) \
		-Igenerator -o $@ $< $(LIB_OBJS) $(PKG_LIBS)

bench: pdgen
	@PDGEN=./pdgen sh tests/bench.sh
	@PDGEN=./pdgen sh tests/bench_packet.sh

lint:
	cppcheck --quiet --std=c11 --enable=warning,portability --error-exitcode=1 \
		--suppress=internalAstError generator # it cannot parse __typeof__ (VPUSH)

install: pdgen
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(DATADIR)/templates $(DESTDIR)$(DATADIR)/fonts \
		$(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5
	install -m 755 pdgen $(DESTDIR)$(PREFIX)/bin/pdgen
	install -d $(DESTDIR)$(LIBDIR) && install -m 644 pdgen-submit.so $(DESTDIR)$(LIBDIR)/
	cp -R templates/. $(DESTDIR)$(DATADIR)/templates/
	cp -R fonts/. $(DESTDIR)$(DATADIR)/fonts/
	rm -f $(DESTDIR)$(DATADIR)/fonts/cut-font.py
	install -m 644 man/pdgen.1 $(DESTDIR)$(PREFIX)/share/man/man1/
	install -m 644 man/pdgen-case.5 man/pdgen-template.5 $(DESTDIR)$(PREFIX)/share/man/man5/
	$(MAKE) install-completion

install-completion:
	install -d $(DESTDIR)$(PREFIX)/share/bash-completion/completions \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions
	install -m 644 completion/pdgen.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/pdgen
	install -m 644 completion/_pdgen $(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_pdgen

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/pdgen $(DESTDIR)$(PREFIX)/share/man/man1/pdgen.1 \
		$(DESTDIR)$(PREFIX)/share/man/man5/pdgen-case.5 \
		$(DESTDIR)$(PREFIX)/share/man/man5/pdgen-template.5 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/pdgen \
		$(DESTDIR)$(PREFIX)/share/zsh/vendor-completions/_pdgen
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(LIBDIR)

clean:
	rm -rf build build-* pdgen pdgen-submit.so out fonts/cut
