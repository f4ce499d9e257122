"""Drive a real interactive bash or zsh in a pseudo-terminal, as a user would: a real prompt,
commands typed and Enter pressed, Ctrl-C sent to the terminal.

The prompt is `@@P<status>@@ `, so every step knows the `$?` the user would see. Output between
two prompts is one step's output: the command's own output, then whatever the prompt hook said
(on stderr, which the terminal merges) before the next prompt was drawn.
"""
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pexpect

from conftest import MANAGED, VAULT, require

WATCHED = MANAGED + ["__VAULT_STATE"]

PROMPT = re.compile(r"@@P(\d+)@@ ")
MFA_QUESTION = re.compile(r"Enter MFA code for [^ ]*: ")
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[=>]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)")

# Shell code the tests call: print the managed variables as the shell has them (set or unset)
# and as a child process sees them (exported or not). Defined after the glue.
DUMP_BASH = r"""
__t_dump() {
  local n
  printf '<<DUMP\n'
  for n in %(names)s; do
    if [[ -n ${!n+x} ]]; then printf 'S %%s=%%s\n' "$n" "${!n}"; else printf 'U %%s\n' "$n"; fi
  done
  command env | command grep -E '^(AWS|AWSUME|__VAULT)_[A-Z_]*=' | command sed 's/^/E /'
  printf 'DUMP>>\n'
}
"""
DUMP_ZSH = r"""
__t_dump() {
  local n
  printf '<<DUMP\n'
  for n in %(names)s; do
    if [[ -n ${(P)n+x} ]]; then printf 'S %%s=%%s\n' "$n" "${(P)n}"; else printf 'U %%s\n' "$n"; fi
  done
  command env | command grep -E '^(AWS|AWSUME|__VAULT)_[A-Z_]*=' | command sed 's/^/E /'
  printf 'DUMP>>\n'
}
"""


@dataclass
class Step:
    """What one command line produced: its output (echo removed) and the next prompt's `$?`."""

    output: str
    status: int

    @property
    def vault_lines(self) -> list:
        """The lines vault said (on stderr), e.g. from the prompt hook."""
        return [line for line in self.output.splitlines() if line.startswith("vault:")]


class Shell:
    """One interactive shell in a pseudo-terminal with the vault glue loaded from its rc file."""

    def __init__(
        self,
        kind: str,
        sandbox,
        before: str = "",
        after: str = "",
        glue: Optional[str] = None,
        env: Optional[dict] = None,
        cwd: Optional[Path] = None,
    ):
        assert kind in ("bash", "zsh")
        self.kind = kind
        self.sandbox = sandbox
        program = require(kind)
        rcdir = sandbox.root / f"rc-{kind}-{time.monotonic_ns()}"
        rcdir.mkdir()
        if glue is None:
            glue = f'eval "$(vault hook {kind})"\n'
        names = " ".join(WATCHED)
        if kind == "bash":
            rc = "\n".join(
                [
                    "HISTFILE=/dev/null",
                    "bind 'set enable-bracketed-paste off' 2>/dev/null",
                    "bind 'set horizontal-scroll-mode on' 2>/dev/null",
                    "PS1='@@P$?@@ '",
                    "PS2='@@C@@ '",
                    before,
                    glue,
                    after,
                    DUMP_BASH % {"names": names},
                ]
            )
            (rcdir / "bashrc").write_text(rc)
            args = ["--noprofile", "--rcfile", str(rcdir / "bashrc"), "-i"]
        else:
            (rcdir / ".zshenv").write_text("unsetopt GLOBAL_RCS\n")
            rc = "\n".join(
                [
                    "HISTFILE=/dev/null",
                    "unsetopt PROMPT_SP PROMPT_CR BEEP",
                    "unset zle_bracketed_paste",
                    "PS1='@@P%?@@ '",
                    "PS2='@@C@@ '",
                    "RPS1=",
                    before,
                    glue,
                    after,
                    DUMP_ZSH % {"names": names},
                ]
            )
            (rcdir / ".zshrc").write_text(rc)
            args = ["-i"]
        extra = {"ZDOTDIR": str(rcdir)} if kind == "zsh" else {}
        full_env = sandbox.env(**extra)
        # `vault` on PATH, as after `make install`.
        full_env["PATH"] = f"{Path(sandbox.vault).parent}:{full_env['PATH']}"
        full_env.update(env or {})
        self.child = pexpect.spawn(
            program,
            args,
            env=full_env,
            cwd=str(cwd or sandbox.home),
            encoding="utf-8",
            codec_errors="replace",
            dimensions=(40, 4000),
            timeout=60,
        )
        self.startup = self._until_prompt()

    # --- driving -------------------------------------------------------------------------
    def _until_prompt(self, timeout: float = 60) -> Step:
        """Output up to the next prompt. A question for an MFA code on the way fails the step
        (after Ctrl-C, so the shell is not left waiting): tests that expect one answer it."""
        if self.child.expect([PROMPT, MFA_QUESTION], timeout=timeout) == 1:
            self.child.sendcontrol("c")
            raise AssertionError(f"unexpected MFA question after: {self.child.before!r}")
        text = ANSI.sub("", self.child.before).replace("\r", "")
        return Step(text, int(self.child.match.group(1)))

    def run(self, line: str, timeout: float = 60) -> Step:
        """Type `line`, press Enter, wait for the next prompt."""
        self.child.sendline(line)
        step = self._until_prompt(timeout)
        # The terminal echoes what was typed: the first line of the output.
        _, _, rest = step.output.partition("\n")
        return Step(rest, step.status)

    def enter(self) -> Step:
        """Press Enter on an empty line: just a new prompt (the hook runs)."""
        return self.run("")

    def cd(self, path) -> Step:
        return self.run(f"cd {shquote(str(path))}")

    def env(self) -> dict:
        """The managed variables: {name: value or None (unset)}. Also checks that what the shell
        holds is exactly what a child process gets (everything set is exported)."""
        step = self.run("__t_dump")
        assert step.status == 0, step
        return parse_dump(step.output)

    def close(self):
        if self.child.isalive():
            self.child.sendline("exit")
            try:
                self.child.expect(pexpect.EOF, timeout=10)
            except pexpect.TIMEOUT:
                pass
        self.child.close(force=True)

    def stat_children(self) -> tuple:
        """Counters the kernel adds to when this shell reaps a child process: (minor faults,
        user time, system time) of waited-for children. Any process the shell starts and waits
        for (a fork for $(...), a subshell, a command) raises the first one."""
        text = Path(f"/proc/{self.child.pid}/stat").read_text()
        fields = text[text.rindex(")") + 2 :].split()
        return int(fields[8]), int(fields[13]), int(fields[14])


def parse_dump(output: str) -> dict:
    assert "<<DUMP" in output and "DUMP>>" in output, output
    body = output.split("<<DUMP\n", 1)[1].split("DUMP>>", 1)[0]
    shell, exported = {}, {}
    for line in body.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "S":
            name, _, value = rest.partition("=")
            shell[name] = value
        elif kind == "U":
            shell[rest] = None
        elif kind == "E":
            name, _, value = rest.partition("=")
            exported[name] = value
    assert set(shell) == set(WATCHED), output
    for name in WATCHED:
        assert exported.get(name) == shell[name], (
            f"{name}: the shell has {shell[name]!r} but a child process sees "
            f"{exported.get(name)!r}"
        )
    return shell


def shquote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def active(env: dict) -> Optional[str]:
    return env["AWS_VAULT"]


def user_view(env: dict) -> dict:
    """The managed variables without vault's own state, for "exactly as before" comparisons."""
    return {k: v for k, v in env.items() if k != "__VAULT_STATE"}


def counting_glue(kind: str, sandbox, log: Path) -> str:
    """The real glue, with its binary path swapped for a script that logs each start and then
    runs the real vault: `vault hook`'s own output, so the test exercises what users load."""
    out = sandbox.run_vault("hook", kind)
    assert out.returncode == 0, out.stderr
    wrapper = sandbox.root / f"counting-vault-{kind}"
    wrapper.write_text(
        "#!/bin/sh\n"
        f"printf '%s\\n' \"$*\" >> {shquote(str(log))}\n"
        f"exec {shquote(str(VAULT))} \"$@\"\n"
    )
    wrapper.chmod(0o755)
    quoted = shquote(str(VAULT))
    assert out.stdout.count(quoted) == 1, "the glue should name the binary once"
    return out.stdout.replace(quoted, shquote(str(wrapper)))


def write_counting_glue(kind: str, sandbox, log: Path) -> str:
    """Shell code that loads the counting glue from a file."""
    path = sandbox.root / f"glue-counting.{kind}"
    path.write_text(counting_glue(kind, sandbox, log))
    return f"source {shquote(str(path))}\n"


def starts(log: Path) -> list:
    return log.read_text().splitlines() if log.exists() else []


def wait_reaped():
    """Let the kernel finish accounting for a child that exited just before a prompt."""
    time.sleep(0.3)

