#!/usr/bin/env bash
# Build one release binary and archive it, as .github/workflows/release.yml does for each target:
#
#   scripts/release-archive.sh TARGET VERSION [OUT_DIR]   (OUT_DIR: dist)
#
# writes OUT_DIR/vault-VERSION-TARGET.tar.gz (.zip for Windows) holding the binary, LICENSE and
# README.md at its top level (and the man pages in man/ for the Unix targets), and OUT_DIR/<archive>.sha256 in `sha256sum` format. VERSION must be
# Cargo.toml's (the tag without its v). Linux targets are musl and must come out static; their C
# code (aws-lc) is compiled with musl-gcc (Debian/Ubuntu musl-tools).
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "release-archive: $*" >&2; exit 1; }
(($# >= 2)) || die "usage: scripts/release-archive.sh TARGET VERSION [OUT_DIR]"
target=$1 version=$2 out=${3:-dist}
cargo_version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
[[ $version == "$cargo_version" ]] || die "version $version is not Cargo.toml's $cargo_version"

case $target in
  *-linux-musl)
    command -v musl-gcc >/dev/null || die "musl-gcc is missing (apt-get install musl-tools)"
    # cc-rs reads CC_<target with underscores>.
    export "CC_${target//-/_}=musl-gcc"
    ;;
esac
cargo build --release --locked --target "$target"

exe=vault
[[ $target == *-windows-* ]] && exe=vault.exe
bin=target/$target/release/$exe
if [[ $target == *-linux-musl ]] && readelf -lW "$bin" | grep -q 'program interpreter'; then
  die "$bin is not static"
fi

name=vault-$version-$target
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$bin" LICENSE README.md "$stage/"
[[ $target == *-windows-* ]] || cp -R man "$stage/man"
mkdir -p "$out"
out=$(cd "$out" && pwd)
if [[ $target == *-windows-* ]]; then
  archive=$name.zip
  python=$(command -v python3 || command -v python) || die "python is needed to write the zip"
  (cd "$stage" && "$python" -m zipfile -c "$out/$archive" "$exe" LICENSE README.md)
else
  archive=$name.tar.gz
  tar -C "$stage" -czf "$out/$archive" "$exe" LICENSE README.md man
fi
if command -v sha256sum >/dev/null; then
  (cd "$out" && sha256sum "$archive" >"$archive.sha256")
else # macOS
  (cd "$out" && shasum -a 256 "$archive" >"$archive.sha256")
fi
cat "$out/$archive.sha256"
