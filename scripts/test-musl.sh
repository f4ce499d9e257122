#!/usr/bin/env bash
# The static Linux build: `x86_64-unknown-linux-musl`, the binary the release ships for Linux.
#
#   scripts/test-musl.sh build [debug|release]  build it (prints the binary's path)
#   scripts/test-musl.sh                        build the debug one, check that it is static, and
#                                               run the core suites against it (VAULT_BIN)
#
# The test binaries themselves stay glibc builds: only the program under test changes, which is
# what a user of the release runs. aws-lc (the HTTPS client's C code) is compiled with musl-gcc
# (Debian's musl-tools); `make test-deps` installs it and the Rust target.
set -euo pipefail
cd "$(dirname "$0")/.."
target=x86_64-unknown-linux-musl
# The core suites: the command line, STS (sessions, roles, MFA), the stores.
read -ra suites <<<"${TEST_MUSL_SUITES:-cli sts store_backends}"

die() { echo "test-musl: $*" >&2; exit 1; }

build() { # build PROFILE -> path of the binary on stdout
  local profile=$1 flag=()
  [[ $profile == release ]] && flag=(--release)
  command -v musl-gcc >/dev/null || die "musl-gcc is missing (apt-get install musl-tools, or make test-deps)"
  rustup target list --installed 2>/dev/null | grep -qx "$target" ||
    die "the Rust target $target is missing (rustup target add $target, or make test-deps)"
  CC_x86_64_unknown_linux_musl=musl-gcc cargo build --locked "${flag[@]}" --target "$target" >&2
  echo "target/$target/$profile/vault"
}

if [[ ${1-} == build ]]; then
  build "${2:-debug}"
  exit
fi

bin=$(realpath "$(build debug)")
# Static: no program interpreter (dynamic loader) and no shared libraries asked for.
if readelf -lW "$bin" | grep -q 'Requesting program interpreter' || readelf -dW "$bin" | grep -q '(NEEDED)'; then
  readelf -lW "$bin" | grep -i interpreter >&2 || true
  die "$bin is not a static binary"
fi
"$bin" --version >/dev/null || die "$bin does not run"
echo "test-musl: $bin is static; running ${suites[*]} against it" >&2
args=()
for suite in "${suites[@]}"; do args+=(--test "$suite"); done
VAULT_BIN=$bin cargo test --locked "${args[@]}"
