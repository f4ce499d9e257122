#!/usr/bin/env bash
# `make completions`: write completions/ from the binary given (default target/debug/vault).
# What each file holds, and why: src/cmd/completions.rs.
# tests/completions.rs fails when a committed file differs from what the binary prints.
set -euo pipefail
vault=${1:-target/debug/vault}
cd "$(dirname "$0")/.."
mkdir -p completions
for pair in bash:vault.bash zsh:_vault fish:vault.fish powershell:_vault.ps1 nu:vault.nu; do
  shell=${pair%%:*} file=completions/${pair#*:}
  "$vault" completions "$shell" >"$file.tmp"
  mv "$file.tmp" "$file"
  echo "wrote $file"
done
