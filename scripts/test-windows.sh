#!/usr/bin/env bash
# `make test-windows`: cross-build the full Windows vault (default features, HTTPS included) and
# run tests/windows under Wine against moto's server on loopback. The build is cached in
# target/ like any cargo build. The Wine-only shim DLL (tests/windows/bcryptprimitives.c) is
# built into target/wine-shim/ and copied into each test run's private Wine prefix: it is test
# scaffolding and never part of what ships.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-pc-windows-gnu
for tool in wineboot x86_64-w64-mingw32-gcc cmake nasm; do
  command -v "$tool" >/dev/null 2>&1 ||
    { echo "test-windows: $tool is missing (make test-deps installs it)" >&2; exit 1; }
done
rustup target add "$target" >/dev/null 2>&1 ||
  { echo "test-windows: cannot install the $target target" >&2; exit 1; }
# Debian's mingw links with its own linker; name it so no ~/.cargo/config is needed.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
cargo build --locked --target "$target"

shim=target/wine-shim/bcryptprimitives.dll
if [ ! -e "$shim" ] || [ tests/windows/bcryptprimitives.c -nt "$shim" ]; then
  mkdir -p target/wine-shim
  x86_64-w64-mingw32-gcc -O2 -shared -o "$shim" \
    tests/windows/bcryptprimitives.c tests/windows/bcryptprimitives.def -ladvapi32
fi

export VAULT_WINDOWS_BIN="$PWD/target/$target/debug/vault.exe" VAULT_WINE_SHIM="$PWD/$shim"
# No X server is needed or wanted: every test program is a console program.
unset DISPLAY WAYLAND_DISPLAY
exec python3 -m pytest -q -p no:cacheprovider -n "${TEST_WINDOWS_WORKERS:-2}" tests/windows "$@"
