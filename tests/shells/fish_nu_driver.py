"""Drive real fish and nushell sessions in a pseudo-terminal, as a user at a keyboard would.

Each session starts the shell interactively with a startup file that loads vault's glue the
way README says, types command lines, waits for the next real prompt, and reads what the
programs printed. The environment is read after every step through a child process
(envdump.py), so what is asserted is exactly what `aws` or terraform would inherit.

Two counters make the assertions sharp:
* the prompt shows `@@P<n>:<status>@@`, where n counts the command lines run so far, so a step
  waits for the prompt that follows *its* command (not a repaint of the one before), and the
  status the user's command left is visible in the prompt;
* the glue calls a logging wrapper around the real vault binary, so a test can say how many
  times the prompt hook started a process.

nushell's line editor asks the terminal where the cursor is (ESC[6n) and waits for the answer,
so the nushell session answers every such query with ESC[1;1R, as a terminal would.
"""
from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pexpect
import pytest

from conftest import MANAGED, VAULT, require

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][A-Za-z0-9]|\x1b[=>78NOcM]")
CPR_QUERY = "\x1b[6n"
CPR_ANSWER = "\x1b[1;1R"


ENVDUMP = """\
import json, os, sys
sys.stdout.write("@@" + "ENV" + "@@" + json.dumps(dict(os.environ)) + "@@" + "END" + "@@\\n")
"""

WRAPPER = """\
#!/bin/sh
# Logs each start of vault by the glue, then runs the real binary.
printf '%s\\n' "$*" >> {log}
exec {real} "$@"
"""


def strip(text: str) -> str:
    """Terminal output as text: no escape sequences; a carriage return starts the line over
    (what follows it is what shows); without fish's "no newline at the end" marks (a line of
    spaces between two ⏎)."""
    lines = []
    for line in ANSI.sub("", text).split("\n"):
        shown = [part for part in line.split("\r") if part.strip()]
        line = shown[-1] if shown else ""
        if line.strip() and not line.strip(" ⏎"):
            continue
        lines.append(line)
    return "\n".join(lines)


def vault_lines(output: str) -> list[str]:
    """The lines vault printed (its messages all start with `vault:`)."""
    return [l.strip() for l in strip(output).split("\n") if l.strip().startswith("vault:")]


class CprSpawn(pexpect.spawn):
    """A pexpect session that answers cursor position queries like a terminal."""

    def __init__(self, *args, answer_cpr: bool = False, **kwargs):
        self._answer_cpr = answer_cpr
        self._tail = ""
        super().__init__(*args, **kwargs)

    def read_nonblocking(self, size=1, timeout=-1):
        data = super().read_nonblocking(size, timeout)
        if self._answer_cpr and data:
            seen = self._tail + data
            for _ in range(seen.count(CPR_QUERY) - self._tail.count(CPR_QUERY)):
                self.send(CPR_ANSWER)
            self._tail = seen[-(len(CPR_QUERY) - 1):]
        return data


class Session:
    """One interactive shell in a pty. Subclasses know the shell's syntax."""

    shell = ""
    answer_cpr = False

    def __init__(self, sandbox, extra_env: dict | None = None, count_calls: bool = True,
                 setup: str = "", start_dir: Path | None = None):
        self.sandbox = sandbox
        self.program = require(self.shell_program)
        self.tools = sandbox.root / "tools"
        self.tools.mkdir(exist_ok=True)
        self.envdump = self.tools / "envdump.py"
        self.envdump.write_text(ENVDUMP)
        self.calls_log = self.tools / f"{self.shell}-calls.log"
        self.calls_log.write_text("")
        self.bin_dir = self.tools / "bin"
        self.bin_dir.mkdir(exist_ok=True)
        # `vault` on PATH is the real binary, as after `make install`.
        link = self.bin_dir / "vault"
        if not link.exists():
            link.symlink_to(VAULT)
        self.wrapper = self.tools / "vault-logged"
        self.wrapper.write_text(WRAPPER.format(log=shlex.quote(str(self.calls_log)),
                                               real=shlex.quote(str(VAULT))))
        self.wrapper.chmod(0o755)
        env = sandbox.env(**(extra_env or {}))
        env["PATH"] = f"{self.bin_dir}:{os.path.dirname(sys.executable)}:{env['PATH']}"
        self.env = env
        self.count_calls = count_calls
        self.steps = 0
        self.write_startup(setup)
        self.child = CprSpawn(
            self.program,
            self.argv,
            env=env,
            cwd=str(start_dir or sandbox.home),
            encoding="utf-8",
            codec_errors="replace",
            dimensions=(50, 400),
            timeout=60,
            answer_cpr=self.answer_cpr,
        )
        self.last_status, self.startup_output = self.wait_prompt(0)

    # --- shell specifics, filled in by subclasses ---
    shell_program = ""
    argv: list[str] = []

    def write_startup(self, setup: str):
        raise NotImplementedError

    def glue(self) -> str:
        """`vault hook SHELL`, pointed at the logging wrapper when counting calls."""
        out = subprocess.run([str(VAULT), "hook", self.shell], env=self.env,
                             capture_output=True, text=True, check=True).stdout
        if self.count_calls:
            quoted_real = self.quote(str(VAULT))
            assert quoted_real in out, "the glue does not embed the binary's path"
            out = out.replace(quoted_real, self.quote(str(self.wrapper)))
        return out

    def quote(self, value: str) -> str:
        raise NotImplementedError

    # --- driving ---
    def wait_prompt(self, n: int) -> tuple[int, str]:
        self.child.expect(rf"@@P{n}:(-?\d+)@@", timeout=60)
        return int(self.child.match.group(1)), self.child.before

    def run(self, line: str) -> str:
        """Type a command line, press Enter, wait for the next prompt; return what was printed
        (the command's output, and what the prompt hook said) with terminal codes removed.
        The status the command left, as the prompt shows it, is in self.last_status."""
        self.steps += 1
        self.child.send(line + "\r")  # Enter, as a terminal sends it
        self.last_status, before = self.wait_prompt(self.steps)
        # The shell redraws the typed line until Enter, which moves to the next line; what the
        # command and the hook printed comes after that.
        assert "\n" in before, f"the typed line was not accepted: {before!r}"
        return strip(before.split("\n", 1)[1])

    def environment(self) -> dict:
        """The exported environment, as a child process of the shell sees it now."""
        out = self.run(f"{self.python} {self.envdump}")
        m = re.search(r"@@ENV@@(.*)@@END@@", out.replace("\n", ""))
        assert m, f"no environment dump in {out!r}"
        return json.loads(m.group(1))

    def managed(self) -> dict:
        """The variables vault manages (not its own state, which also remembers notices)."""
        env = self.environment()
        return {k: env.get(k) for k in MANAGED}

    def clean(self) -> dict:
        """managed(), asserting vault holds no state at all (nothing active, nothing noted)."""
        env = self.environment()
        assert "__VAULT_STATE" not in env
        return {k: env.get(k) for k in MANAGED}

    def calls(self) -> list[str]:
        """The vault commands the glue started since the last call (hook-env, prompt...)."""
        lines = self.calls_log.read_text().splitlines()
        self.calls_log.write_text("")
        return lines

    @property
    def python(self) -> str:
        return shlex.quote(sys.executable)

    def close(self):
        if self.child.isalive():
            self.child.send("exit\r")
            try:
                self.child.expect(pexpect.EOF, timeout=5)
            except pexpect.TIMEOUT:
                pass
            self.child.close(force=True)


class FishSession(Session):
    shell = "fish"
    shell_program = "fish"
    argv = ["--interactive"]

    def write_startup(self, setup: str):
        conf = Path(self.env["XDG_CONFIG_HOME"]) / "fish"
        conf.mkdir(parents=True, exist_ok=True)
        if self.count_calls:
            glue = self.sandbox.root / "tools" / "vault.fish"
            glue.write_text(self.glue())
            load = f"source {self.quote(str(glue))}"
        else:
            load = "vault hook fish | source"
        (conf / "config.fish").write_text(f"""\
set -g fish_greeting
set -g __t_steps 0
function __t_count --on-event fish_postexec
    set -g __t_steps (math $__t_steps + 1)
end
function fish_prompt
    printf '@@P%s:%s@@ ' $__t_steps $status
end
function fish_right_prompt
end
function fish_title
end
if status is-interactive
    {load}
end
{setup}
""")

    def quote(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def setenv(self, name: str, value: str) -> str:
        return self.run(f"set -gx {name} {self.quote(value)}")

    def unsetenv(self, name: str) -> str:
        return self.run(f"set -e {name}")

    noop = "true"
    fail = "false"


class NuSession(Session):
    shell = "nu"
    shell_program = "nu"
    argv: list[str] = []
    answer_cpr = True

    # How the glue is loaded: "source" from config.nu (README's first way) or "autoload" (saved
    # in the vendor autoload folder, which nushell loads by itself after config.nu).
    load = "source"

    def write_startup(self, setup: str):
        conf = Path(self.env["XDG_CONFIG_HOME"]) / "nushell"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "env.nu").write_text("")
        if self.load == "source":
            where = "($nu.default-config-dir | path join vault.nu)"
            load = f"source {where}"
        else:
            where = "($nu.data-dir | path join vendor autoload vault.nu)"
            load = ""
        if self.count_calls:
            glue = subprocess.run([self.program, "-n", "-c", f"print {where}"], env=self.env,
                                  capture_output=True, text=True, check=True).stdout.strip()
            Path(glue).parent.mkdir(parents=True, exist_ok=True)
            Path(glue).write_text(self.glue())
        else:
            # README's set-up commands, run by nushell itself.
            if self.load == "autoload":
                subprocess.run([self.program, "-n", "-c",
                                "mkdir ($nu.data-dir | path join vendor autoload)"],
                               env=self.env, check=True, timeout=60)
            subprocess.run([self.program, "-n", "-c", f"vault hook nu | save -f {where}"],
                           env=self.env, check=True, timeout=60)
        (conf / "config.nu").write_text(f"""\
$env.config.show_banner = false
$env.config.history.file_format = "plaintext"
$env.__T_STEPS = -1
$env.config.hooks.pre_prompt = [{{|| $env.__T_STEPS = ($env.__T_STEPS | into int) + 1 }}]
$env.PROMPT_COMMAND = {{|| $"@@P($env.__T_STEPS):($env.LAST_EXIT_CODE)@@ " }}
$env.PROMPT_COMMAND_RIGHT = {{|| "" }}
$env.PROMPT_INDICATOR = ""
{load}
{setup}
""")

    def quote(self, value: str) -> str:
        hashes = "#"
        while f"'{hashes}" in value:
            hashes += "#"
        return f"r{hashes}'{value}'{hashes}"

    def setenv(self, name: str, value: str) -> str:
        return self.run(f"$env.{name} = {self.quote(value)}")

    def unsetenv(self, name: str) -> str:
        return self.run(f"hide-env {name}")

    noop = "null"
    fail = "^false"


SESSIONS = {"fish": FishSession, "nu": NuSession}


# --------------------------------------------------------------------------------------------
# Scenarios shared by test_fish.py and test_nu.py: each test class sets `Session`.

PROFILES = """\
[profile will]
region = eu-west-1

[profile admin]
source_profile = will
role_arn = arn:aws:iam::123456789012:role/admin

[profile ops]
"""
EXAMPLE_KEY = "AKIAIOSFODNN7EXAMPLE"  # moto's GetSessionToken answer
EXPIRATION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def expires_in(env: dict) -> float:
    """Seconds until AWS_CREDENTIAL_EXPIRATION."""
    from datetime import datetime, timezone

    value = env["AWS_CREDENTIAL_EXPIRATION"]
    assert EXPIRATION.match(value), value
    when = datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    return when.timestamp() - time.time()


def assert_active(env: dict, profile: str, region: str | None, user: dict):
    """`profile` is active: credentials set, profile pointers cleared, region as expected."""
    assert env["AWS_VAULT"] == profile
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"] and env["AWS_SESSION_TOKEN"]
    assert env["AWS_ACCESS_KEY_ID"] != "AKIAVAULTSHELLTEST01", "long-term keys leaked"
    assert expires_in(env) > 60
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SECURITY_TOKEN",
                 "AWS_SESSION_EXPIRATION", "AWSUME_PROFILE", "AWSUME_EXPIRATION"):
        assert env.get(name) is None, f"{name} should be cleared while active"
    if region is None:
        # The profile has no region: the user's own region, never the previous profile's.
        assert env.get("AWS_REGION") == user["AWS_REGION"]
        assert env.get("AWS_DEFAULT_REGION") in (user["AWS_DEFAULT_REGION"], user["AWS_REGION"])
    else:
        assert env["AWS_REGION"] == region and env["AWS_DEFAULT_REGION"] == region
    assert env["__VAULT_STATE"]


class Scenarios:
    Session: type = Session

    # The user's own AWS settings before any project (in the environment the shell started
    # with); the other managed variables are unset.
    USER_START = {"AWS_PROFILE": "mine", "AWSUME_PROFILE": "stale", "AWS_REGION": "us-west-2",
                  "AWS_SESSION_EXPIRATION": "2020-01-01T00:00:00Z"}
    USER = {**{k: None for k in MANAGED}, **USER_START}

    @pytest.fixture
    def open_session(self, sandbox):
        sessions = []

        def start(**kwargs):
            extra = {**self.USER_START, **kwargs.pop("extra_env", {})}
            s = self.Session(sandbox, extra_env=extra, **kwargs)
            sessions.append(s)
            assert vault_lines(s.startup_output) == [], s.startup_output
            return s

        yield start
        for s in sessions:
            s.close()

    @pytest.fixture
    def user(self, sandbox, open_session):
        """A user with profiles and keys, in a shell with the glue loaded (at HOME unless
        start_dir says otherwise)."""
        sandbox.add("will", PROFILES)
        sandbox.add("ops")

        def start(**kwargs):
            s = open_session(**kwargs)
            if "start_dir" not in kwargs:
                assert s.clean() == self.USER
            s.calls()
            return s

        return start

    # --- the scenarios ---

    def test_untrusted_then_allowed_then_left(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\nregion = "eu-west-1"\n')
        s = user()
        # The user's own changes, typed in this shell: they are what leaving restores.
        s.setenv("AWS_DEFAULT_REGION", "ap-south-1")
        s.unsetenv("AWSUME_PROFILE")
        self.USER = {**self.USER, "AWS_DEFAULT_REGION": "ap-south-1", "AWSUME_PROFILE": None}
        assert s.clean() == self.USER
        out = s.run(f"cd {proj}")
        assert vault_lines(out) == [
            f"vault: {proj}/.awsvault is not allowed yet: run `vault allow` to trust it"
        ]
        assert s.managed() == self.USER
        # One line per visit: the next prompts say nothing more, and start no process.
        assert vault_lines(s.run(s.noop)) == []
        assert s.managed() == self.USER
        s.calls()
        assert vault_lines(s.run(s.noop)) == []
        assert s.calls() == []

        out = s.run("vault allow")
        assert vault_lines(out) == [f"vault: allowed {proj}/.awsvault (profile 'will', region 'eu-west-1')"]
        assert s.last_status == 0
        env = s.environment()
        assert_active(env, "will", "eu-west-1", self.USER)
        assert env["AWS_ACCESS_KEY_ID"] == EXAMPLE_KEY
        assert 3000 < expires_in(env) <= 3600
        assert s.calls() == ["allow", f"hook-env {s.shell}"]
        # Nothing changed: the prompt starts no process.
        assert vault_lines(s.run(s.noop)) == []
        assert s.calls() == []
        assert s.managed()["AWS_VAULT"] == "will"

        out = s.run("__vault_prompt")
        assert re.fullmatch(r"will (59m|1h00m)", out.strip()), out
        assert s.calls() == []

        out = s.run("cd ..")
        assert vault_lines(out) == []
        assert s.clean() == self.USER
        assert s.run("__vault_prompt").strip() == ""
        assert s.calls() == [f"hook-env {s.shell}"]

        # Back again: allowed, so it activates silently.
        out = s.run(f"cd {proj}")
        assert vault_lines(out) == []
        assert_active(s.environment(), "will", "eu-west-1", self.USER)

    def test_subfolders_nested_projects_and_switching(self, sandbox, user):
        a = sandbox.project("a", 'profile = "will"\n')
        (a / "sub" / "deeper").mkdir(parents=True)
        inner = sandbox.project("a/inner", "ops\n")  # just a profile name
        b = sandbox.project("b", 'profile = "admin"\nregion = "us-east-2"\nduration = "30m"\n')
        for p in (a, inner, b):
            sandbox.allow(p)
        s = user()

        assert vault_lines(s.run(f"cd {a}")) == []
        env = s.environment()
        assert_active(env, "will", "eu-west-1", self.USER)
        will_key = env["AWS_ACCESS_KEY_ID"]
        s.calls()

        # A subfolder keeps the profile: the hook asks once, nothing is fetched again.
        assert vault_lines(s.run("cd sub/deeper")) == []
        assert s.environment()["AWS_ACCESS_KEY_ID"] == will_key
        assert s.calls() == [f"hook-env {s.shell}"]
        assert vault_lines(s.run(s.noop)) == []
        assert s.calls() == []

        # The nearest .awsvault wins.
        assert vault_lines(s.run(f"cd {inner}")) == []
        env = s.environment()
        assert_active(env, "ops", None, self.USER)

        # Another project: switch; the role's credentials come from AssumeRole.
        assert vault_lines(s.run(f"cd {b}")) == []
        env = s.environment()
        assert_active(env, "admin", "us-east-2", self.USER)
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")
        assert 1500 < expires_in(env) <= 1800

        # Leaving restores exactly what the user had, whatever was active in between.
        assert vault_lines(s.run(f"cd {sandbox.home}")) == []
        assert s.clean() == self.USER

    def test_edit_revokes_deny_blocks(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user(start_dir=proj)
        assert_active(s.environment(), "will", "eu-west-1", self.USER)

        # Edited behind the shell's back (an editor, git pull): revoked at the next prompt.
        (proj / ".awsvault").write_text('profile = "ops"\n')
        out = s.run(s.noop)
        assert vault_lines(out) == [
            f"vault: {proj}/.awsvault changed since it was allowed: check it, then run `vault allow`"
        ]
        assert s.managed() == self.USER
        assert vault_lines(s.run(s.noop)) == []
        assert s.managed() == self.USER

        out = s.run("vault allow")
        assert vault_lines(out) == [f"vault: allowed {proj}/.awsvault (profile 'ops')"]
        assert_active(s.environment(), "ops", None, self.USER)

        out = s.run("vault deny")
        assert vault_lines(out) == [
            f"vault: denied {proj}/.awsvault",
            f"vault: {proj}/.awsvault is denied (`vault allow` to trust it)",
        ]
        assert s.managed() == self.USER
        assert vault_lines(s.run(s.noop)) == []
        # One line per visit: leaving and coming back says it again, once.
        assert vault_lines(s.run("cd ..")) == []
        out = s.run(f"cd {proj}")
        assert vault_lines(out) == [f"vault: {proj}/.awsvault is denied (`vault allow` to trust it)"]
        assert s.managed() == self.USER

        # Allowing again lifts the denial.
        assert vault_lines(s.run("vault allow")) == [f"vault: allowed {proj}/.awsvault (profile 'ops')"]
        assert_active(s.environment(), "ops", None, self.USER)

    def test_trust_changed_from_another_terminal(self, sandbox, user):
        # `vault allow` / `vault deny` run elsewhere change only the trust records: the next
        # prompt here notices, without any edit of the file.
        proj = sandbox.project("proj", 'profile = "will"\n')
        s = user()
        assert len(vault_lines(s.run(f"cd {proj}"))) == 1
        sandbox.allow(proj)
        assert vault_lines(s.run(s.noop)) == []
        assert_active(s.environment(), "will", "eu-west-1", self.USER)
        out = sandbox.run_vault("deny", str(proj))
        assert out.returncode == 0, out.stderr
        assert vault_lines(s.run(s.noop)) == [
            f"vault: {proj}/.awsvault is denied (`vault allow` to trust it)"
        ]
        assert s.managed() == self.USER
        s.calls()
        assert vault_lines(s.run(s.noop)) == []
        assert s.calls() == []

    def test_malformed_unreadable_and_unknown_profile(self, sandbox, user):
        bad = sandbox.project("bad", 'profile = \nregion = "x"\n')
        ghost = sandbox.project("ghost", 'profile = "ghost"\n')
        sandbox.allow(ghost)
        linked = sandbox.home / "linked"
        linked.mkdir()
        (linked / ".awsvault").symlink_to(ghost / ".awsvault")
        good = sandbox.project("good", 'profile = "will"\n')
        sandbox.allow(good)
        s = user()

        # Malformed: not allowed yet, and `vault allow` refuses it with one line.
        assert len(vault_lines(s.run(f"cd {bad}"))) == 1
        out = s.run("vault allow")
        lines = vault_lines(out)
        assert len(lines) == 1 and lines[0].startswith(f"vault: {bad}/.awsvault: line 1"), out
        assert s.last_status != 0
        assert vault_lines(s.run(s.noop)) == []
        assert s.last_status == 0
        assert s.managed() == self.USER

        # Unknown profile: one line, nothing set, the prompt keeps working and stays quiet.
        out = s.run(f"cd {ghost}")
        lines = vault_lines(out)
        assert len(lines) == 1 and lines[0].startswith("vault: cannot activate profile 'ghost'"), out
        assert s.managed() == self.USER
        assert vault_lines(s.run(s.noop)) == []
        assert s.last_status == 0
        assert s.managed() == self.USER
        assert s.run("__vault_prompt").strip() == ""

        # A symlinked .awsvault is refused: one line, nothing activated.
        out = s.run(f"cd {linked}")
        lines = vault_lines(out)
        assert len(lines) == 1 and "is a symlink" in lines[0], out
        assert vault_lines(s.run(s.noop)) == []
        assert s.managed() == self.USER

        # None of this blocks a good project.
        assert vault_lines(s.run(f"cd {good}")) == []
        assert_active(s.environment(), "will", "eu-west-1", self.USER)
        assert vault_lines(s.run(f"cd {sandbox.home}")) == []
        assert s.clean() == self.USER

    def test_renewal_within_min_ttl(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\nduration = "15m"\n')
        sandbox.allow(proj)
        s = user(extra_env={"AWS_MIN_TTL": "20m"})
        assert vault_lines(s.run(f"cd {proj}")) == []
        env1 = s.environment()
        assert_active(env1, "will", "eu-west-1", self.USER)
        assert 800 < expires_in(env1) <= 900
        s.calls()

        # 15m left < AWS_MIN_TTL: the next prompt renews (moto answers a fresh expiry), even
        # after a failing command, whose status the prompt still shows.
        time.sleep(1.1)
        out = s.run(s.fail)
        assert s.last_status == 1
        assert vault_lines(out) == []
        assert s.calls() == [f"hook-env {s.shell}"]
        env2 = s.environment()
        assert_active(env2, "will", "eu-west-1", self.USER)
        assert env2["AWS_CREDENTIAL_EXPIRATION"] > env1["AWS_CREDENTIAL_EXPIRATION"]

        assert vault_lines(s.run(f"cd {sandbox.home}")) == []
        assert s.clean() == self.USER

    def test_no_renewal_while_enough_time_left(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\nduration = "15m"\n')
        sandbox.allow(proj)
        s = user()  # AWS_MIN_TTL defaults to 5m
        assert vault_lines(s.run(f"cd {proj}")) == []
        env1 = s.environment()
        s.calls()
        time.sleep(1.1)
        assert vault_lines(s.run(s.noop)) == []
        assert s.calls() == []
        assert s.environment()["AWS_CREDENTIAL_EXPIRATION"] == env1["AWS_CREDENTIAL_EXPIRATION"]

    def test_use_and_unuse(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "admin"\n')
        sandbox.allow(proj)
        s = user()

        out = s.run("vault use will")
        assert vault_lines(out) == [
            "vault: using 'will' in this shell (`vault unuse` to go back to folder rules)"
        ]
        assert s.last_status == 0
        assert_active(s.environment(), "will", "eu-west-1", self.USER)

        # `vault use` wins over folders.
        assert vault_lines(s.run(f"cd {proj}")) == []
        assert s.managed()["AWS_VAULT"] == "will"

        # unuse: folder rules again, at once.
        assert vault_lines(s.run("vault unuse")) == []
        env = s.environment()
        assert_active(env, "admin", "eu-west-1", self.USER)  # inherited from will
        assert env["AWS_ACCESS_KEY_ID"].startswith("ASIA")

        assert vault_lines(s.run("cd ..")) == []
        assert s.clean() == self.USER
        assert vault_lines(s.run("vault unuse")) == ["vault: nothing is active"]

        # A profile that cannot be used: one line, a failing status, nothing changed.
        out = s.run("vault use ghost")
        lines = vault_lines(out)
        assert len(lines) == 1 and "ghost" in lines[0], out
        assert s.last_status != 0
        assert s.managed() == self.USER
        # `vault use` and then leaving for the home folder and unuse: the user's values.
        assert vault_lines(s.run("vault use ops")) != []
        assert_active(s.environment(), "ops", None, self.USER)
        assert vault_lines(s.run("vault unuse")) == []
        assert s.clean() == self.USER

    def test_other_commands_pass_through(self, sandbox, user):
        s = user()
        out = s.run("vault list --profiles")
        # in the config file's order, as `vault list` shows them
        assert out.split() == ["will", "admin", "ops"], out
        assert s.last_status == 0
        s.run("vault no-such-command")
        assert s.last_status == 2

