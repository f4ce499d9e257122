# Each target is a command a person could type; logic lives in scripts/.
PREFIX ?= $(HOME)/.local

.PHONY: build install test test-windows test-deps lint demo check-targets completions man bench fuzz check-packaging test-musl

build:
	cargo build --release --locked

install:
	cargo install --path . --locked --root $(PREFIX)

test-deps:
	scripts/install-test-deps.sh

test: test-deps check-packaging
	scripts/test.sh

# The Windows build under Wine (cross-built into target/; `make test` runs it too).
test-windows: test-deps
	scripts/test-windows.sh

lint:
	cargo fmt --all -- --check && cargo clippy --locked --all-targets -- -D warnings
	scripts/check-docs.py

# The release build when there is one (kept up to date), else a debug build.
demo:
	scripts/demo.sh

check-targets:
	scripts/check-targets.sh

completions:
	cargo build --locked && scripts/completions.sh target/debug/vault

man:
	cargo build --locked && scripts/man.sh target/debug/vault

bench:
	cargo build --release --locked && scripts/test-musl.sh build release >/dev/null && scripts/bench.sh target/release/vault

# Bounded fuzzing of the parsers (FUZZ_SECONDS per target, default 60); not run by CI.
fuzz:
	scripts/fuzz.sh

# The GitHub workflows (schema, actionlint, shellcheck) and the package manifests in packaging/.
check-packaging:
	scripts/check-packaging.sh

# The static musl binary, and the core suites run against it (VAULT_BIN).
test-musl: test-deps
	scripts/test-musl.sh
