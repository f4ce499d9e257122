"""The profile picker, driven in a pseudo-terminal as a person uses it: `vault use --pick` in real
bash and zsh with the glue loaded (where stdout is evaluated by the shell, so the picker must
draw on the terminal), `vault exec`, `vault export` and `vault login` with no profile, typed
queries, arrows, Enter, Esc and Ctrl-C, the recently-used order, and the error without a
terminal.
"""
import os
import re
import stat
import subprocess

import pytest

from federation_stand_in import federation
from shell_driver import ANSI, PROMPT, Shell, Step

PROFILES = """
[profile dev]
region = eu-west-1

[profile ops]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/ops

[profile prod-admin]
source_profile = dev
role_arn = arn:aws:iam::210987654321:role/team/Admin
region = us-east-2
"""

TITLE = re.compile(r"vault (use|exec|export|login): profile \((\d+)/(\d+)\) > ")


@pytest.fixture
def user(sandbox):
    sandbox.add("dev", PROFILES)
    return sandbox


@pytest.fixture
def shells(user):
    opened = []

    def start(kind: str, **kw) -> Shell:
        sh = Shell(kind, user, **kw)
        opened.append(sh)
        return sh

    yield start
    for sh in opened:
        sh.close()


def open_picker(sh: Shell, line: str, command: str):
    """Type `line` and wait for the picker of `vault COMMAND` to be drawn."""
    sh.child.sendline(line)
    sh.child.expect(rf"vault {command}: profile \(3/3\) > ")


def type_query(sh: Shell, query: str, shown: int):
    sh.child.send(query)
    sh.child.expect(re.escape(f"({shown}/3) > {query}"))


def after_picker(sh: Shell) -> Step:
    """The step up to the next prompt, as the screen shows it once the picker has erased
    itself (from its last erase, `CR ESC[J`, on)."""
    sh.child.expect(PROMPT)
    raw = sh.child.before
    assert "\r\x1b[J" in raw, raw
    tail = raw.rsplit("\r\x1b[J", 1)[1]
    return Step(ANSI.sub("", tail).replace("\r", ""), int(sh.child.match.group(1)))


def recent_file(sandbox):
    return sandbox.home / ".local/state/vault/recent"


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_use_pick_fuzzy_query_and_enter_switch_the_shell(shells, kind):
    sh = shells(kind)
    open_picker(sh, "vault use --pick", "use")
    # Each row says what the profile is, from the config alone.
    sh.child.expect(r"prod-admin\s+210987654321\s+role Admin\s+us-east-2")
    type_query(sh, "prdadm", 1)
    sh.child.send("\r")
    step = sh._until_prompt()
    assert step.status == 0, step
    assert "using 'prod-admin' in this shell" in step.output
    # What the glue evaluated was vault's statements only: the picker went to the terminal.
    env = sh.env()
    assert env["AWS_VAULT"] == "prod-admin"
    assert env["AWS_REGION"] == "us-east-2"
    assert env["AWS_SESSION_TOKEN"]


@pytest.mark.parametrize("kind", ["bash", "zsh"])
@pytest.mark.parametrize("key", ["\x1b", "\x03"], ids=["esc", "ctrl-c"])
def test_use_pick_cancelled_changes_nothing(shells, kind, key):
    sh = shells(kind)
    before = sh.env()
    open_picker(sh, "vault use --pick", "use")
    type_query(sh, "o", 2)
    sh.child.send(key)
    after = after_picker(sh)
    assert after.status == 130, after
    assert after.output == "vault: cancelled\n", after
    assert sh.env() == before
    # The terminal is as it was: the shell reads the next line as usual.
    assert sh.run("echo still-here").output == "still-here\n"


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_use_without_a_name_says_what_is_active_then_picks(shells, kind):
    sh = shells(kind)
    sh.child.sendline("vault use")
    # What is active comes first, so the bare command still tells it.
    sh.child.expect("nothing is active")
    sh.child.expect(r"vault use: profile \(3/3\) > ")
    type_query(sh, "ops", 1)
    sh.child.send("\r")
    step = sh._until_prompt()
    assert step.status == 0, step
    assert sh.env()["AWS_VAULT"] == "ops"


def test_use_status_and_use_without_a_terminal_only_say_what_is_active(shells):
    sh = shells("bash")
    assert sh.run("vault use --status").output == "nothing is active\n"
    # No terminal on stdin (a script): no picker, no error.
    step = sh.run("vault use </dev/null")
    assert (step.output, step.status) == ("nothing is active\n", 0), step


def test_exec_without_profile_picks_with_arrows_and_restores_the_terminal(shells):
    sh = shells("bash")
    sh.child.sendline(
        "a=$(stty -g); vault exec -- sh -c 'echo as=$AWS_VAULT'; rc=$?; "
        '[ "$a" = "$(stty -g)" ] && echo terminal-same; echo rc=$rc'
    )
    sh.child.expect(r"vault exec: profile \(3/3\) > ")
    # Rows in the config's order: dev, ops, prod-admin. Down twice, then up once: ops.
    sh.child.send("\x1b[B")
    sh.child.expect(r"\x1b\[7m> ops")
    sh.child.send("\x1b[B")
    sh.child.expect(r"\x1b\[7m> prod-admin")
    sh.child.send("\x1b[A")
    sh.child.expect(r"\x1b\[7m> ops")
    sh.child.send("\r")
    step = sh._until_prompt()
    assert "as=ops\n" in step.output, step
    assert "terminal-same\n" in step.output, step
    assert "rc=0\n" in step.output, step


def test_export_into_eval_picks_on_the_terminal_and_remembers_it(shells, user):
    sh = shells("zsh")
    sh.child.sendline('eval "$(vault export --format zsh 2>/dev/null)"; echo "rc=$? as=$AWS_VAULT"')
    sh.child.expect(r"vault export: profile \(3/3\) > ")
    type_query(sh, "ops", 1)
    sh.child.send("\r")
    step = sh._until_prompt()
    assert "rc=0 as=ops\n" in step.output, step
    # Most recently used, kept in the XDG state folder, private, names only.
    path = recent_file(user)
    assert path.read_text() == "ops\n"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    # The next picker lists it first, selected.
    sh.child.sendline("unset AWS_VAULT; vault export --format zsh >/dev/null; echo rc=$?")
    sh.child.expect(r"vault export: profile \(3/3\) > ")
    sh.child.expect(r"\x1b\[7m> ops ")
    sh.child.send("\x1b")
    step = sh._until_prompt()
    assert "rc=130" in step.output, step


def test_aws_profile_is_still_the_default_and_pick_overrides_it(shells):
    sh = shells("bash", env={"AWS_PROFILE": "ops"})
    step = sh.run("vault exec -- sh -c 'echo as=$AWS_VAULT'")
    assert "as=ops\n" in step.output, step
    open_picker(sh, "vault exec --pick -- sh -c 'echo as=$AWS_VAULT'", "exec")
    type_query(sh, "dev", 1)
    sh.child.send("\r")
    step = sh._until_prompt()
    assert "as=dev\n" in step.output, step


def test_login_without_profile_picks_then_signs_in(shells):
    with federation("picked-token") as (endpoint, _):
        sh = shells("bash", env={"VAULT_FEDERATION_ENDPOINT": endpoint})
        sh.child.sendline("vault login --stdout > url.txt; echo rc=$?")
        sh.child.expect(r"vault login: profile \(3/3\) > ")
        type_query(sh, "prdadm", 1)
        sh.child.send("\r")
        step = sh._until_prompt()
        assert "rc=0" in step.output, step
        url = (sh.sandbox.home / "url.txt").read_text()
        assert "SigninToken=picked-token" in url
        assert "us-east-2" in url, "prod-admin's region"


def test_without_a_terminal_the_error_names_the_profiles(user):
    # A terminal-less run (stdin not a terminal, no controlling terminal): nobody to pick.
    user.run_vault("export", "prod-admin", "--format", "env")
    for args in (["exec", "--", "true"], ["export"], ["login", "--stdout"]):
        out = subprocess.run(
            [user.vault, *args], env=user.env(), stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=60, start_new_session=True,
        )
        assert out.returncode == 1, out
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1, out.stderr
        assert "no profile named and no terminal to pick one" in lines[0]
        # The most recently used first.
        assert "profiles, most recently used first: 'prod-admin', 'dev', 'ops'" in lines[0], lines
