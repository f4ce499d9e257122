"""PowerShell for real: the glue (`vault hook pwsh`) loaded into a live pwsh, driven through
the scenario a Windows user lives (docs/install.md, README's PowerShell set-up).

It runs wherever `pwsh` (PowerShell 7.2+) is on PATH, such as GitHub's windows-latest, macos-latest
and ubuntu-latest runners (.github/workflows/ci.yml); elsewhere it is reported as skipped, with
the reason (`pytest -rs` shows it). tests/shells/test_pwsh.py checks the same glue statically
everywhere.

One pwsh process runs one script: load the glue, cd into an allowed project (the credentials
appear, from the location hook alone), call `prompt` as the host does before each command line
(the due credentials are renewed), cd out (they are gone and the user's own AWS_PROFILE is back),
`vault use` and `vault unuse`, with the prompt segment in a prompt of the user's. After each step
the script appends what the user would see (the managed variables, the segment, the prompt) as
one JSON line to a file, and Python judges the lines afterwards: no timing, no terminal.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from conftest import ACCESS_KEY, SECRET_KEY
from test_pwsh import syntax_errors

PWSH = shutil.which("pwsh")
needs_pwsh = pytest.mark.skipif(
    PWSH is None,
    reason="pwsh (PowerShell 7.2+) is not on PATH; CI runs this scenario on windows-latest "
    "and macos-latest (.github/workflows/ci.yml)",
)

# Windows programs need these to start at all (.NET's crypto and sockets read SystemRoot); the
# sandbox's clean environment is written for Unix.
WINDOWS_PASSTHROUGH = ["SystemRoot", "SystemDrive", "windir", "COMSPEC", "PATHEXT", "TEMP", "TMP",
                       "USERPROFILE", "APPDATA", "LOCALAPPDATA", "ProgramData", "ProgramFiles",
                       "PSModulePath"]

SCENARIO = r"""
param([string]$Vault, [string]$Project, [string]$Outside, [string]$Ops, [string]$Out)
# PowerShell's default error preference, as a user has it: the glue must not depend on another.
function Record([string]$Step) {
    $vars = [ordered]@{}
    foreach ($name in 'AWS_VAULT', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
        'AWS_CREDENTIAL_EXPIRATION', 'AWS_REGION', 'AWS_PROFILE') {
        $vars[$name] = [Environment]::GetEnvironmentVariable($name)
    }
    $line = [ordered]@{ step = $Step; env = $vars; segment = [string](__vault_prompt); code = $global:LASTEXITCODE }
    Add-Content -LiteralPath $Out -Encoding utf8 -Value (ConvertTo-Json -Compress -Depth 3 -InputObject $line)
}
# What the host does before reading each command line: run `prompt` (vault's wrapper).
function Prompt-Line([string]$Step) {
    $text = [string](prompt)
    Add-Content -LiteralPath $Out -Encoding utf8 -Value (ConvertTo-Json -Compress -InputObject ([ordered]@{ step = $Step; prompt = $text }))
}

$env:AWS_PROFILE = 'mine'
# A prompt of the user's with vault's segment, defined before the glue as in a $PROFILE.
function global:prompt { "PS [$(__vault_prompt)]> " }
Set-Location -LiteralPath $Outside
Invoke-Expression (& $Vault hook pwsh | Out-String)
Record 'loaded'

Set-Location -LiteralPath $Project
Record 'in'
Start-Sleep -Milliseconds 1100  # the emulator's expiry times have one-second resolution
Prompt-Line 'prompt-in'
Record 'renewed'

Set-Location -LiteralPath $Outside
Record 'out'

vault use $Ops
Record 'use'
Prompt-Line 'prompt-use'
vault unuse
Record 'unuse'
vault use nosuch 2>$null
Record 'use-unknown'
"""


def test_the_scenario_parses():
    """Runs everywhere: the scenario is PowerShell that tree-sitter's grammar reads without an
    error, so a typo in it shows here and not first on a Windows runner."""
    assert syntax_errors(SCENARIO) == []


def windows_env() -> dict:
    return {k: os.environ[k] for k in WINDOWS_PASSTHROUGH if k in os.environ} if os.name == "nt" else {}


@needs_pwsh
def test_the_glue_in_a_live_pwsh(sandbox, tmp_path):
    # On Windows the dirs crate asks Windows for the data and cache folders, not HOME: the file
    # store is put in the sandbox by VAULT_FILE_DIR, and the profile's name is unique because
    # the session cache and trust records live in the runner's own profile, shared by every run.
    env = sandbox.env(
        # 15-minute credentials are always due under a 20-minute minimum: each prompt renews.
        AWS_MIN_TTL="20m",
        VAULT_FILE_DIR=sandbox.root / "keys",
        **windows_env(),
    )
    dev = f"dev-{uuid.uuid4().hex[:8]}"
    ops = f"ops-{uuid.uuid4().hex[:8]}"
    sandbox.config.write_text(f"[profile {dev}]\nregion = eu-west-1\n[profile {ops}]\nregion = ap-northeast-1\n")

    def vault(*args, **extra):
        done = subprocess.run([sandbox.vault, *args], env={**env, **extra}, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    for name in (dev, ops):
        vault("add", name, "--env", AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY)
    project = Path(os.path.realpath(sandbox.project("shop", f'profile = "{dev}"\nduration = "15m"\n')))
    outside = Path(os.path.realpath(sandbox.home))
    vault("allow", str(project))
    script = tmp_path / "scenario.ps1"
    script.write_text(SCENARIO, encoding="utf-8")
    out = tmp_path / "steps.jsonl"
    done = subprocess.run(
        [PWSH, "-NoLogo", "-NoProfile", "-NonInteractive", "-File", str(script),
         "-Vault", sandbox.vault, "-Project", str(project), "-Outside", str(outside), "-Ops", ops, "-Out", str(out)],
        env=env, cwd=outside, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    # Nothing was asked on the terminal, and the glue reported no failure of its own.
    assert "the shell hook failed" not in done.stderr and "cannot install" not in done.stderr, done.stderr
    steps = {}
    for line in out.read_text(encoding="utf-8-sig").splitlines():
        record = json.loads(line)
        steps[record["step"]] = record

    def env_of(step):
        return steps[step]["env"]

    # Loaded outside any project: nothing is active, the user's own value is untouched.
    assert env_of("loaded")["AWS_VAULT"] is None
    assert env_of("loaded")["AWS_PROFILE"] == "mine"
    # In the project: a session for the project's profile, from the location hook alone.
    inside = env_of("in")
    assert inside["AWS_VAULT"] == dev and inside["AWS_REGION"] == "eu-west-1"
    assert inside["AWS_ACCESS_KEY_ID"] and inside["AWS_SECRET_ACCESS_KEY"] and inside["AWS_SESSION_TOKEN"]
    assert inside["AWS_ACCESS_KEY_ID"] != ACCESS_KEY, "the long-term key, not a session"
    assert inside["AWS_PROFILE"] is None
    assert re.fullmatch(rf"{re.escape(dev)} 1[45]m", steps["in"]["segment"]), steps["in"]["segment"]
    # The prompt renewed the due credentials, and showed the segment in the user's prompt.
    renewed = env_of("renewed")
    assert renewed["AWS_VAULT"] == dev
    assert renewed["AWS_CREDENTIAL_EXPIRATION"] != inside["AWS_CREDENTIAL_EXPIRATION"], "not renewed"
    assert re.fullmatch(rf"PS \[{re.escape(dev)} 1[45]m\]> ", steps["prompt-in"]["prompt"]), steps["prompt-in"]
    # Out of the project: every credential is gone and the user's AWS_PROFILE is back.
    gone = env_of("out")
    for name in ("AWS_VAULT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                 "AWS_CREDENTIAL_EXPIRATION", "AWS_REGION"):
        assert gone[name] is None, name
    assert gone["AWS_PROFILE"] == "mine"
    assert steps["out"]["segment"] == ""
    # `vault use` in this shell, shown by the prompt; `vault unuse` gives everything back.
    used = env_of("use")
    assert steps["use"]["code"] == 0
    assert used["AWS_VAULT"] == ops and used["AWS_REGION"] == "ap-northeast-1" and used["AWS_SESSION_TOKEN"]
    assert re.fullmatch(rf"PS \[{re.escape(ops)} (\d+m|1h00m)\]> ", steps["prompt-use"]["prompt"]), steps["prompt-use"]
    assert steps["unuse"]["code"] == 0
    assert env_of("unuse")["AWS_VAULT"] is None and env_of("unuse")["AWS_PROFILE"] == "mine"
    # A profile that does not exist: exit code 1, nothing changed.
    assert steps["use-unknown"]["code"] == 1
    assert env_of("use-unknown") == env_of("unuse")


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-rs"]))
