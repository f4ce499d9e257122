"""shellcheck on the bash glue as committed and as `vault hook bash` prints it, and on the
statements bash evaluates: `vault hook-env bash` in each kind of situation, `vault use`/`unuse`
through the glue's protocol, and `vault export --format bash`. Names with quotes, `$` and
backticks make sure quoting holds."""
import subprocess

import pytest

from conftest import ROOT, require

ODD_PROFILE = "o'neil \"q\" $HOME `x`"


def shellcheck(text: str, name: str, data: bool = True):
    """Every check at every severity. For statements carrying values (`data`), SC2016 ("$ does
    not expand in single quotes") is the point: values are literal, so it is left out there."""
    program = require("shellcheck")
    exclude = ["--exclude=SC2016"] if data else []
    out = subprocess.run(
        [program, "--shell=bash", "--severity=style", *exclude, "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and out.stdout == "", f"{name}:\n{out.stdout}{out.stderr}"


@pytest.mark.parametrize("script", sorted(
    [p.name for p in (ROOT / "scripts").iterdir() if p.suffix in (".sh", ".bash")]))
def test_scripts_are_clean(script):
    """The repository's own scripts (make targets, bench, demo), following what they source."""
    program = require("shellcheck")
    out = subprocess.run([program, "-x", "--severity=style", f"scripts/{script}"], cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and out.stdout == "", f"scripts/{script}:\n{out.stdout}{out.stderr}"


def test_glue_file_is_clean():
    """shell/vault.bash with the part it shares with zsh (shell/posix.sh) in place."""
    text = (ROOT / "shell" / "vault.bash").read_text()
    assert "# @POSIX@\n" in text
    text = text.replace("# @POSIX@\n", (ROOT / "shell" / "posix.sh").read_text())
    shellcheck(text, "shell/vault.bash + shell/posix.sh", data=False)


def test_printed_glue_is_clean(sandbox):
    out = sandbox.run_vault("hook", "bash")
    assert out.returncode == 0, out.stderr
    assert "'@VAULT@'" not in out.stdout and f"__vault_bin='{sandbox.vault}'" in out.stdout
    shellcheck(out.stdout, "vault hook bash", data=False)


@pytest.fixture
def projects(sandbox):
    sandbox.add("dev", "[profile dev]\nregion = eu-west-1\n")
    sandbox.add(ODD_PROFILE)
    odd_toml = '"' + ODD_PROFILE.replace("\\", "\\\\").replace('"', '\\"') + '"'
    odd = sandbox.project(
        "it's \"odd\" $PWD `x`", f"profile = {odd_toml}\nregion = \"eu-west-2\"\n"
    )
    sandbox.allow(odd)
    untrusted = sandbox.project("untrusted", 'profile = "dev"\n')
    return odd, untrusted


def statements(sandbox, *args, **env) -> str:
    out = sandbox.run_vault(*args, **env)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_hook_env_statements_are_clean(sandbox, projects):
    odd, untrusted = projects
    activate = statements(sandbox, "hook-env", "bash", PWD=odd, AWS_PROFILE="x'y")
    assert "export AWS_ACCESS_KEY_ID=" in activate and "__vault_w_next=" in activate
    shellcheck(activate, "hook-env: activation")

    # Run them in bash, as the glue does, to get the state for leaving.
    env = subprocess.run(
        [require("bash"), "-c", activate + '\nprintf "%s" "$__VAULT_STATE"'],
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    leave = statements(sandbox, "hook-env", "bash", PWD=sandbox.home, __VAULT_STATE=env)
    assert "export AWS_PROFILE='x'\\''y'" in leave and "unset AWS_ACCESS_KEY_ID" in leave
    shellcheck(leave, "hook-env: leaving")

    notice = statements(sandbox, "hook-env", "bash", PWD=untrusted)
    assert "__VAULT_STATE" in notice
    shellcheck(notice, "hook-env: untrusted file")
    shellcheck(statements(sandbox, "hook-env", "bash", PWD=sandbox.home), "hook-env: nothing")


def test_use_unuse_statements_are_clean(sandbox, projects):
    used = statements(sandbox, "use", ODD_PROFILE, __VAULT_SHELL="bash", PWD=sandbox.home)
    assert "export AWS_VAULT=" in used
    shellcheck(used, "vault use")
    state = subprocess.run(
        [require("bash"), "-c", used + '\nprintf "%s" "$__VAULT_STATE"'],
        env=sandbox.env(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    unused = statements(sandbox, "unuse", __VAULT_SHELL="bash", __VAULT_STATE=state)
    assert "unset AWS_VAULT" in unused
    shellcheck(unused, "vault unuse")


def test_export_statements_are_clean(sandbox, projects):
    for profile in ("dev", ODD_PROFILE):
        text = statements(sandbox, "export", profile, "--format", "bash")
        assert "export AWS_SESSION_TOKEN=" in text
        shellcheck(text, f"vault export {profile} --format bash")
