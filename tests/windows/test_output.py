"""What the Windows build prints: `export` in every format, `prompt`, `login --stdout`, and
`vault hook pwsh`'s embedded path to itself."""
import datetime
import json
import shutil
import urllib.parse

import pytest

from conftest import ACCESS_KEY, env_lines
from federation_stand_in import federation

FORMATS = {
    "env": "AWS_ACCESS_KEY_ID=",
    "json": '"AccessKeyId"',
    "ini": "aws_access_key_id",
    "bash": "export AWS_ACCESS_KEY_ID=",
    "zsh": "export AWS_ACCESS_KEY_ID=",
    "fish": "set -gx AWS_ACCESS_KEY_ID",
    "pwsh": "$env:AWS_ACCESS_KEY_ID",
    "nu": '"AWS_ACCESS_KEY_ID"',
}


def test_export_in_every_format(windows):
    windows.add("out-export")
    for fmt, marker in FORMATS.items():
        out = windows.ok("export", "out-export", "--no-session", "--format", fmt).stdout
        assert marker in out, (fmt, out)
        assert ACCESS_KEY in out, (fmt, out)
    record = json.loads(windows.ok("export", "out-export", "--format", "nu").stdout)
    assert record["AWS_ACCESS_KEY_ID"] != ACCESS_KEY and record["AWS_SESSION_TOKEN"]


def test_prompt_shows_the_profile_and_time_left(windows):
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=42, seconds=30)
    out = windows.ok(
        "prompt", AWS_VAULT="will", AWS_CREDENTIAL_EXPIRATION=expires.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert out.stdout.strip() == "will 42m"


def test_login_stdout_against_the_federation_stand_in(windows):
    with federation("wine-signin-token") as (url, requests):
        windows.write_config("[profile out-login]\nregion = eu-west-1\n")
        windows.add("out-login")
        out = windows.ok("login", "out-login", "--stdout", VAULT_FEDERATION_ENDPOINT=url)
    lines = out.stdout.strip().splitlines()
    assert len(lines) == 1, out.stdout
    assert lines[0].startswith(url + "?Action=login&"), lines[0]
    params = urllib.parse.parse_qs(urllib.parse.urlsplit(lines[0]).query)
    assert params["SigninToken"] == ["wine-signin-token"]
    assert requests[-1]["Action"] == ["getSigninToken"]
    session = json.loads(requests[-1]["Session"][0])
    assert session["sessionId"] != ACCESS_KEY and session["sessionToken"]


def test_hook_pwsh_embeds_a_path_with_spaces_and_quotes(windows):
    folder = windows.root / "Program Files" / "it's vault"
    folder.mkdir(parents=True)
    exe = folder / "vault.exe"
    shutil.copy(windows.command()[1], exe)
    out = windows.run_program(exe, "hook", "pwsh")
    assert out.returncode == 0, out.stderr
    line = next(l for l in out.stdout.splitlines() if l.startswith("$global:__vault_bin = "))
    literal = line.split(" = ", 1)[1]
    expected = windows.win(exe).replace("'", "''")
    assert literal == f"'{expected}'", line
