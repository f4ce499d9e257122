"""Ctrl-C, Ctrl-\\, SIGTERM and SIGHUP at vault's terminal prompts leave the terminal as it was.

vault turns echo off for a secret; a prompt that ends any way other than an answer must put the
terminal back. rpassword (used before) cleared ISIG too and raised SIGINT before restoring it:
bash resets the terminal after a job, but zsh and fish kept Ctrl-C switched off for the rest of
the session. Each test starts a real interactive bash, zsh or fish in a pseudo-terminal, stops
a prompt (`vault add`'s secret, the file store's passphrase, an MFA code), then checks what
`stty -a` says, that Ctrl-C still interrupts `sleep 100`, and that the cancel is one line.
"""
import os
import re
import signal
from pathlib import Path

import pexpect
import pytest

from conftest import require

SHELLS = ["bash", "zsh", "fish"]
PROMPT = re.compile(r"@@P(\d+)@@ ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]|\x1b[()][0-9A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")
SECRET_PROMPT = "Enter Secret Access Key: "
MFA_SERIAL = "arn:aws:iam::123456789012:mfa/tester"
TYPED = "typed-but-not-sent"


class PtyShell:
    """An interactive shell in a pty whose prompt is `@@P<last status>@@ `."""

    def __init__(self, kind: str, sandbox, env: dict):
        self.kind = kind
        self.root = sandbox.root
        rc = self.root / f"rc-{kind}"
        rc.mkdir()
        env = dict(env)
        env["PATH"] = f"{Path(sandbox.vault).parent}:{env['PATH']}"
        if kind == "bash":
            (rc / "bashrc").write_text("HISTFILE=/dev/null\nPS1='@@P$?@@ '\n")
            args = ["--noprofile", "--rcfile", str(rc / "bashrc"), "-i"]
        elif kind == "zsh":
            (rc / ".zshenv").write_text("unsetopt GLOBAL_RCS\n")
            (rc / ".zshrc").write_text(
                "HISTFILE=/dev/null\nunsetopt PROMPT_SP PROMPT_CR BEEP\nPS1='@@P%?@@ '\nRPS1=\n"
            )
            env["ZDOTDIR"] = str(rc)
            args = ["-i"]
        else:
            conf = Path(env["XDG_CONFIG_HOME"]) / "fish"
            conf.mkdir(parents=True, exist_ok=True)
            (conf / "config.fish").write_text(
                "set -g fish_greeting\n"
                "function fish_prompt; printf '@@P%s@@ ' $status; end\n"
                "function fish_right_prompt; end\nfunction fish_title; end\n"
            )
            args = ["-i"]
        self.child = pexpect.spawn(
            require(kind), args, env=env, cwd=str(sandbox.home), encoding="utf-8",
            codec_errors="replace", dimensions=(40, 400), timeout=60,
        )
        self.until_prompt()

    def until_prompt(self) -> tuple:
        """(output up to the next prompt, without escapes and CRs; the status it shows)"""
        self.child.expect(PROMPT)
        return ANSI.sub("", self.child.before).replace("\r", ""), int(self.child.match.group(1))

    def run(self, line: str) -> tuple:
        self.child.sendline(line)
        return self.until_prompt()

    def child_named(self, name: str) -> int:
        """The pid of this shell's child process `name`, waiting until it exists."""
        deadline_polls = 2000
        for _ in range(deadline_polls):
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    stat = (entry / "stat").read_text()
                except OSError:
                    continue
                comm = stat[stat.index("(") + 1 : stat.rindex(")")]
                ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
                if ppid == self.child.pid and comm == name:
                    return int(entry.name)
            self.child.expect([pexpect.TIMEOUT], timeout=0.01)
        raise AssertionError(f"{self.kind} never started {name}")

    def terminal_flags(self) -> set:
        """The local-mode flags `stty -a` reports for this terminal, run from the shell."""
        out = self.root / "stty.txt"
        _, status = self.run(f"stty -a > {out}")
        assert status == 0
        return set(re.split(r"[\s;]+", out.read_text()))

    def assert_terminal_usable(self):
        flags = self.terminal_flags()
        for flag in ("isig", "icanon", "echo"):
            assert flag in flags and f"-{flag}" not in flags, (flag, sorted(flags))
        # Ctrl-C still reaches a foreground job.
        self.child.sendline("sleep 100")
        self.child_named("sleep")
        self.child.sendcontrol("c")
        _, status = self.until_prompt()
        assert status == 130, status

    def close(self):
        self.child.sendline("exit")
        self.child.expect([pexpect.EOF, pexpect.TIMEOUT], timeout=10)
        self.child.close(force=True)


@pytest.fixture
def open_shell(sandbox):
    shells = []

    def start(kind: str, **env_changes) -> PtyShell:
        env = sandbox.env()
        for name, value in env_changes.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        sh = PtyShell(kind, sandbox, env)
        shells.append(sh)
        return sh

    yield start
    for sh in shells:
        sh.close()


def at_secret_prompt(sh: PtyShell):
    sh.child.sendline("vault add hidden")
    sh.child.expect_exact("Enter Access Key ID: ")
    sh.child.sendline("AKIAHIDDENPROMPT0001")
    sh.child.expect_exact(SECRET_PROMPT)
    sh.child.send(TYPED)


def assert_cancelled_in_one_line(output: str):
    lines = [line for line in output.split("\n") if line.startswith("vault:")]
    assert lines == ["vault: cancelled (Ctrl-C)"], output
    assert TYPED not in output, output


@pytest.mark.parametrize("kind", SHELLS)
def test_ctrl_c_at_the_secret_prompt(open_shell, kind):
    sh = open_shell(kind)
    at_secret_prompt(sh)
    sh.child.sendcontrol("c")
    output, status = sh.until_prompt()
    assert status == 130, output  # ended by SIGINT, as a script running vault expects
    assert_cancelled_in_one_line(output)
    sh.assert_terminal_usable()


@pytest.mark.parametrize("kind", SHELLS)
def test_ctrl_c_at_the_passphrase_prompt(open_shell, kind):
    sh = open_shell(kind, VAULT_FILE_PASSPHRASE=None)
    at_secret_prompt(sh)
    sh.child.sendline("")
    # A new profile: add asks for its region and MFA device (blank skips them).
    sh.child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    sh.child.sendline("")
    sh.child.expect_exact("MFA device ARN (blank if MFA is not enabled): ")
    sh.child.sendline("")
    sh.child.expect_exact("New passphrase for the vault file store in ")
    sh.child.expect_exact(": ")
    sh.child.send(TYPED)
    sh.child.sendcontrol("c")
    output, status = sh.until_prompt()
    assert status == 130, output
    assert_cancelled_in_one_line(output)
    sh.assert_terminal_usable()


@pytest.mark.parametrize("kind", SHELLS)
def test_ctrl_c_at_the_mfa_prompt(open_shell, sandbox, kind):
    sandbox.add("mfa", f"[profile mfa]\nregion = eu-west-1\nmfa_serial = {MFA_SERIAL}\n")
    sh = open_shell(kind)
    sh.child.sendline("vault exec mfa -- true")
    sh.child.expect_exact(f"Enter MFA code for {MFA_SERIAL}: ")
    sh.child.send("12")
    sh.child.sendcontrol("c")
    output, status = sh.until_prompt()
    assert status == 130, output
    lines = [line for line in output.split("\n") if line.startswith("vault:")]
    assert lines == ["vault: cancelled (Ctrl-C)"], output
    sh.assert_terminal_usable()


@pytest.mark.parametrize("kind", SHELLS)
@pytest.mark.parametrize("how", ["SIGTERM", "SIGHUP", "Ctrl-\\"])
def test_signals_at_the_secret_prompt_restore_the_terminal(open_shell, kind, how):
    sh = open_shell(kind)
    at_secret_prompt(sh)
    if how == "Ctrl-\\":
        sh.child.sendcontrol("\\")
        number = signal.SIGQUIT
    else:
        number = getattr(signal, how)
        os.kill(sh.child_named("vault"), number)
    output, status = sh.until_prompt()
    assert status == 128 + number, output
    assert TYPED not in output, output
    # What was typed at the hidden prompt does not become the shell's next command line.
    output, status = sh.run("echo next")
    assert status == 0 and "\nnext\n" in output and TYPED not in output, output
    sh.assert_terminal_usable()
