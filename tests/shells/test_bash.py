"""bash (4.2+) with `eval "$(vault hook bash)"`: the shared scenarios, then what is bash's own:
PROMPT_COMMAND as a string and as an array, set -u."""
import pytest

from posix_scenarios import *  # noqa: F401,F403 (the shared tests run here with kind=bash)
from posix_scenarios import USER_SETUP, one_line, quiet
from shell_driver import shquote


@pytest.fixture
def kind():
    return "bash"


PC_RECORDER = (
    USER_SETUP
    + "__t_pc() { __t_seen_status=$?; __t_seen_vault=${AWS_VAULT-none}; }\n"
)


def check_runs_first_and_keeps_status(sh, proj):
    """At one prompt, the user's prompt command runs after the hook: it sees the new profile
    and the status of the user's last command."""
    step = sh.run(f"cd {shquote(str(proj))}; (exit 6)")
    assert step.status == 6
    quiet(step)
    assert sh.run('echo "$__t_seen_status $__t_seen_vault"').output == "6 dev\n"
    assert sh.run("(exit 7)").status == 7
    assert sh.run('echo "$__t_seen_status"').output == "7\n"


def test_prompt_command_string_is_prepended_once(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell(before=PC_RECORDER + "PROMPT_COMMAND='__t_pc'\n")
    show = "printf '<%s>\\n' \"$PROMPT_COMMAND\""
    assert sh.run(show).output == "<__vault_hook;__t_pc>\n"
    check_runs_first_and_keeps_status(sh, proj)

    # Loading again changes nothing; after a framework put itself first, it moves us back.
    quiet(sh.run('eval "$(vault hook bash)"'))
    assert sh.run(show).output == "<__vault_hook;__t_pc>\n"
    sh.run('PROMPT_COMMAND="__t_pc;$PROMPT_COMMAND"')
    quiet(sh.run('eval "$(vault hook bash)"'))
    assert sh.run(show).output == "<__vault_hook;__t_pc;__t_pc>\n"


def test_prompt_command_unset_or_empty(open_shell, user):
    for setup in ("unset PROMPT_COMMAND\n", "PROMPT_COMMAND=\n"):
        sh = open_shell(before=USER_SETUP + setup)
        assert sh.run("printf '<%s>\\n' \"$PROMPT_COMMAND\"").output == "<__vault_hook>\n"
        sh.close()


def test_prompt_command_array_is_prepended_once(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell(before=PC_RECORDER + "PROMPT_COMMAND=(__t_pc '__t_other=1')\n")
    expected = 'declare -a PROMPT_COMMAND=([0]="__vault_hook" [1]="__t_pc" [2]="__t_other=1")\n'
    assert sh.run("declare -p PROMPT_COMMAND").output == expected
    check_runs_first_and_keeps_status(sh, proj)
    assert sh.run('echo "${__t_other-}"').output == "1\n"

    quiet(sh.run('eval "$(vault hook bash)"'))
    assert sh.run("declare -p PROMPT_COMMAND").output == expected
    sh.run('PROMPT_COMMAND=(starship_precmd "${PROMPT_COMMAND[@]}"); starship_precmd() { :; }')
    quiet(sh.run('eval "$(vault hook bash)"'))
    assert sh.run("declare -p PROMPT_COMMAND").output == (
        'declare -a PROMPT_COMMAND=([0]="__vault_hook" [1]="starship_precmd" [2]="__t_pc" '
        '[3]="__t_other=1")\n'
    )


def test_nounset_and_the_users_int_trap(open_shell, user):
    """set -u does not break the glue, and the glue's own Ctrl-C handling leaves the user's
    INT trap as it was."""
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell(before=USER_SETUP + "set -u\ntrap 'echo user-trap' INT\n")
    assert "unbound" not in sh.startup.output
    quiet(sh.cd(proj))
    assert sh.env()["AWS_VAULT"] == "dev"
    one_line(sh.run("vault use ops"), "using 'ops'")
    quiet(sh.run("vault unuse"))
    quiet(sh.cd(user.home))
    step = sh.run("trap -p INT; echo \"$-\"")
    assert step.output.splitlines()[0] == "trap -- 'echo user-trap' SIGINT", step.output
    assert "u" in step.output.splitlines()[1]
    assert "unbound" not in step.output


def test_alias_named_vault_does_not_break_loading(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell(before=USER_SETUP + "alias vault='vault --debug'\n")
    assert "syntax error" not in sh.startup.output, sh.startup.output
    quiet(sh.cd(proj))
    assert sh.env()["AWS_VAULT"] == "dev"
