"""fish: the glue `vault hook fish` prints, driven in a real interactive fish in a pty (real
prompts, typed commands), plus script-mode checks and static checks of the glue itself."""
import os
import random
import re
import subprocess
import time
from pathlib import Path

import pytest

from conftest import ROOT, VAULT, require

pytest.register_assert_rewrite("fish_nu_driver")
from fish_nu_driver import FishSession, Scenarios, vault_lines

GLUE = ROOT / "shell" / "vault.fish"


class TestFish(Scenarios):
    Session = FishSession

    def test_cd_and_command_on_one_line(self, sandbox, user):
        # --on-variable PWD: the hook runs at `cd`, so the next command on the line has it.
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user()
        out = s.run(f"cd {proj}; and printenv AWS_VAULT; and cd ..; and printenv AWS_VAULT; or echo gone")
        assert out.split() == ["will", "gone"], out
        assert s.managed() == self.USER

    def test_first_prompt_activates(self, sandbox, user):
        # PWD does not change before the first prompt: the fish_prompt event covers it.
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user(start_dir=proj)
        env = s.environment()
        assert env["AWS_VAULT"] == "will" and env["AWS_ACCESS_KEY_ID"]

    def test_status_survives_the_hook(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user()
        # The hook starts vault at this prompt (a new folder), after a failing command.
        s.run(f"cd {proj}; false")
        assert s.last_status == 1
        assert s.calls() == ["hook-env fish"]
        assert s.managed()["AWS_VAULT"] == "will"
        s.run("false")
        assert s.last_status == 1
        s.run("vault use ghost")
        assert s.last_status == 1

    def test_loading_twice_is_harmless(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        s = user()
        glue = sandbox.root / "tools" / "vault.fish"
        s.run(f"source {glue}; source {glue}")
        out = s.run("functions --handlers | string match -e __vault")
        assert sorted(out.split()) == sorted(["PWD", "__vault_hook", "fish_prompt", "__vault_hook"]), out
        # One hook-env per change, one line per visit.
        out = s.run(f"cd {proj}")
        assert len(vault_lines(out)) == 1, out
        assert s.calls() == ["hook-env fish"]
        assert vault_lines(s.run("vault allow")) == [f"vault: allowed {proj}/.awsvault (profile 'will')"]
        assert s.managed()["AWS_VAULT"] == "will"

    def test_documented_setup_and_right_prompt(self, sandbox, open_session):
        # config.fish holds `vault hook fish | source` and a right prompt, as README says.
        sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = open_session(count_calls=False, setup="function fish_right_prompt\n    __vault_prompt\nend")
        assert s.run("functions -q vault __vault_prompt __vault_hook; echo $status").strip() == "0"
        assert s.run("type -t vault").strip() == "function"
        assert vault_lines(s.run(f"cd {proj}")) == []
        # fish draws the right prompt after the left one.
        s.child.expect(r"will (59m|1h00m)", timeout=30)
        assert s.managed()["AWS_VAULT"] == "will"

    def test_binary_path_with_quotes_and_spaces(self, sandbox, tmp_path):
        # The binary's own path is baked into the glue, quoted for fish.
        weird = tmp_path / "it's a \\ dir"
        weird.mkdir()
        exe = weird / "vault"
        try:
            exe.hardlink_to(VAULT)
        except OSError:
            import shutil
            shutil.copy2(VAULT, exe)
        glue = subprocess.run([str(exe), "hook", "fish"], capture_output=True, text=True,
                              check=True).stdout
        out = subprocess.run([require("fish"), "--no-config", "-c", "source; vault --version; echo $__vault_bin"],
                             input=glue, env=sandbox.env(), capture_output=True, text=True, timeout=30)
        assert out.returncode == 0, out.stderr
        assert out.stdout.splitlines()[0].startswith("vault ")
        assert out.stdout.splitlines()[1] == str(exe)


def test_glue_parses_and_is_fish_indent_clean(tmp_path):
    fish = require("fish")
    fish_indent = require("fish_indent")
    rendered = subprocess.run([str(VAULT), "hook", "fish"], capture_output=True, text=True,
                              check=True).stdout
    for text in (GLUE.read_text(), rendered):
        parsed = subprocess.run([fish, "--no-execute"], input=text, capture_output=True, text=True)
        assert parsed.returncode == 0, parsed.stderr
    # The file as committed is formatted the fish way (the rendered copy differs only in the
    # binary's path, which fish_indent would unquote).
    text = GLUE.read_text()
    indented = subprocess.run([fish_indent], input=text, capture_output=True, text=True)
    assert indented.returncode == 0
    assert indented.stdout == text, "fish_indent would change shell/vault.fish"


def test_parse_check_catches_errors():
    # The checks above can fail: a broken glue is refused.
    fish = require("fish")
    broken = GLUE.read_text().replace("end\n", "", 1)
    assert subprocess.run([fish, "--no-execute"], input=broken, capture_output=True, text=True).returncode != 0


def test_script_mode_hook(sandbox):
    """Without a terminal (fish -c), the hook still follows `cd` and `emit fish_prompt`."""
    fish = require("fish")
    sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
    proj = sandbox.project("proj", 'profile = "will"\n')
    sandbox.allow(proj)
    script = f"""
vault hook fish | source
vault hook fish | source
emit fish_prompt
echo "home:$AWS_VAULT:$AWS_PROFILE"
cd {proj}
echo "proj:$AWS_VAULT:"(set -q AWS_PROFILE; and echo set; or echo unset)
emit fish_prompt
cd /
echo "root:$AWS_VAULT:$AWS_PROFILE"
"""
    env = sandbox.env(AWS_PROFILE="mine")
    env["PATH"] = f"{VAULT.parent}:{env['PATH']}"
    out = subprocess.run([fish, "--no-config", "-c", script], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["home::mine", "proj:will:unset", "root::mine"], out
    assert out.stderr == ""


# --- the watch protocol: fast path, bounded reads, stale $PWD, prompt segment ----------------

def stat_children(pid: int) -> tuple:
    """Counters the kernel adds to when a process reaps a child: (minor faults, user time,
    system time) of its waited-for children. Any process fish starts raises the first one."""
    text = Path(f"/proc/{pid}/stat").read_text()
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[8]), int(fields[13]), int(fields[14])


def wait_reaped():
    """Let the kernel finish accounting for a child that exited just before a prompt."""
    time.sleep(0.3)


# A prompt that shows the segment, as a user's fish_prompt would (the driver's markers kept).
SEGMENT_PROMPT = """\
function fish_prompt
    set -l st $status
    set -l segment (__vault_prompt)
    printf '[%s] @@P%s:%s@@ ' "$segment" $__t_steps $st
end"""


class TestFishWatch(Scenarios):
    Session = FishSession

    @pytest.mark.parametrize("where", ["active project", "no project", "untrusted project"])
    def test_fast_path_starts_no_process(self, sandbox, user, where):
        active = sandbox.project("shop", 'profile = "will"\n')
        sandbox.allow(active)
        untrusted = sandbox.project("cloned", 'profile = "will"\n')
        folder = {"active project": active, "no project": sandbox.home,
                  "untrusted project": untrusted}[where]
        s = user(setup=SEGMENT_PROMPT)
        s.run(f"cd {s.quote(str(folder))}")
        if where == "active project":
            assert s.managed()["AWS_VAULT"] == "will"
        s.run("true")
        s.calls()
        wait_reaped()
        before = stat_children(s.child.pid)
        for _ in range(20):
            out = s.run("true")
        wait_reaped()
        assert s.calls() == [], "the hook started vault although nothing changed"
        assert stat_children(s.child.pid) == before, "fish started a process at a prompt"
        if where == "active project":
            assert re.search(r"\[will (59m|1h00m)\] @@P", s.child.before + s.child.after), out
        # The same measure sees a run of vault (so the checks above can fail).
        s.run("set -g __vault_w_next 0")
        wait_reaped()
        assert s.calls() == ["hook-env fish"]
        assert stat_children(s.child.pid)[0] > before[0]

    def test_stale_pwd_renamed_folder_and_symlink(self, sandbox, user):
        # The victim's shell is in B. An attacker renames B and leaves a symlink to a project in
        # its place: $PWD names the project, every command runs in B.old.
        allowed = sandbox.project("a", 'profile = "will"\n')
        sandbox.allow(allowed)
        untrusted = sandbox.project("u", 'profile = "ops"\n')
        s = user()
        for target in (allowed, untrusted):
            b = sandbox.home / f"b-{target.name}"
            b.mkdir()
            s.run(f"cd {s.quote(str(b))}")
            assert s.managed() == self.USER
            s.calls()
            b.rename(sandbox.home / f"b-{target.name}.old")
            b.symlink_to(target)
            out = s.run("true")
            assert vault_lines(out) == [], out
            assert s.calls() == ["hook-env fish"], "a $PWD that is not . must not hold"
            assert s.managed() == self.USER
            out = s.run("vault allow")
            assert s.last_status != 0, out
            assert not any("allowed" in l and ".awsvault" in l for l in vault_lines(out)), out
            # (fish's own `pwd -P` resolves $PWD; the kernel's answer is the renamed folder.)
            assert s.run("command pwd -P").strip() == str(sandbox.home / f"b-{target.name}.old")
            assert s.managed() == self.USER
            s.run(f"cd {sandbox.home}")
        # The untrusted project's file is still not allowed.
        out = s.run(f"cd {untrusted}")
        assert vault_lines(out) == [
            f"vault: {untrusted}/.awsvault is not allowed yet: run `vault allow` to trust it"
        ]

    @pytest.mark.parametrize("keep_mtime", [False, True])
    def test_same_size_edit_is_noticed(self, sandbox, user, keep_mtime):
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user(start_dir=proj)
        assert s.managed()["AWS_VAULT"] == "will"
        s.run("true")
        s.calls()
        f = proj / ".awsvault"
        st = f.stat()
        f.write_text('profile = "WILL"\n')
        if keep_mtime:
            os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns))
        assert f.stat().st_size == st.st_size
        out = s.run("true")
        assert vault_lines(out) == [
            f"vault: {proj}/.awsvault changed since it was allowed: check it, then run `vault allow`"
        ]
        assert s.calls() == ["hook-env fish"]
        assert s.managed() == self.USER


def fish_script(sandbox, script: str, **extra) -> subprocess.CompletedProcess:
    """`script` in a non-interactive fish with the glue loaded (vault on PATH)."""
    env = sandbox.env(**extra)
    env["PATH"] = f"{VAULT.parent}:{env['PATH']}"
    return subprocess.run([require("fish"), "--no-config", "-c", "vault hook fish | source\n" + script],
                          env=env, capture_output=True, timeout=120)


def test_prompt_segment_with_builtins(sandbox):
    # The segment from __vault_p_*, with vault nowhere to be found: no process could run.
    script = """
set -g __vault_bin /nonexistent/vault
function show
    printf '<%s>' (__vault_prompt)
    echo
end
__vault_clock
set -g __vault_p_profile will
show
set -gx AWS_VAULT will
set -g __vault_p_expires ''
show
set -g __vault_p_expires (math $__vault_now + 42 \\* 60 + 30)
show
set -g __vault_p_expires (math $__vault_now + 3 \\* 3600 + 5 \\* 60 + 30)
show
set -g __vault_p_expires (math $__vault_now + 30)
show
set -g __vault_p_expires (math $__vault_now - 5)
show
set -g __vault_p_profile ''
show
set -gx AWS_VAULT ''
set -g __vault_p_profile will
show
"""
    out = fish_script(sandbox, script)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.decode().splitlines()
    assert lines[:4] == ["<>", "<will>", "<will 42m>", "<will 3h05m>"], lines
    assert re.fullmatch(r"<will (29|30)s>", lines[4]), lines
    assert lines[5:] == ["<will expired>", "<>", "<>"], lines


BIG = 50_000_000


def big_content(kind: str) -> bytes:
    if kind == "random":
        return random.Random(9).randbytes(BIG)
    if kind == "zeros":
        return bytes(BIG)
    if kind == "utf8-4-byte":
        return "\U0001F600".encode() * (BIG // 4)
    if kind == "invalid-utf8":
        return b"\xff" * BIG
    return b"a" * BIG


@pytest.mark.parametrize("kind", ["random", "zeros", "utf8-4-byte", "invalid-utf8", "ascii"])
def test_a_50_mb_awsvault_is_read_4097_bytes_at_most(sandbox, kind):
    """fish's `read` takes a byte per read(2) and, in a UTF-8 locale, skips bytes that are not
    UTF-8 without counting them: the glue reads in the C locale, where -n counts bytes. What
    fish reads (/proc/self/io rchar) at prompts in a folder with a 50 MB .awsvault, less what it
    reads at as many prompts in a folder with a 1-byte one (the same work otherwise: one file
    observed, the locale switched once)."""
    big = sandbox.home / "big"
    big.mkdir()
    (big / ".awsvault").write_bytes(big_content(kind))
    small = sandbox.home / "small"
    small.mkdir()
    (small / ".awsvault").write_bytes(b"x")
    prompts = 5
    script = f"""
function rchar
    string replace -rf '^rchar: ' '' </proc/self/io
end
set -g calls 0
function __vault_run
    set -g calls (math $calls + 1)
    set -l out ($__vault_bin $argv)
    printf '%s\\n' $out | source
end
for dir in {small} {big}
    cd $dir
    set -l before (rchar)
    emit fish_prompt; emit fish_prompt; emit fish_prompt; emit fish_prompt; emit fish_prompt
    set -l after (rchar)
    echo (math $after - $before) $calls "[$AWS_VAULT]"
end
"""
    out = fish_script(sandbox, script)
    assert out.returncode == 0, out.stderr
    (small_read, small_calls, _), (big_read, big_calls, active) = (
        line.split() for line in out.stdout.decode().splitlines())
    # The hook ran once per folder (at cd): every prompt after it kept the record.
    assert (small_calls, big_calls) == ("1", "2"), out.stdout
    assert active == "[]", "a 50 MB .awsvault activated something"
    read = int(big_read) - int(small_read)
    # (Give or take the few hundred bytes /proc/self/io itself is, which differ by run.)
    assert read <= prompts * 4097 + 512, f"fish read {read} bytes of the big file in {prompts} prompts"
    if kind in ("utf8-4-byte", "invalid-utf8", "ascii"):
        assert read >= prompts * 4000, "the measure does not see the glue's reads"


CONTENTS = [
    b"", b"\0", b"ab\0", b"ab\0c", b"\0\0x", b"x" * 4095, b"x" * 4096, b"x" * 4097,
    b"x" * 4094 + b"\0", b"x" * 4095 + b"\0", b"x" * 4095 + b"\0y", b"x" * 4096 + b"\0",
    "profile = \"will\"\n# café ☃ \U0001F600\n".encode(), b"\xff\xfe\x80 \xc3", b"\xc3'\\",
    b"it's a \\ test\r\n\n\t ", b"\xef\x98\x80 \xef\xb7\x90 \xf4\x8f\xbf\xbf", b"\x1b[31m\x7f",
] + [random.Random(n).randbytes(n * 97 % 5000) for n in range(1, 25)]


def test_fish_observes_exactly_what_vault_recorded(sandbox):
    """For every content (NULs anywhere, sizes around 4096, UTF-8, bytes that are not UTF-8,
    quotes and backslashes), in folders whose names are not UTF-8 either: the record hook-env
    makes holds at once in fish, and any change of a byte breaks it."""
    cases = []
    for i, content in enumerate(CONTENTS):
        folder = sandbox.home / (f"c{i}" if i % 3 else f"c{i} caf\u00e9 '\\")
        folder.mkdir()
        (folder / ".awsvault").write_bytes(content)
        cases.append(folder)
    odd = sandbox.home.joinpath(os.fsdecode(b"odd-\xff\xfe"))
    odd.mkdir()
    (odd / ".awsvault").write_bytes(b"profile = \"will\"\n")
    cases.append(odd)

    def run(folders):
        script = "\n".join(
            f"cd {FishSession.quote(None, os.fsdecode(bytes(f)))}; __vault_unchanged; echo $status" for f in folders
        )
        out = fish_script(sandbox, script)
        assert out.returncode == 0, out.stderr
        return out.stdout.decode().split()

    assert run(cases) == ["0"] * len(cases)
    # Change one byte of each (the first, or add one to an empty file), behind fish's back, and
    # observe again without asking vault.
    script = []
    for folder in cases:
        f = folder / ".awsvault"
        q = FishSession.quote(None, os.fsdecode(bytes(folder)))
        script.append(f"cd {q}; __vault_unchanged; echo $status")
        script.append(f"command python3 -c 'import sys; p=sys.argv[1]; b=open(p,\"rb\").read(); "
                      f"open(p,\"wb\").write(bytes([b[0] ^ 1]) + b[1:] if b else b\"x\")' ./.awsvault")
        script.append("__vault_unchanged; echo $status")
    out = fish_script(sandbox, "\n".join(script))
    assert out.returncode == 0, out.stderr
    assert out.stdout.decode().split() == ["0", "1"] * len(cases)
