#!/usr/bin/env bash
# Run each cargo-fuzz target in fuzz/ for a bounded time (FUZZ_SECONDS each, default 60).
# Not part of `make test` or CI. Usage: scripts/fuzz.sh [TARGET...]  (default: all targets)
#
# cargo-fuzz needs nightly for -Zsanitizer; with no nightly toolchain installed, the stable
# compiler is used with RUSTC_BOOTSTRAP=1. Crashes land in fuzz/artifacts/TARGET/; reproduce
# one with `cargo fuzz run TARGET fuzz/artifacts/TARGET/crash-...` (from the repository root).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(dotfile state config)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-fuzz" >&2
  cargo install cargo-fuzz --locked
fi

toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi

# Seed corpora from the shapes the unit tests use, so the first minute is not spent on basics.
seed() {
  local dir=fuzz/corpus/$1
  shift
  mkdir -p "$dir"
  local i=0
  for text in "$@"; do
    printf '%s' "$text" >"$dir/seed-$i"
    i=$((i + 1))
  done
}
seed dotfile 'will' $'profile = "x"\nduration = "soon\\nlater"\n' $'# shop\nprofile = "shop-dev"\nregion = "eu-west-1"\nduration = "2h"\nno_session = true\n'
seed state $'\x01{"a":{"p":"will","w":{"f":{"path":"/p/.awsvault","hash":"ab"}},"r":"eu-west-1","d":3600,"e":1900000000},"s":[["AWS_REGION","us-east-1"],["AWS_PROFILE",null]],"m":"hi","x":{"k":"k","t":5}}' \
  $'\x01{"a":{"p":"w","w":"u","n":true,"t":3}}'
seed config $'\x05[default]\nregion = eu-west-1\n[profile will]\nmfa_serial = arn:aws:iam::1:mfa/w\nmfa_process = echo 1\n[profile admin]\nsource_profile = will\nrole_arn = arn:aws:iam::2:role/a\nduration_seconds = 7200\ninclude_profile = base\n[profile base]\nregion = us-east-1\n[profile sso]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n[sso-session corp]\nsso_start_url = https://x\nsso_region = eu-west-1\n[profile web]\nweb_identity_token_file = /t\nrole_arn = arn:aws:iam::3:role/w\n[profile proc]\ncredential_process = echo {}\n'

status=0
for target in "${targets[@]}"; do
  echo "fuzz: $target for ${seconds}s" >&2
  if ! cargo "${toolchain[@]}" fuzz run "$target" -- -max_total_time="$seconds" -max_len=4096 \
    -timeout=10 -print_final_stats=1; then
    echo "fuzz: $target FAILED: see fuzz/artifacts/$target/" >&2
    status=1
  fi
done
exit $status
