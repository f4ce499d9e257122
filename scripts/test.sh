#!/usr/bin/env bash
# `make test`: the Rust tests and the shell tests, side by side. Both mostly wait (on moto, on
# shells in pseudo-terminals), so running them together, and the shell tests on three workers,
# halves the wall time without weakening any test. Each suite's output is printed whole, the
# shell tests' after the Rust tests', and the exit status is non-zero if either failed.
set -uo pipefail
cd "$(dirname "$0")/.." || exit
cargo build --locked || exit
cargo test --locked --no-run || exit
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# A background job of a script starts with SIGINT and SIGQUIT ignored, and so would every shell
# the tests start (a shell cannot trap a signal ignored at entry): give them back their default.
(
  trap - INT QUIT
  exec python3 -m pytest -q -rs -p no:cacheprovider -n "${TEST_SHELL_WORKERS:-3}" tests/shells
) >"$log" 2>&1 &
shells=$!
cargo test --locked
rust=$?
wait "$shells"
status=$?
echo "--- shell tests (tests/shells) ---"
cat "$log"
# The Windows build under Wine, after the rest: its cross build would compete for the cores.
scripts/test-windows.sh
windows=$?
((rust == 0 && status == 0 && windows == 0))
