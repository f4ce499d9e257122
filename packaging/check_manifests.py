"""Structural checks of rendered package manifests (scripts/package-manifests.sh output).

    python3 packaging/check_manifests.py RENDERED_DIR VERSION REPO SHA256SUMS

Each manifest must parse (YAML, JSON, XML, PowerShell by tree-sitter's grammar), carry the
fields its format requires (the rules below are those of winget's 1.6.0 schemas, Scoop's schema,
the nuspec schema with Chocolatey's additions, and Homebrew's formula DSL), and point at exactly
the release archives of .github/workflows/release.yml with the checksums SHA256SUMS gives. The
published schemas cannot be fetched here; on GitHub, ci.yml also validates the winget and Scoop
manifests against them (scripts/check-packaging.sh --online). Exit status 1 and one line per
problem when anything is wrong.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
problems = []


def problem(where, text):
    problems.append(f"{where}: {text}")


def release_targets():
    """The targets release.yml builds, from its matrix."""
    workflow = yaml.safe_load((ROOT / ".github/workflows/release.yml").read_text())
    return [row["target"] for row in workflow["jobs"]["build"]["strategy"]["matrix"]["include"]]


def archive(version, target):
    ext = "zip" if "-windows-" in target else "tar.gz"
    return f"vault-{version}-{target}.{ext}"


def check_url(where, url, version, repo, target, sums):
    name = archive(version, target)
    want = f"https://github.com/{repo}/releases/download/v{version}/{name}"
    if url != want:
        problem(where, f"URL {url!r} is not the release archive {want!r}")


def check_hash(where, value, version, target, sums):
    name = archive(version, target)
    if not re.fullmatch(r"[0-9a-fA-F]{64}", str(value)):
        problem(where, f"{value!r} is not a SHA-256")
    elif str(value).lower() != sums.get(name):
        problem(where, f"checksum of {name} is not SHA256SUMS's")


# --- winget (manifest schema 1.6.0) -----------------------------------------------------------

WINGET_ID = re.compile(r'^[^.\s\\/:*?"<>|\x01-\x1f]{1,32}(\.[^.\s\\/:*?"<>|\x01-\x1f]{1,32}){1,7}$')
WINGET_REQUIRED = {
    "version": ["PackageIdentifier", "PackageVersion", "DefaultLocale", "ManifestType", "ManifestVersion"],
    "installer": ["PackageIdentifier", "PackageVersion", "Installers", "ManifestType", "ManifestVersion"],
    "defaultLocale": ["PackageIdentifier", "PackageVersion", "PackageLocale", "Publisher", "PackageName",
                      "License", "ShortDescription", "ManifestType", "ManifestVersion"],
}
WINGET_ARCH = {"x86_64": "x64", "aarch64": "arm64"}


def check_winget(folder, version, repo, sums):
    files = sorted(folder.glob("*.yaml"))
    docs = {}
    for path in files:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as err:
            problem(path, f"not YAML: {err}")
            continue
        kind = doc.get("ManifestType")
        if kind not in WINGET_REQUIRED:
            problem(path, f"ManifestType {kind!r} is not one of {sorted(WINGET_REQUIRED)}")
            continue
        docs[kind] = (path, doc)
        for key in WINGET_REQUIRED[kind]:
            if not doc.get(key):
                problem(path, f"{key} is missing")
        if doc.get("ManifestVersion") != "1.6.0":
            problem(path, "ManifestVersion is not 1.6.0 (the schema checked)")
        ident = str(doc.get("PackageIdentifier", ""))
        if not WINGET_ID.match(ident):
            problem(path, f"PackageIdentifier {ident!r} is not Publisher.Package")
        # winget-pkgs names each file after the identifier.
        suffix = {"version": "", "installer": ".installer", "defaultLocale": f".locale.{doc.get('PackageLocale')}"}[kind]
        if path.name != f"{ident}{suffix}.yaml":
            problem(path, f"should be named {ident}{suffix}.yaml")
        if doc.get("PackageVersion") != version:
            problem(path, f"PackageVersion {doc.get('PackageVersion')!r} is not {version!r} (a string)")
    if sorted(docs) != sorted(WINGET_REQUIRED):
        problem(folder, f"want one manifest of each type {sorted(WINGET_REQUIRED)}, found {sorted(docs)}")
        return
    if len({d["PackageIdentifier"] for _, d in docs.values()}) != 1:
        problem(folder, "the manifests name different PackageIdentifiers")
    if docs["version"][1]["DefaultLocale"] != docs["defaultLocale"][1]["PackageLocale"]:
        problem(folder, "DefaultLocale is not the locale manifest's PackageLocale")
    path, installer = docs["installer"]
    windows = [t for t in release_targets() if "-windows-" in t]
    listed = installer.get("Installers") or []
    if len(listed) != len(windows):
        problem(path, f"{len(listed)} installers for the release's {len(windows)} Windows archives")
    for entry, target in zip(listed, windows):
        arch = WINGET_ARCH[target.split("-")[0]]
        if entry.get("Architecture") != arch:
            problem(path, f"Architecture {entry.get('Architecture')!r} is not {arch!r} for {target}")
        check_url(path, entry.get("InstallerUrl"), version, repo, target, sums)
        check_hash(path, entry.get("InstallerSha256"), version, target, sums)
    if installer.get("InstallerType") != "zip" or installer.get("NestedInstallerType") != "portable":
        problem(path, "the release zip is installed as InstallerType zip, NestedInstallerType portable")
    nested = installer.get("NestedInstallerFiles") or [{}]
    if [n.get("RelativeFilePath") for n in nested] != ["vault.exe"]:
        problem(path, "NestedInstallerFiles must be the zip's vault.exe")
    if nested[0].get("PortableCommandAlias") != "vault":
        problem(path, "PortableCommandAlias must be vault")


# --- Scoop ----------------------------------------------------------------------------------

def check_scoop(path, version, repo, sums):
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        problem(path, f"not JSON: {err}")
        return
    for key in ("version", "homepage", "license", "description", "bin", "architecture"):
        if not doc.get(key):
            problem(path, f"{key} is missing")
    if doc.get("version") != version:
        problem(path, f"version {doc.get('version')!r} is not {version!r}")
    known = {"##", "version", "description", "homepage", "license", "architecture", "bin", "checkver",
             "autoupdate", "notes", "depends", "suggest", "env_add_path", "persist", "shortcuts"}
    for key in doc:
        if key not in known:
            problem(path, f"unexpected key {key!r}")
    windows = [t for t in release_targets() if "-windows-" in t]
    arches = doc.get("architecture", {})
    for target in windows:
        arch = {"x86_64": "64bit", "aarch64": "arm64"}[target.split("-")[0]]
        entry = arches.get(arch) or {}
        check_url(path, entry.get("url"), version, repo, target, sums)
        check_hash(path, entry.get("hash"), version, target, sums)
    if doc.get("bin") != "vault.exe":
        problem(path, "bin must be the zip's vault.exe")
    auto = doc.get("autoupdate", {})
    for arch, entry in auto.get("architecture", {}).items():
        if "$version" not in entry.get("url", ""):
            problem(path, f"autoupdate {arch} url has no $version")


# --- Chocolatey -----------------------------------------------------------------------------

NUSPEC_NS = "http://schemas.microsoft.com/packaging/2015/06/nuspec.xsd"
# The nuspec schema's metadata elements (an xs:all: each at most once, any order) ...
NUSPEC_FIELDS = {"id", "version", "title", "authors", "owners", "licenseUrl", "projectUrl", "iconUrl",
                 "requireLicenseAcceptance", "developmentDependency", "description", "summary",
                 "releaseNotes", "copyright", "language", "tags", "serviceable", "repository", "license",
                 "packageTypes", "dependencies", "frameworkAssemblies", "frameworkReferences",
                 "references", "contentFiles", "icon"}
# ... and Chocolatey's additions.
CHOCOLATEY_FIELDS = {"packageSourceUrl", "projectSourceUrl", "docsUrl", "bugTrackerUrl", "mailingListUrl"}
NUSPEC_REQUIRED = ["id", "version", "authors", "description"]
URL_FIELDS = {"licenseUrl", "projectUrl", "iconUrl", "packageSourceUrl", "projectSourceUrl", "docsUrl",
              "bugTrackerUrl", "mailingListUrl"}


def check_chocolatey(folder, version, repo, sums):
    path = folder / "vault.nuspec"
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as err:
        problem(path, f"not well-formed XML: {err}")
        return
    if root.tag != f"{{{NUSPEC_NS}}}package":
        problem(path, f"root is {root.tag}, not package in {NUSPEC_NS}")
        return
    ns = {"n": NUSPEC_NS}
    metadata = root.find("n:metadata", ns)
    if metadata is None:
        problem(path, "no metadata")
        return
    seen = {}
    for child in metadata:
        name = child.tag.split("}")[-1]
        if name not in NUSPEC_FIELDS | CHOCOLATEY_FIELDS:
            problem(path, f"metadata has no field {name!r}")
        if name in seen:
            problem(path, f"{name} given twice")
        seen[name] = (child.text or "").strip()
    for name in NUSPEC_REQUIRED:
        if not seen.get(name):
            problem(path, f"{name} is missing")
    if seen.get("id") != "vault":
        problem(path, "id must be vault (`choco install vault`)")
    if seen.get("version") != version:
        problem(path, f"version {seen.get('version')!r} is not {version!r}")
    if seen.get("requireLicenseAcceptance") not in (None, "true", "false"):
        problem(path, "requireLicenseAcceptance is not a boolean")
    if "," in seen.get("tags", ""):
        problem(path, "tags are separated by spaces")
    for name in URL_FIELDS & seen.keys():
        if not seen[name].startswith(f"https://github.com/{repo}"):
            problem(path, f"{name} is not under https://github.com/{repo}")
    files = [f.get("src") for f in root.findall("n:files/n:file", ns)]
    if files != ["tools\\**"]:
        problem(path, "files must be the tools folder")
    script = folder / "tools" / "chocolateyinstall.ps1"
    text = script.read_text(encoding="utf-8")
    errors = powershell_errors(text)
    if errors:
        problem(script, f"does not parse as PowerShell: {errors[:3]}")
    (target,) = [t for t in release_targets() if t.startswith("x86_64-pc-windows")]
    url = re.search(r"Url64bit\s*=\s*'([^']*)'", text)
    checksum = re.search(r"Checksum64\s*=\s*'([^']*)'", text)
    if not url or not checksum or "Install-ChocolateyZipPackage" not in text:
        problem(script, "must Install-ChocolateyZipPackage with Url64bit and Checksum64")
        return
    check_url(script, url.group(1), version, repo, target, sums)
    check_hash(script, checksum.group(1), version, target, sums)
    if "ChecksumType64 = 'sha256'" not in text:
        problem(script, "ChecksumType64 must be sha256")


def powershell_errors(text):
    import tree_sitter
    import tree_sitter_powershell

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
    found = []

    def walk(node):
        if node.is_error or node.is_missing:
            found.append((node.start_point[0] + 1, node.text.decode("utf-8", "replace")[:40]))
        for child in node.children:
            walk(child)

    walk(parser.parse(text.encode("utf-8")).root_node)
    return found


# --- Homebrew -------------------------------------------------------------------------------

def check_homebrew(path, version, repo, sums):
    # `ruby -c` (scripts/check-packaging.sh) checks the syntax; here the formula's content.
    text = path.read_text(encoding="utf-8")
    for needle in ("class Vault < Formula", "  desc ", "  homepage ", "  license \"MIT\"",
                   "  def install", '    bin.install "vault"', "  test do"):
        if needle not in text:
            problem(path, f"no {needle.strip()!r}")
    if f'  version "{version}"' not in text:
        problem(path, f"version is not {version}")
    pairs = re.findall(r'url "([^"]+)"\n\s+sha256 "([^"]+)"', text)
    unix = [t for t in release_targets() if "-windows-" not in t]
    by_target = {}
    for url, digest in pairs:
        name = url.rsplit("/", 1)[-1]
        target = name.removeprefix(f"vault-{version}-").removesuffix(".tar.gz")
        by_target[target] = (url, digest)
    if sorted(by_target) != sorted(unix):
        problem(path, f"archives {sorted(by_target)} are not the release's macOS and Linux ones {sorted(unix)}")
    for target, (url, digest) in by_target.items():
        check_url(path, url, version, repo, target, sums)
        check_hash(path, digest, version, target, sums)
    # Each on_<os>/on_<arch> block holds the archive of that platform.
    for os_block, os_name in (("on_macos", "apple-darwin"), ("on_linux", "unknown-linux-musl")):
        block = re.search(rf"  {os_block} do\n(.*?)\n  end\n", text, re.S)
        if not block:
            problem(path, f"no {os_block} block")
            continue
        for arch_block, arch in (("on_arm", "aarch64"), ("on_intel", "x86_64")):
            inner = re.search(rf"    {arch_block} do\n(.*?)\n    end", block.group(1), re.S)
            if not inner or f"-{arch}-{os_name}.tar.gz" not in inner.group(1):
                problem(path, f"{os_block}/{arch_block} does not hold the {arch}-{os_name} archive")


def main():
    folder, version, repo, sums_path = Path(sys.argv[1]), sys.argv[2], sys.argv[3], Path(sys.argv[4])
    sums = {}
    for line in sums_path.read_text().splitlines():
        if line.strip():
            digest, name = line.split(maxsplit=1)
            sums[name.lstrip("*")] = digest.lower()
    for target in release_targets():
        if archive(version, target) not in sums:
            problem(sums_path, f"no checksum for {archive(version, target)}")
    check_winget(folder / "winget", version, repo, sums)
    check_scoop(folder / "scoop" / "vault.json", version, repo, sums)
    check_chocolatey(folder / "chocolatey", version, repo, sums)
    check_homebrew(folder / "homebrew" / "vault.rb", version, repo, sums)
    for line in problems:
        print(line)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
