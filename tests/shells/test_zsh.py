"""zsh with `eval "$(vault hook zsh)"`: the shared scenarios, then what is zsh's own: chpwd
(`cd x && cmd`), precmd_functions order, user options."""
import subprocess

import pytest

from conftest import ROOT, require
from posix_scenarios import *  # noqa: F401,F403 (the shared tests run here with kind=zsh)
from posix_scenarios import USER_SETUP, assert_active, assert_user_env, quiet
from shell_driver import parse_dump, shquote


@pytest.fixture
def kind():
    return "zsh"


def test_cd_and_command_on_one_line_see_the_new_environment(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell()
    step = sh.run(f"cd {shquote(str(proj))} && __t_dump")
    assert step.vault_lines == []
    assert_active(parse_dump(step.output), "dev", "eu-west-1")
    assert sh.run(f"cd {shquote(str(user.home))} && printenv AWS_VAULT").status == 1
    pushd = f"pushd {shquote(str(proj))} >/dev/null"
    step = sh.run(f"{pushd} && printenv AWS_VAULT; popd >/dev/null; __t_dump")
    assert step.output.startswith("dev\n"), step.output
    assert_user_env(parse_dump(step.output))


def test_hook_is_first_and_once_in_both_hook_lists(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    setup = (
        USER_SETUP
        + "__t_precmd() { __t_seen_status=$? __t_seen_vault=${AWS_VAULT-none} }\n"
        + "__t_chpwd() { :; }\n"
        + "precmd_functions=(__t_precmd); chpwd_functions=(__t_chpwd)\n"
    )
    sh = open_shell(before=setup)
    show = 'print -r -- "${precmd_functions[*]}|${chpwd_functions[*]}"'
    expected = "__vault_hook __t_precmd|__vault_hook __t_chpwd\n"
    assert sh.run(show).output == expected

    # Later precmd functions see the user's status and the profile the hook just set.
    step = sh.run("__vault_w_next=0; vault allow " + shquote(str(proj)) + "; (exit 6)")
    assert step.status == 6
    assert sh.run('echo "$__t_seen_status"').output == "6\n"
    assert sh.run("cd " + shquote(str(proj))).status == 0
    assert sh.run('echo "$__t_seen_vault"').output == "dev\n"

    quiet(sh.run('eval "$(vault hook zsh)"'))
    assert sh.run(show).output == expected
    sh.run("precmd_functions=(__t_theme $precmd_functions); __t_theme() { :; }")
    quiet(sh.run('eval "$(vault hook zsh)"'))
    assert sh.run(show).output == "__vault_hook __t_theme __t_precmd|__vault_hook __t_chpwd\n"


def test_user_options_do_not_change_the_glue(open_shell, user):
    """Options people set in .zshrc do not leak into the glue (emulate -L zsh), and the
    glue's own INT handling leaves the user's trap alone."""
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    options = "setopt KSH_ARRAYS SH_WORD_SPLIT NO_UNSET WARN_CREATE_GLOBAL NO_CLOBBER NO_GLOB\n"
    sh = open_shell(before=USER_SETUP + options + "trap 'echo user-trap' INT\n")
    assert sh.startup.output.strip() == "", sh.startup.output
    for step in (sh.cd(proj), sh.enter(), sh.run("vault use ops"), sh.run("vault unuse")):
        assert "created globally" not in step.output and "parameter not set" not in step.output
        assert step.status == 0, step.output
    assert_active(sh.env(), "dev", "eu-west-1")
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())
    assert sh.run("trap").output == "trap -- 'echo user-trap' INT\n"
    step = sh.run("print -r -- ${options[ksharrays]} ${options[warncreateglobal]}")
    assert step.output == "on on\n"


def test_glue_parses(sandbox):
    zsh = require("zsh")
    out = sandbox.run_vault("hook", "zsh")
    assert out.returncode == 0
    assert "'@VAULT@'" not in out.stdout and repr(sandbox.vault)[1:-1] in out.stdout
    path = sandbox.root / "glue.zsh"
    path.write_text(out.stdout)
    for file in (path, ROOT / "shell" / "vault.zsh"):
        check = subprocess.run([zsh, "-n", str(file)], capture_output=True, text=True)
        assert check.returncode == 0 and check.stderr == "", check.stderr
