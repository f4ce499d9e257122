"""The Windows build of vault under Wine, against moto's server on loopback.

scripts/test-windows.sh cross-builds vault.exe and the Wine-only shim DLL, then runs these
tests. Each pytest process (each xdist worker) makes its own Wine prefix under a temp folder:
its own registry, so its own Credential Manager and %USERPROFILE%; no display is needed.
Each test has its own folder (config, file store, helpers) and its own profile names, as the
prefix's Credential Manager and session cache are shared by the tests of one worker.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "support"))
from moto_fixture import running_moto  # noqa: E402  (after the path it is on)
VAULT = Path(
    os.environ.get("VAULT_WINDOWS_BIN", ROOT / "target/x86_64-pc-windows-gnu/debug/vault.exe")
)
SHIM = Path(os.environ.get("VAULT_WINE_SHIM", ROOT / "target/wine-shim/bcryptprimitives.dll"))
ACCESS_KEY = "AKIAVAULTWINETEST001"
SECRET_KEY = "wineTestSecret/0001+abcdefghijklmnopqrst"
PASSPHRASE = "windows tests passphrase"
LIMIT = 120


def wine_program() -> str:
    """Debian's 64-bit loader itself: the `wine` wrapper warns about wine32 at every start."""
    for candidate in ("wine64", "/usr/lib/wine/wine64", "wine"):
        found = shutil.which(candidate)
        if found:
            return found
    pytest.fail("wine is not installed (make test-deps installs it)")


def windows_path(path: Path) -> str:
    """The Windows name of a Unix path: Wine's Z: drive is the Unix root."""
    return "Z:" + str(path).replace("/", "\\")


@pytest.fixture(scope="session")
def moto_url():
    yield from running_moto()


def base_env(prefix: Path) -> dict:
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/root"),
        "USER": os.environ.get("USER", "root"),
        "LANG": "C.UTF-8",
        "WINEPREFIX": str(prefix),
        "WINEARCH": "win64",
        "WINEDEBUG": "-all",
        # No Mono or Gecko installer dialogs at the prefix's first start.
        "WINEDLLOVERRIDES": "mscoree,mshtml=",
    }
    # No X server: Wine needs none for console programs, and must not find the developer's.
    env.pop("DISPLAY", None)
    return env


@pytest.fixture(scope="session")
def prefix(tmp_path_factory):
    assert VAULT.exists(), f"{VAULT} missing: run scripts/test-windows.sh (make test-windows)"
    assert SHIM.exists(), f"{SHIM} missing: run scripts/test-windows.sh (make test-windows)"
    prefix = tmp_path_factory.mktemp("wine") / "prefix"
    env = base_env(prefix)
    out = subprocess.run(
        ["wineboot", "-i"], env=env, capture_output=True, text=True, timeout=300
    )
    system32 = prefix / "drive_c/windows/system32"
    assert system32.is_dir(), f"wineboot made no prefix: {out.stderr}"
    shutil.copy(SHIM, system32 / "bcryptprimitives.dll")
    logon(env)
    yield prefix
    logoff(env)
    # A prefix is a few hundred MB: pytest's kept temp folders need not hold it.
    shutil.rmtree(prefix, ignore_errors=True)


def logon(env: dict):
    """Start the prefix's wineserver for good: under Wine it is the logon session, which
    holds what Windows keeps for a session only (CRED_PERSIST_SESSION credentials). Without
    it each program would start a server that ends a few seconds after the program does."""
    quiet = dict(stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    subprocess.run(["wineserver", "-p"], env=env, timeout=60, check=True, **quiet)
    # The first program of a session starts Wine's services (services.exe, explorer.exe, ...),
    # which live as long as the server and keep the pipes they were given: start them here,
    # on no pipes, so that a test's output ends when its program does.
    subprocess.run([wine_program(), "cmd.exe", "/C", "exit"], env=env, timeout=120, **quiet)


def logoff(env: dict):
    subprocess.run(["wineserver", "-k"], env=env, timeout=60)
    subprocess.run(["wineserver", "-w"], env=env, timeout=60)


class Windows:
    """One test's user on Windows: its folder, its config, its environment."""

    def __init__(self, prefix: Path, root: Path, endpoint: str):
        self.prefix = prefix
        self.root = root
        self.endpoint = endpoint
        self.wine = wine_program()
        self.config = root / "config"
        self.config.write_text("")
        self.profile_dir = prefix / "drive_c/users" / os.environ.get("USER", "root")

    def win(self, path: Path) -> str:
        return windows_path(path)

    def env(self, **extra) -> dict:
        env = base_env(self.prefix)
        env.update(
            {
                "AWS_CONFIG_FILE": self.win(self.config),
                "AWS_SHARED_CREDENTIALS_FILE": self.win(self.root / "credentials"),
                "AWS_ENDPOINT_URL": self.endpoint,
                "VAULT_BACKEND": "wincred",
            }
        )
        env.update({k: str(v) for k, v in extra.items() if v is not None})
        for k, v in extra.items():
            if v is None:
                env.pop(k, None)
        return env

    def command(self, *args) -> list:
        return [self.wine, str(VAULT), *args]

    def run(self, *args, input=None, **extra) -> subprocess.CompletedProcess:
        return subprocess.run(
            self.command(*args),
            env=self.env(**extra),
            input=input,
            capture_output=True,
            text=True,
            timeout=LIMIT,
            cwd=self.root,
        )

    def run_program(self, exe: Path, *args, **extra) -> subprocess.CompletedProcess:
        """Another copy of vault.exe (one in a folder with spaces, say)."""
        return subprocess.run(
            [self.wine, str(exe), *args], env=self.env(**extra), capture_output=True,
            text=True, timeout=LIMIT, cwd=self.root,
        )

    def ok(self, *args, **extra) -> subprocess.CompletedProcess:
        out = self.run(*args, **extra)
        assert out.returncode == 0, f"vault {' '.join(args)}: {out.stderr}"
        return out

    def write_config(self, text: str, newline: str = "\n"):
        with open(self.config, "a", newline="") as f:
            f.write(text.replace("\n", newline))

    def add(self, profile: str, **extra):
        self.ok(
            "add", profile, "--env",
            AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY, **extra,
        )

    def script(self, name: str, body: str) -> Path:
        """A batch file (CRLF, as Windows editors write them) in this test's folder."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", newline="") as f:
            f.write("@echo off\r\n" + body.strip("\n").replace("\n", "\r\n") + "\r\n")
        return path


@pytest.fixture
def windows(prefix, tmp_path, moto_url):
    return Windows(prefix, tmp_path, moto_url)


def env_lines(text: str) -> dict:
    """`KEY=value` lines (cmd.exe's `set`, vault's env format) as a dict; CRLF tolerated."""
    pairs = {}
    for line in text.splitlines():
        line = line.strip("\r")
        if "=" in line:
            key, value = line.split("=", 1)
            pairs[key] = value
    return pairs
