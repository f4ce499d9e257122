#!/usr/bin/env bash
# `make test-windows`: cross-build the full Windows vault (default features, HTTPS included) and
# run tests/windows under Wine against moto's server on loopback. The build is cached in
# target/ like any cargo build. The Wine-only shim DLL (tests/windows/bcryptprimitives.c) is
# built into target/wine-shim/ and copied into each test run's private Wine prefix, and
# tests/windows/credwrite.c is built there too: both are test scaffolding, never shipped.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
for tool in wineboot x86_64-w64-mingw32-gcc cmake nasm; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "test-windows: $tool is missing (make test-deps installs it)" >&2; exit 1; }
done
rustup target add "$target" >/dev/null 2>&1 ||
  { echo "test-windows: cannot install the $target target" >&2; exit 1; }
# rustc links this target with x86_64-w64-mingw32-gcc, Debian's mingw, by default.
# Wine 8's CredEnumerateW packs the CREDENTIAL structures it returns at 4-byte boundaries
# (Windows aligns them to 8): the Credential Manager crate's dereference of one is then
# misaligned, which a debug build's checks turn into an abort. Release builds have no such
# check (and x86_64 reads misaligned data), so the test build turns the checks off for that
# one crate, as in the binary that ships.
cargo build --locked --target "$target" \
  --config 'profile.dev.package.windows-native-keyring-store.debug-assertions=false'

shim=target/wine-shim/bcryptprimitives.dll
if [ ! -e "$shim" ] || [ tests/windows/bcryptprimitives.c -nt "$shim" ]; then
  mkdir -p target/wine-shim
  x86_64-w64-mingw32-gcc -O2 -shared -o "$shim" \
    tests/windows/bcryptprimitives.c tests/windows/bcryptprimitives.def -ladvapi32
fi

# A test-only program that writes Credential Manager items as aws-vault's keyring does, for
# the import tests (tests/windows/test_import.py); never shipped either.
credwrite=target/wine-shim/credwrite.exe
if [ ! -e "$credwrite" ] || [ tests/windows/credwrite.c -nt "$credwrite" ]; then
  mkdir -p target/wine-shim
  x86_64-w64-mingw32-gcc -O2 -municode -o "$credwrite" tests/windows/credwrite.c -ladvapi32
fi

export VAULT_WINDOWS_BIN="$PWD/target/$target/debug/vault.exe" VAULT_WINE_SHIM="$PWD/$shim"
export VAULT_WINE_CREDWRITE="$PWD/$credwrite"
# No X server is needed or wanted: every test program is a console program.
unset DISPLAY WAYLAND_DISPLAY
exec python3 -m pytest -q -p no:cacheprovider -n "${TEST_WINDOWS_WORKERS:-2}" tests/windows "$@"
