"""nushell: the glue `vault hook nu` prints, driven in a real interactive nushell in a pty
(real prompts, typed commands, cursor position queries answered), plus script-mode and static
checks of the glue itself."""
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, VAULT, require

pytest.register_assert_rewrite("fish_nu_driver")
from fish_nu_driver import NuSession, Scenarios, vault_lines  # noqa: E402

GLUE = ROOT / "shell" / "vault.nu"
# Which hooks are registered: "vault" for ours (marked), "other" for anybody else's, as JSON.
HOOKS = (
    "def __t_kinds [hooks] { $hooks | each {|h| if ($h | describe) =~ '^record' and "
    "('__vault_hook' in ($h | columns)) { 'vault' } else { 'other' } } }; "
    "{pre_prompt: (__t_kinds $env.config.hooks.pre_prompt), "
    "PWD: (__t_kinds $env.config.hooks.env_change.PWD)} | to json -r"
)
# The oldest nushell the glue is tested with (README says so); `nu` on PATH must be as new.
MIN_VERSION = (0, 98, 0)


class AutoloadSession(NuSession):
    load = "autoload"


class TestNu(Scenarios):
    Session = NuSession

    def test_status_survives_the_hook(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user()
        # The hook starts vault at this prompt (a new folder), after a failing command.
        s.run(f"cd {proj}; ^false")
        assert s.last_status == 1
        assert s.calls() == ["hook-env nu"]
        assert s.managed()["AWS_VAULT"] == "will"
        s.run("^false")
        assert s.last_status == 1

    def test_loading_twice_is_harmless(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        s = user()
        glue = s.env["XDG_CONFIG_HOME"] + "/nushell/vault.nu"
        s.run(f"source {glue}; source {glue}")
        out = s.run(HOOKS)
        hooks = json.loads(out.strip().splitlines()[-1])
        # Ours once each; the user's own hook (the step counter of this test) is still there.
        assert hooks == {"pre_prompt": ["other", "vault"], "PWD": ["vault"]}
        # One hook-env per change, one line per visit.
        out = s.run(f"cd {proj}")
        assert len(vault_lines(out)) == 1, out
        assert s.calls() == ["hook-env nu"]
        assert vault_lines(s.run("vault allow")) == [f"vault: allowed {proj}/.awsvault (profile 'will')"]
        assert s.managed()["AWS_VAULT"] == "will"

    def test_documented_setup_and_right_prompt(self, sandbox, open_session):
        sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = open_session(count_calls=False,
                         setup="$env.PROMPT_COMMAND_RIGHT = {|| __vault_prompt }")
        assert s.run("which vault | get 0.type").strip() == "custom"
        assert vault_lines(s.run(f"cd {proj}")) == []
        # The right prompt is drawn after the left one.
        s.child.expect(r"will (59m|1h00m)", timeout=30)
        assert s.managed()["AWS_VAULT"] == "will"

    def test_autoload_folder(self, sandbox, open_session):
        self.Session = AutoloadSession
        sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = open_session(count_calls=False)
        assert vault_lines(s.run(f"cd {proj}")) == []
        assert s.managed()["AWS_VAULT"] == "will"
        assert f"'will' is active, from {proj}/.awsvault" in s.run("vault use --status")
        assert vault_lines(s.run("cd ..")) == []
        assert s.managed()["AWS_VAULT"] is None

    def test_failing_use_stops_the_line(self, sandbox, user):
        s = user()
        out = s.run("vault use ghost; print still-ran")
        assert "still-ran" not in out
        lines = vault_lines(out)
        assert len(lines) == 1 and "ghost" in lines[0], out
        assert s.managed() == self.USER


class TestWatch:
    """The glue's fast path: what it observes, and that it starts no process and reads no file
    while nothing changed."""

    @pytest.fixture
    def user(self, sandbox):
        sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
        sandbox.add("ops")
        sessions = []

        def start(**kwargs):
            s = NuSession(sandbox, **kwargs)
            sessions.append(s)
            assert vault_lines(s.startup_output) == [], s.startup_output
            s.calls()
            return s

        yield start
        for s in sessions:
            s.close()

    def test_no_process_while_nothing_changed(self, sandbox, user):
        deep = sandbox.home / "a" / "b" / "c"
        deep.mkdir(parents=True)
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        # The builtin prompt segment in the right prompt, drawn at every prompt.
        s = user(setup="$env.PROMPT_COMMAND_RIGHT = {|| __vault_prompt }")
        s.run(f"cd {deep}")
        assert s.calls() == ["hook-env nu"]
        for _ in range(3):
            s.run("null")
        assert s.calls() == []
        assert vault_lines(s.run(f"cd {proj}")) == []
        assert s.calls() == ["hook-env nu"]
        assert s.managed()["AWS_VAULT"] == "will"
        for _ in range(3):
            out = s.run("null")
        assert s.calls() == []
        # The segment was drawn (after the prompt marker) without `vault prompt`.
        s.child.expect(r"will (59m|1h00m)", timeout=30)
        assert re.fullmatch(r"will (59m|1h00m)", s.run("__vault_prompt").strip())
        assert s.calls() == []
        # With arguments, it asks `vault prompt`.
        assert s.run("__vault_prompt --format '{profile}!'").strip() == "will!"
        assert s.calls() == ["prompt --format {profile}!"]

    def test_a_huge_awsvault_costs_what_a_small_one_does(self, sandbox, user):
        """A 50 MB .awsvault: refused by the binary, and never read by the glue (the bytes the
        shell reads at a prompt, /proc/PID/io rchar, are those of a prompt next to a small
        file)."""
        big = sandbox.home / "big"
        big.mkdir()
        with open(big / ".awsvault", "wb") as f:
            f.write(b'profile = "will"\n')
            f.truncate(50_000_000)
        small = sandbox.project("small", 'profile = "will"\n')
        s = user()
        pid = int(s.run("$nu.pid").strip().splitlines()[-1])

        def rchar() -> int:
            text = Path(f"/proc/{pid}/io").read_text()
            return int(re.search(r"^rchar: (\d+)$", text, re.M).group(1))

        def prompts_cost() -> int:
            before = rchar()
            for _ in range(3):
                s.run("null")
            return rchar() - before

        lines = vault_lines(s.run(f"cd {big}"))
        assert len(lines) == 1 and "larger than" in lines[0], lines
        assert s.managed()["AWS_VAULT"] is None
        s.calls()
        big_cost = prompts_cost()
        assert s.calls() == []
        lines = vault_lines(s.run(f"cd {small}"))
        assert len(lines) == 1 and "not allowed yet" in lines[0], lines
        s.calls()
        small_cost = prompts_cost()
        assert s.calls() == []
        assert big_cost <= small_cost + 4097, (big_cost, small_cost)
        assert s.managed()["AWS_VAULT"] is None

    def test_a_same_size_edit_is_noticed_at_the_next_prompt(self, sandbox, user):
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user(start_dir=proj)
        assert s.managed()["AWS_VAULT"] == "will"
        s.run("null")
        s.calls()
        # At once (the binary waited out the clock tick of the allowance it read, so a later
        # write has a later time), and the size stays the same.
        (proj / ".awsvault").write_text('profile = "ops"\n\n')
        assert vault_lines(s.run("null")) == [
            f"vault: {proj}/.awsvault changed since it was allowed: check it, then run `vault allow`"
        ]
        assert s.calls() == ["hook-env nu"]
        assert s.managed()["AWS_VAULT"] is None

    def test_a_stamp_not_to_be_trusted_is_checked_at_every_prompt(self, sandbox, user):
        # A modification time in the future (clock skew) cannot tell a later edit apart: the
        # binary records `?`, which the glue never observes, so every prompt asks it.
        proj = sandbox.project("proj", 'profile = "will"\n')
        sandbox.allow(proj)
        s = user(start_dir=proj)
        assert s.managed()["AWS_VAULT"] == "will"
        future = (proj / ".awsvault").stat().st_mtime_ns + 3600 * 10**9
        os.utime(proj / ".awsvault", ns=(future, future))
        s.run("null")
        s.calls()
        for _ in range(2):
            s.run("null")
            assert s.calls() == ["hook-env nu"]
        out = subprocess.run([str(VAULT), "hook-env", "nu"], env=s.env | {"PWD": str(proj)},
                             cwd=proj, capture_output=True, text=True, check=True).stdout
        assert [str(proj / ".awsvault"), "?"] in json.loads(out)["watch"]["paths"]
        # Back in the past: trusted again, and quiet.
        os.utime(proj / ".awsvault", ns=(future - 7200 * 10**9,) * 2)
        s.run("null")
        s.calls()
        s.run("null")
        assert s.calls() == []
        assert s.managed()["AWS_VAULT"] == "will"

    def test_folder_renamed_and_replaced_by_a_symlink(self, sandbox, user):
        """bash's stale-$PWD attack, in nushell. The project folder is renamed and a symlink to
        another folder takes its name. nushell starts every command in the folder $env.PWD names
        now, so commands run in the other folder from then on, and the decision must follow:
        even when every watched path looks the same there (same size and time)."""
        good = sandbox.project("good", 'profile = "will"\n')
        sandbox.allow(good)
        other = sandbox.project("elsewhere/other", 'profile = "ops"\n\n')
        assert (other / ".awsvault").stat().st_size == (good / ".awsvault").stat().st_size
        stamp = (good / ".awsvault").stat().st_mtime_ns
        os.utime(other / ".awsvault", ns=(stamp, stamp))
        (good / "marker").write_text("good\n")
        (other / "marker").write_text("other\n")
        s = user(start_dir=good)
        assert s.managed()["AWS_VAULT"] == "will"
        s.run("null")
        s.calls()
        good.rename(sandbox.home / "good-old")
        good.symlink_to(other)
        # The next prompt asks the binary, which decides for the other folder (not allowed).
        lines = vault_lines(s.run("null"))
        assert s.calls() == ["hook-env nu"]
        assert len(lines) == 1 and "other/.awsvault is not allowed yet" in lines[0], lines
        assert s.managed()["AWS_VAULT"] is None
        # Where commands run now, builtins and programs alike: the other folder, as decided.
        assert s.run("$env.PWD").strip() == str(good)
        assert s.run("open marker").strip() == "other"
        assert s.run(f"^{s.python} -c 'print(open(\"marker\").read())'").strip() == "other"
        assert s.calls() == []

    def test_observations_match_the_binary(self, sandbox, tmp_path):
        """What the glue's __vault_observe computes is what the binary recorded, for every kind
        of path: missing, folder, symlink, fifo, file (glob characters taken literally)."""
        nu = require("nu")
        root = sandbox.home / "w[1]*"
        (root / "sub").mkdir(parents=True)
        (root / "sub" / ".awsvault").mkdir()
        (root / ".awsvault").write_text('profile = "will"\n')
        os.utime(root / ".awsvault", ns=(10**18, 10**18))
        glue = tmp_path / "glue.nu"
        glue.write_text(subprocess.run([str(VAULT), "hook", "nu"], capture_output=True,
                                       text=True, check=True).stdout)
        deep = root / "sub" / "deeper"
        deep.mkdir()
        for folder in (deep, root):
            out = subprocess.run([str(VAULT), "hook-env", "nu"], env=sandbox.env(PWD=str(folder)),
                                 cwd=folder, capture_output=True, text=True, check=True).stdout
            paths = json.loads(out)["watch"]["paths"]
            assert paths[0] == [str(folder / ".awsvault"), "-" if folder == deep else "f17:" + str(10**18)]
            fifo = tmp_path / "fifo"
            if not fifo.exists():
                os.mkfifo(fifo)
                (tmp_path / "link").symlink_to(fifo)
            script = (f"source {glue}; {json.dumps(json.dumps(paths))} | from json "
                      "| each {|p| __vault_observe ($p | get 0)} | to json -r")
            seen = subprocess.run([nu, "--no-config-file", "-c", script], capture_output=True,
                                  text=True, timeout=60)
            assert seen.returncode == 0, seen.stderr
            assert json.loads(seen.stdout) == [o for _, o in paths]
        script = (f"source {glue}; [{tmp_path / 'fifo'} {tmp_path / 'link'} {root / 'sub'}] "
                  "| each {|p| __vault_observe $p} | to json -r")
        seen = subprocess.run([nu, "--no-config-file", "-c", script], capture_output=True,
                              text=True, timeout=60)
        assert json.loads(seen.stdout) == ["o", "l", "d"], seen.stderr


def nu_version(nu: str) -> tuple:
    out = subprocess.run([nu, "--version"], capture_output=True, text=True, check=True).stdout
    return tuple(int(x) for x in out.strip().split(".")[:3])


def test_installed_nushell_is_supported():
    assert nu_version(require("nu")) >= MIN_VERSION


def ide_errors(nu: str, path) -> list:
    out = subprocess.run([nu, "--no-config-file", "--ide-check", "100", str(path)],
                         capture_output=True, text=True, timeout=60)
    found = []
    for line in out.stdout.splitlines():
        item = json.loads(line)
        if item.get("type") == "diagnostic":
            found.append(item)
    return found


def test_glue_parses(tmp_path):
    nu = require("nu")
    rendered = tmp_path / "vault.nu"
    rendered.write_text(subprocess.run([str(VAULT), "hook", "nu"], capture_output=True, text=True,
                                       check=True).stdout)
    for path in (GLUE, rendered):
        assert ide_errors(nu, path) == [], path
        # And it loads: the hooks are registered.
        out = subprocess.run([nu, "--no-config-file", "-c", f"source {path}; {HOOKS}"],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert json.loads(out.stdout) == {"pre_prompt": ["vault"], "PWD": ["vault"]}


def test_parse_check_catches_errors(tmp_path):
    # The check above can fail: a broken glue is reported.
    nu = require("nu")
    broken = tmp_path / "broken.nu"
    broken.write_text(GLUE.read_text().replace("def --env __vault_apply [out: string] {",
                                               "def --env __vault_apply [out: string]", 1))
    assert ide_errors(nu, broken) != []


def test_vault_use_completes_profile_names(sandbox, tmp_path):
    """With the glue loaded, NAME of `vault use NAME` completes with the config's profiles; a
    broken config offers none. nushell's own completion engine answers through --ide-complete,
    which panics on any custom completer before 0.108; there (and everywhere) the signature
    must name the glue's completer, and the completer must list the profiles."""
    nu = require("nu")
    sandbox.add("will", "[profile will]\nregion = eu-west-1\n[profile ops]\nsource_profile = will\n")
    glue = tmp_path / "glue.nu"
    glue.write_text(subprocess.run([str(VAULT), "hook", "nu"], capture_output=True, text=True,
                                   check=True).stdout)

    def engine() -> list:
        script = tmp_path / "complete.nu"
        text = glue.read_text() + "\nvault use \n"
        script.write_text(text)
        # The cursor right after `vault use `: the byte before the final newline.
        out = subprocess.run([nu, "--no-config-file", "--ide-complete",
                              str(len(text.encode()) - 1), str(script)],
                             env=sandbox.env(), capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        return sorted(json.loads(out.stdout)["completions"])

    def parts() -> tuple:
        # `completion` since 0.10x, `custom_completion` before.
        code = (f"source {glue}; let p = (scope commands | where name == 'vault use' "
                "| get 0.signatures | values | get 0 | where parameter_type == rest | get 0); "
                "print ($p.completion? | default $p.custom_completion?); "
                "print (__vault_profiles | to json -r)")
        out = subprocess.run([nu, "--no-config-file", "-c", code], env=sandbox.env(),
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        completer, names = out.stdout.splitlines()
        return completer, sorted(json.loads(names))

    with_engine = nu_version(nu) >= (0, 108, 0)
    assert parts() == ("__vault_profiles", ["ops", "will"])
    if with_engine:
        assert engine() == ["ops", "will"]
    sandbox.config.write_text("[profile will\n")
    assert parts() == ("__vault_profiles", [])
    if with_engine:
        assert engine() == []


def test_binary_path_with_quotes(sandbox, tmp_path):
    # The binary's path is baked into the glue as a raw string; `'#` makes its fence grow.
    nu = require("nu")
    weird = tmp_path / "it's a '# dir"
    weird.mkdir()
    exe = weird / "vault"
    try:
        exe.hardlink_to(VAULT)
    except OSError:
        shutil.copy2(VAULT, exe)
    glue = tmp_path / "glue.nu"
    glue.write_text(subprocess.run([str(exe), "hook", "nu"], capture_output=True, text=True,
                                   check=True).stdout)
    out = subprocess.run([nu, "--no-config-file", "-c",
                          f"source {glue}; print $__vault_bin; vault --version"],
                         env=sandbox.env(), capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == str(exe)
    assert lines[1].startswith("vault ")


def test_script_mode(sandbox, tmp_path):
    """In a script (no prompt), the hook is a command like any other, and `vault use` works."""
    nu = require("nu")
    sandbox.add("will", "[profile will]\nregion = eu-west-1\n")
    proj = sandbox.project("proj", 'profile = "will"\n')
    sandbox.allow(proj)
    glue = tmp_path / "glue.nu"
    glue.write_text(subprocess.run([str(VAULT), "hook", "nu"], capture_output=True, text=True,
                                   check=True).stdout)
    script = f"""
source {glue}
def show [where] {{ print $"($where):($env.AWS_VAULT? | default ''):($env.AWS_PROFILE? | default unset)" }}
__vault_hook
show home
cd {proj}
__vault_hook
show proj
cd /
__vault_hook
show root
vault use will
show use
vault unuse
show unuse
"""
    out = subprocess.run([nu, "--no-config-file", "-c", script], env=sandbox.env(AWS_PROFILE="mine"),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["home::mine", "proj:will:unset", "root::mine", "use:will:unset",
                                  "unuse::mine"], out
    assert vault_lines(out.stderr) == [
        "vault: using 'will' in this shell (`vault unuse` to go back to folder rules)"
    ]
