# Template: scripts/package-manifests.sh fills in the version, the repository and the checksums.
# Unzips the release's vault.exe into the package's tools folder; Chocolatey puts a shim for it
# on PATH (and removes both on `choco uninstall vault`).
$ErrorActionPreference = 'Stop'
$toolsDir = Split-Path -Parent $MyInvocation.MyCommand.Definition
$package = @{
    PackageName    = $env:ChocolateyPackageName
    UnzipLocation  = $toolsDir
    Url64bit       = 'https://github.com/@REPO@/releases/download/v@VERSION@/vault-@VERSION@-x86_64-pc-windows-msvc.zip'
    Checksum64     = '@SHA256:x86_64-pc-windows-msvc@'
    ChecksumType64 = 'sha256'
}
Install-ChocolateyZipPackage @package
