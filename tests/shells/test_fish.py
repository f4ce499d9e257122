"""fish: the glue `vault hook fish` prints, driven in a real interactive fish in a pty (real
prompts, typed commands), plus script-mode checks and static checks of the glue itself."""
import subprocess

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
