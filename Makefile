# Quick start: `make run` runs the tour (every part of nettool on loopback, explained),
# `make test` runs the test suite.
# Both install missing system packages first (scripts/ensure-deps.sh).

ARGS ?= tour
# The binary users run: the Swift runtime and Foundation linked in (--static-swift-stdlib), so
# start-up does not spend its time loading and relocating a dozen shared libraries. Built in a
# scratch path of its own, so `swift build`/`swift test` keep their incremental builds.
DIST := .build/dist
PREFIX ?= /usr/local

.PHONY: run test build install bench bench-detail fuzz registries deps

deps:
	@bash scripts/ensure-deps.sh

run: deps
	swift run nettool $(ARGS)

test: deps
	swift test --disable-xctest

build: deps
	swift build -c release --product nettool --static-swift-stdlib --scratch-path $(DIST)
	@echo "built $(DIST)/release/nettool"

# `make install PREFIX=~/.local`: the stripped binary, its man page and bash/zsh/fish completions.
install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1 \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions \
		$(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d
	install -s -m 755 $(DIST)/release/nettool $(DESTDIR)$(PREFIX)/bin/nettool
	$(DIST)/release/nettool --generate-completion-script bash > $(DESTDIR)$(PREFIX)/share/bash-completion/completions/nettool
	$(DIST)/release/nettool --generate-completion-script zsh > $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_nettool
	$(DIST)/release/nettool --generate-completion-script fish > $(DESTDIR)$(PREFIX)/share/fish/vendor_completions.d/nettool.fish
	swift package --allow-writing-to-package-directory generate-manual --multi-page
	install -m 644 .build/plugins/GenerateManual/outputs/nettool/*.1 $(DESTDIR)$(PREFIX)/share/man/man1/

# `make bench`: the speed goals in one run, ending with one table (Benchmarks/summary.sh);
# `make bench-detail` runs the scripts that break each row down.
bench: deps
	bash Benchmarks/summary.sh

bench-detail: deps
	bash Benchmarks/ip-classify.sh
	bash Benchmarks/startup.sh
	bash Benchmarks/udp.sh
	bash Benchmarks/tcp-echo.sh
	bash Benchmarks/file-transfer.sh
	bash Benchmarks/capture.sh

# `make fuzz SECONDS=600`: every libFuzzer harness in Fuzz/ for SECONDS each (scripts/fuzz.sh).
fuzz: deps
	FUZZ_SECONDS=$(or $(SECONDS),600) bash scripts/fuzz.sh

# Regenerate the Swift registry tables after updating Data/ (or: make registries FROM=../shared/data).
registries:
	python3 scripts/generate-registries.py $(if $(FROM),--refresh $(FROM))
