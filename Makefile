# Quick start: `make run` runs the tour (every part of nettool on loopback, explained),
# `make test` runs the test suite.
# Both install missing system packages first (scripts/ensure-deps.sh).

ARGS ?= tour

.PHONY: run test build bench registries deps

deps:
	@bash scripts/ensure-deps.sh

run: deps
	swift run nettool $(ARGS)

test: deps
	swift test --disable-xctest

build: deps
	swift build -c release --product nettool

bench: deps
	bash Benchmarks/ip-classify.sh
	bash Benchmarks/udp.sh
	bash Benchmarks/tcp-echo.sh
	bash Benchmarks/file-transfer.sh
	bash Benchmarks/capture.sh

# Regenerate the Swift registry tables after updating Data/ (or: make registries FROM=../shared/data).
registries:
	python3 scripts/generate-registries.py $(if $(FROM),--refresh $(FROM))
