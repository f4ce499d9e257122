#!/usr/bin/env bash
# Type-check vault for macOS and Windows from Linux, with HTTPS where this machine can.
#
# The HTTPS client's C code (aws-lc) is compiled even by `cargo check` (its build script), so a
# target is checked with HTTPS (default features) only when a C compiler for it is here:
# - Windows (x86_64-pc-windows-gnu): Debian's gcc-mingw-w64-x86-64 (x86_64-w64-mingw32-gcc), as
#   the Wine build uses; without it, the check leaves HTTPS out and says so.
# - macOS (x86_64-apple-darwin): aws-lc needs a compiler with Apple's SDK headers (osxcross's
#   o64-clang), which no Debian package provides, so macOS is checked without HTTPS unless
#   MACOS_CC names one (or o64-clang is on PATH). The full macOS build, HTTPS included, is done
#   on a real Mac by .github/workflows/ci.yml and release.yml.
# Everything of ours, including the Keychain and Credential Manager stores, is checked either way.
set -euo pipefail
cd "$(dirname "$0")/.."

# cargo check, failing on a warning in vault's own code (as clippy -D warnings does on Linux):
# code that only another target compiles is otherwise never held to it.
checked() {
  local log status=0
  log=$(mktemp)
  "$@" 2>"$log" || status=$?
  cat "$log" >&2
  # shellcheck disable=SC2016 # the backquotes are cargo's, not an expansion
  if ((status == 0)) && grep -q '^warning: `vault`' "$log"; then
    echo "check-targets: warnings in vault's code for this target (above)" >&2
    status=1
  fi
  rm -f "$log"
  return "$status"
}

check() { # target, C compiler or '' -> cargo check
  local target=$1 cc=$2
  if ! rustup target add "$target" >/dev/null 2>&1; then
    echo "check-targets: cannot install the $target target here: not checked" >&2
    return 0
  fi
  if [[ -n $cc ]] && command -v "$cc" >/dev/null 2>&1; then
    echo "check-targets: $target with HTTPS (C compiler $cc)" >&2
    checked env "CC_${target//-/_}=$cc" cargo check --locked --lib --bins --target "$target"
  else
    echo "check-targets: $target without HTTPS (no C compiler for it here${cc:+: $cc not found})" >&2
    checked cargo check --locked --lib --bins --no-default-features --target "$target"
  fi
}

macos_cc=${MACOS_CC:-}
[[ -z $macos_cc ]] && command -v o64-clang >/dev/null 2>&1 && macos_cc=o64-clang
check x86_64-apple-darwin "$macos_cc"
check x86_64-pc-windows-gnu x86_64-w64-mingw32-gcc
