#!/usr/bin/env bash
# Type-check vault for macOS and Windows from Linux. The HTTPS client's C code (aws-lc) needs a
# cross compiler, so these checks leave it out; everything of ours, including the Keychain and
# Credential Manager stores, is checked.
set -euo pipefail
for target in x86_64-apple-darwin x86_64-pc-windows-gnu; do
  if ! rustup target add "$target" >/dev/null 2>&1; then
    echo "check-targets: cannot install the $target target here: not checked" >&2
    continue
  fi
  cargo check --locked --lib --bins --no-default-features --target "$target"
done
