"""Shared fixtures for the shell tests: a real STS emulator (moto's server), a throwaway HOME
with the encrypted file store, and the real `vault` binary built by cargo.

Every shell test drives a real shell process; nothing here fakes a shell or STS.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from moto_fixture import free_port, running_moto  # noqa: E402,F401  (free_port: posix_scenarios)
VAULT = Path(os.environ.get("VAULT_BIN", ROOT / "target" / "debug" / "vault"))
ACCESS_KEY = "AKIAVAULTSHELLTEST01"
SECRET_KEY = "shellTestSecret/0001+abcdefghijklmnopqrs"
PASSPHRASE = "shell tests passphrase"

# Every variable the hook may change (src/activate/mod.rs MANAGED); its own state,
# __VAULT_STATE, is checked apart.
MANAGED = [
    "AWS_VAULT",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "AWS_REGION",
    "AWS_DEFAULT_REGION",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SECURITY_TOKEN",
    "AWS_SESSION_EXPIRATION",
    "AWSUME_PROFILE",
    "AWSUME_EXPIRATION",
]


@pytest.fixture(scope="session")
def moto_url():
    """moto's server on a free loopback port for the whole test session."""
    yield from running_moto()


class Sandbox:
    """A user: HOME, AWS config, file store, trust records, all under one temp folder."""

    def __init__(self, root: Path, endpoint: str):
        self.root = root
        self.home = root / "home"
        (self.home / ".aws").mkdir(parents=True)
        self.endpoint = endpoint
        self.vault = str(VAULT)

    @property
    def config(self) -> Path:
        return self.home / ".aws" / "config"

    def env(self, **extra) -> dict:
        """A clean environment: no AWS_* or __VAULT_* from the developer's own shell."""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.home),
            "TERM": "xterm-256color",
            "LANG": "C.UTF-8",
            "XDG_DATA_HOME": str(self.home / ".local/share"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "AWS_CONFIG_FILE": str(self.config),
            "AWS_ENDPOINT_URL": self.endpoint,
            "VAULT_BACKEND": "file",
            "VAULT_FILE_PASSPHRASE": PASSPHRASE,
            # Each test's store would otherwise leave its unlocked key in the user's kernel
            # keyring; the tests of that feature turn it on themselves.
            "VAULT_FILE_UNLOCK_TTL": "0",
        }
        env.update({k: str(v) for k, v in extra.items()})
        return env

    def run_vault(self, *args, **extra):
        """Run vault as a shell would: a PWD given is also the working directory (vault uses
        $PWD only while it names the working directory)."""
        cwd = extra.get("PWD")
        return subprocess.run(
            [self.vault, *args], env=self.env(**extra), capture_output=True, text=True,
            timeout=60, cwd=cwd if cwd and os.path.isdir(cwd) else None,
        )

    def add(self, profile: str, config: str = ""):
        """Store the test keys for `profile`; `config` is appended to ~/.aws/config first."""
        if config:
            with open(self.config, "a") as f:
                f.write(config)
        out = self.run_vault(
            "add", profile, "--env", AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY
        )
        assert out.returncode == 0, out.stderr

    def project(self, name: str, text: str) -> Path:
        """A folder under HOME holding a .awsvault with `text`."""
        folder = self.home / name
        folder.mkdir(parents=True, exist_ok=True)
        (folder / ".awsvault").write_text(text)
        return folder

    def allow(self, folder: Path):
        out = self.run_vault("allow", str(folder))
        assert out.returncode == 0, out.stderr


@pytest.fixture
def sandbox(tmp_path, moto_url):
    assert VAULT.exists(), f"{VAULT} missing: run `cargo build` first (make test does)"
    return Sandbox(tmp_path, moto_url)


def require(program: str) -> str:
    """The path of a shell the tests need; a missing one fails (CI installs it), never skips."""
    path = shutil.which(program)
    assert path, f"{program} is not installed (make test-deps installs it)"
    return path
