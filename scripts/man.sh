#!/usr/bin/env bash
# `make man`: write man/ from the binary given (default target/debug/vault): vault.1 and one
# page per command, rendered by clap_mangen from cli.rs (see src/cmd/man.rs).
# tests/help.rs fails when man/ differs from what the binary writes.
set -euo pipefail
vault=${1:-target/debug/vault}
cd "$(dirname "$0")/.."
fresh=$(mktemp -d)
trap 'rm -rf "$fresh"' EXIT
"$vault" man "$fresh"
# Replace the whole folder, so the page of a command that is gone goes too.
rm -rf man
mkdir man
cp "$fresh"/*.1 man/
pages=(man/*.1)
echo "wrote ${#pages[@]} pages in man/"
