#!/usr/bin/env bash
# Fill in the package manifests (packaging/) for one release, from its checksum file:
#
#   scripts/package-manifests.sh VERSION SHA256SUMS OUT_DIR
#
# SHA256SUMS is the release's (sha256sum format, one archive a line, as
# .github/workflows/release.yml writes it); the repository is $VAULT_REPOSITORY, else
# $GITHUB_REPOSITORY (owner/name, set in GitHub Actions). OUT_DIR receives winget/, scoop/,
# chocolatey/ and homebrew/ with @VERSION@, @REPO@ and every @SHA256:TARGET@ replaced. It fails,
# writing nothing, when an archive a manifest points at is not in SHA256SUMS.
# `make check-packaging` tests it (scripts/check-packaging.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "package-manifests: $*" >&2; exit 1; }
(($# == 3)) || die "usage: scripts/package-manifests.sh VERSION SHA256SUMS OUT_DIR"
version=$1 sums=$2 out=$3
repo=${VAULT_REPOSITORY:-${GITHUB_REPOSITORY:-}}
[[ -n $repo ]] || die "set VAULT_REPOSITORY (or GITHUB_REPOSITORY) to the repository, owner/name"
[[ $repo =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "not a repository name (owner/name): $repo"
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "not a version (X.Y.Z): $version"
[[ -r $sums ]] || die "cannot read $sums"

# archive name -> checksum
declare -A sha=()
while read -r hash file; do
  [[ -n ${hash-} ]] || continue
  file=${file#\*} # sha256sum's binary-mode marker
  [[ $hash =~ ^[0-9a-fA-F]{64}$ ]] || die "$sums: not a SHA-256: $hash"
  sha[$file]=${hash,,}
done <"$sums"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp -R "$here/packaging/winget" "$here/packaging/scoop" "$here/packaging/chocolatey" "$here/packaging/homebrew" "$stage/"
while IFS= read -r -d '' file; do
  text=$(<"$file")
  # Each @SHA256:TARGET@ names the archive of that target, .zip for Windows.
  mapfile -t targets < <(grep -o '@SHA256:[a-z0-9_-]*@' <<<"$text" | sort -u | sed 's/^@SHA256:\(.*\)@$/\1/')
  for target in "${targets[@]}"; do
    ext=tar.gz
    [[ $target == *-windows-* ]] && ext=zip
    archive=vault-$version-$target.$ext
    [[ -n ${sha[$archive]-} ]] || die "$archive (for ${file#"$stage"/}) is not in $sums"
    text=${text//"@SHA256:$target@"/${sha[$archive]}}
  done
  text=${text//@VERSION@/$version}
  text=${text//@REPO@/$repo}
  if grep -q '@[A-Z0-9_]*\(:[a-z0-9_-]*\)\?@' <<<"$text"; then
    die "${file#"$stage"/}: a placeholder is left: $(grep -o '@[A-Z0-9_]*\(:[a-z0-9_-]*\)\?@' <<<"$text" | head -n 1)"
  fi
  printf '%s\n' "$text" >"$file"
done < <(find "$stage" -type f -print0)
mkdir -p "$out"
cp -R "$stage/." "$out/"
echo "package-manifests: vault $version ($repo) in $out" >&2
