# Template: scripts/package-manifests.sh fills in the version, the repository and the checksums.
# For a tap (homebrew-core's own `vault` is not this program): brew install OWNER/tap/vault
class Vault < Formula
  desc "Keep AWS credentials in the OS secret store; short-lived STS credentials in your shell"
  homepage "https://github.com/@REPO@"
  version "@VERSION@"
  license "MIT"

  on_macos do
    on_arm do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/vault-@VERSION@-aarch64-apple-darwin.tar.gz"
      sha256 "@SHA256:aarch64-apple-darwin@"
    end
    on_intel do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/vault-@VERSION@-x86_64-apple-darwin.tar.gz"
      sha256 "@SHA256:x86_64-apple-darwin@"
    end
  end

  on_linux do
    on_arm do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/vault-@VERSION@-aarch64-unknown-linux-musl.tar.gz"
      sha256 "@SHA256:aarch64-unknown-linux-musl@"
    end
    on_intel do
      url "https://github.com/@REPO@/releases/download/v@VERSION@/vault-@VERSION@-x86_64-unknown-linux-musl.tar.gz"
      sha256 "@SHA256:x86_64-unknown-linux-musl@"
    end
  end

  def install
    bin.install "vault"
    man1.install Dir["man/*.1"]
    generate_completions_from_executable(bin/"vault", "completions")
  end

  test do
    assert_match version.to_s, shell_output("#{bin}/vault --version")
  end
end
