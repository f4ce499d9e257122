"""What a bash or zsh user does with the hook, step by step, with the environment checked after
every step. test_bash.py and test_zsh.py import these tests; their `kind` fixture says which
shell runs them. Every shell is a real interactive shell in a pseudo-terminal: commands are
typed at a real prompt, so the hook runs exactly as it does for a user.
"""
import base64
import json
import re
import time
from pathlib import Path

import pytest

from conftest import free_port
from shell_driver import (
    MANAGED,
    Shell,
    parse_dump,
    shquote,
    starts,
    user_view,
    wait_reaped,
    write_counting_glue,
)

PROFILES = """
[profile dev]
region = eu-west-1

[profile ops]
source_profile = dev
role_arn = arn:aws:iam::123456789012:role/ops
region = ap-northeast-1

[profile mfa]
mfa_serial = arn:aws:iam::123456789012:mfa/tester
"""

# What the user had before vault: two values to restore, and unset variables that must stay
# unset (AWS_SESSION_TOKEN in particular).
USER_SETUP = (
    "export AWS_REGION=us-west-2 AWS_PROFILE=mine AWSUME_PROFILE=stale-awsume\n"
    "unset AWS_SESSION_TOKEN AWS_DEFAULT_REGION AWS_DEFAULT_PROFILE\n"
)
BASELINE = {name: None for name in MANAGED} | {
    "AWS_REGION": "us-west-2",
    "AWS_PROFILE": "mine",
    "AWSUME_PROFILE": "stale-awsume",
}
RFC3339_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
# Time left as `vault prompt` and `vault use` show it: 59m, 1h00m.
LEFT = r"(?:\d+m|\d+h\d\dm)"
MFA_PROMPT = "Enter MFA code for arn:aws:iam::123456789012:mfa/tester: "


@pytest.fixture
def user(sandbox):
    """The sandbox with keys for dev, bare (no region) and mfa, and the role ops."""
    sandbox.add("dev", PROFILES)
    sandbox.add("bare")
    sandbox.add("mfa")
    return sandbox


@pytest.fixture
def open_shell(kind, user):
    """Start shells of the kind under test with the user's own variables set; closed after."""
    shells = []

    def start(before: str = USER_SETUP, **kw) -> Shell:
        sh = Shell(kind, user, before=before, **kw)
        shells.append(sh)
        return sh

    yield start
    for sh in shells:
        sh.close()


def assert_active(env: dict, profile: str, region: str):
    assert env["AWS_VAULT"] == profile, env
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"], env
    assert env["AWS_SESSION_TOKEN"], env
    assert RFC3339_Z.match(env["AWS_CREDENTIAL_EXPIRATION"] or ""), env
    assert env["AWS_REGION"] == region and env["AWS_DEFAULT_REGION"] == region, env
    for gone in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWSUME_PROFILE", "AWS_SECURITY_TOKEN"):
        assert env[gone] is None, (gone, env)
    assert env["__VAULT_STATE"], env


def assert_user_env(env: dict):
    """Exactly what the user had: values and unset-ness. vault's state may remain only to
    remember a notice or a failure, never an active profile or saved values."""
    assert user_view(env) == BASELINE
    state = decode_state(env["__VAULT_STATE"])
    assert "a" not in state and "s" not in state, state


def decode_state(value):
    """__VAULT_STATE's JSON (src/activate/state.rs: `a` the active profile, `s` the user's
    saved values, `m` the last notice, `x` a failure)."""
    if value is None:
        return {}
    return json.loads(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))


def quiet(step):
    """Nothing at all was printed: no notice, no error, no stray output from the glue."""
    assert step.output == "", step.output
    return step


def one_line(step, *fragments, alone=True):
    """vault said exactly one line (containing `fragments`) and, if `alone`, nothing else was
    printed."""
    assert len(step.vault_lines) == 1, step.output
    if alone:
        assert step.output == step.vault_lines[0] + "\n", step.output
    for fragment in fragments:
        assert fragment in step.vault_lines[0], step.output
    return step.vault_lines[0]


# --- activation, switching, leaving ---------------------------------------------------------


def test_activates_only_after_allow_and_leaving_restores_exactly(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    sh = open_shell()
    assert sh.startup.vault_lines == []
    assert_user_env(sh.env())

    one_line(sh.cd(proj), "is not allowed yet", "vault allow")
    assert_user_env(sh.env())
    quiet(sh.enter())
    assert_user_env(sh.env())

    step = sh.run("vault allow")
    assert step.status == 0
    one_line(step, "allowed", "profile 'dev'")
    env = sh.env()
    assert_active(env, "dev", "eu-west-1")

    # A subfolder keeps the profile, the same credentials (nothing re-fetched).
    (proj / "src" / "deep").mkdir(parents=True)
    quiet(sh.cd(proj / "src" / "deep"))
    assert sh.env() == env

    quiet(sh.cd(user.home))
    assert_user_env(sh.env())
    quiet(sh.cd(proj))
    assert_active(sh.env(), "dev", "eu-west-1")
    quiet(sh.cd("/"))
    assert_user_env(sh.env())


def test_switching_projects_keeps_the_users_values_for_the_end(open_shell, user):
    shop = user.project("shop", 'profile = "dev"\n')
    infra = user.project("infra", 'profile = "ops"\nduration = "2h"\n')
    plain = user.project("plain", "bare\n")
    tokyo = user.project("tokyo", 'profile = "bare"\nregion = "ap-southeast-2"\n')
    for folder in (shop, infra, plain, tokyo):
        user.allow(folder)
    sh = open_shell()

    quiet(sh.cd(shop))
    dev = sh.env()
    assert_active(dev, "dev", "eu-west-1")

    quiet(sh.cd(infra))
    ops = sh.env()
    assert_active(ops, "ops", "ap-northeast-1")
    assert ops["AWS_ACCESS_KEY_ID"].startswith("ASIA") and ops != dev

    # A profile without a region gets the user's own region (as aws-vault does), not the one
    # the previous profile set.
    quiet(sh.cd(plain))
    assert_active(sh.env(), "bare", "us-west-2")

    # The region of the .awsvault wins over the profile's.
    quiet(sh.cd(tokyo))
    assert_active(sh.env(), "bare", "ap-southeast-2")

    quiet(sh.cd(user.home))
    assert_user_env(sh.env())


def test_nested_project_nearest_wins(open_shell, user):
    outer = user.project("mono", 'profile = "dev"\n')
    inner = user.project("mono/services/billing", 'profile = "ops"\n')
    user.allow(outer)
    user.allow(inner)
    # A folder named .awsvault (aws-vault's own store lives in ~/.awsvault/) is not a project.
    (outer / "docs" / ".awsvault").mkdir(parents=True)
    sh = open_shell()

    quiet(sh.cd(outer / "services"))
    dev = sh.env()
    assert_active(dev, "dev", "eu-west-1")
    quiet(sh.cd(inner))
    assert_active(sh.env(), "ops", "ap-northeast-1")
    (inner / "src").mkdir()
    quiet(sh.cd(inner / "src"))
    assert sh.env()["AWS_VAULT"] == "ops"
    quiet(sh.cd(outer / "docs"))
    back = sh.env()
    assert_active(back, "dev", "eu-west-1")
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())


def test_odd_names_survive_quoting(open_shell, user):
    name = "o'neil \"q\" $HOME `x`"
    user.add(name)
    proj = user.project("it's a \"proj\" $PWD", f"profile = {toml_string(name)}\n")
    user.allow(proj)
    sh = open_shell()
    quiet(sh.cd(proj))
    env = sh.env()
    assert env["AWS_VAULT"] == name
    quiet(sh.enter())
    assert sh.env() == env
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- trust ------------------------------------------------------------------------------------


def test_untrusted_edited_denied_say_one_line_per_visit(open_shell, user):
    proj = user.project("repo", 'profile = "dev"\n')
    (proj / "sub").mkdir()
    sh = open_shell()

    # Untrusted: one line per visit, nothing activated.
    one_line(sh.cd(proj), "not allowed yet")
    quiet(sh.enter())
    quiet(sh.cd(proj / "sub"))
    quiet(sh.enter())
    assert_user_env(sh.env())
    quiet(sh.cd(user.home))
    one_line(sh.cd(proj), "not allowed yet")
    assert_user_env(sh.env())

    # Allowed, then edited by the user: the allowance is revoked at the next prompt.
    one_line(sh.run("vault allow"), "allowed")
    assert_active(sh.env(), "dev", "eu-west-1")
    step = sh.run("printf '%s\\n' 'profile = \"dev\"' 'region = \"us-east-2\"' > .awsvault")
    one_line(step, "changed since it was allowed", "vault allow")
    assert_user_env(sh.env())
    quiet(sh.enter())
    quiet(sh.cd(proj / "sub"))
    assert_user_env(sh.env())
    one_line(sh.run("vault allow"), "allowed")
    assert_active(sh.env(), "dev", "us-east-2")

    # Trust changed elsewhere (another shell, a script) counts by the next prompt here too.
    user.run_vault("deny", str(proj))
    one_line(sh.enter(), "is denied")
    assert_user_env(sh.env())
    user.allow(proj)
    quiet(sh.enter())
    assert_active(sh.env(), "dev", "us-east-2")

    # Denied: everything goes at the next prompt, one line, then silence.
    step = sh.run("vault deny")
    assert step.status == 0
    lines = step.vault_lines
    assert len(lines) == 2 and "denied" in lines[0] and "is denied" in lines[1], step.output
    assert_user_env(sh.env())
    quiet(sh.enter())
    quiet(sh.cd(proj))
    quiet(sh.cd(user.home))
    one_line(sh.cd(proj), "is denied")
    assert_user_env(sh.env())
    # allow lifts a deny.
    one_line(sh.run("vault allow"), "allowed")
    assert_active(sh.env(), "dev", "us-east-2")


def test_malformed_file_says_one_line_and_changes_nothing(open_shell, user):
    good = user.project("good", 'profile = "dev"\n')
    user.allow(good)
    bad = user.project("bad", 'profile = "dev"\nregion = \n')
    sh = open_shell()
    quiet(sh.cd(good))
    dev = sh.env()
    assert_active(dev, "dev", "eu-west-1")

    # Leaving for a malformed project: the user's values come back whole, one line said.
    one_line(sh.cd(bad), "not allowed yet")
    assert_user_env(sh.env())
    step = sh.run("vault allow")
    assert step.status == 1
    one_line(step, ".awsvault", "fix the file")
    assert_user_env(sh.env())
    quiet(sh.enter())
    assert sh.run("echo still-here").output.strip() == "still-here"

    # A symlinked .awsvault is refused the same way.
    link = user.home / "linked"
    link.mkdir()
    (link / ".awsvault").symlink_to(good / ".awsvault")
    one_line(sh.cd(link), "symlink")
    quiet(sh.enter())
    assert_user_env(sh.env())

    quiet(sh.cd(good))
    assert_active(sh.env(), "dev", "eu-west-1")


def test_unknown_profile_says_one_line_and_keeps_what_is_there(open_shell, user):
    good = user.project("good", 'profile = "dev"\n')
    nosuch = user.project("nosuch", 'profile = "nosuch"\n')
    user.allow(good)
    user.allow(nosuch)
    sh = open_shell()

    # From the user's own environment: nothing changes.
    one_line(sh.cd(nosuch), "cannot activate profile 'nosuch'")
    assert_user_env(sh.env())
    quiet(sh.enter())
    quiet(sh.cd(user.home))
    one_line(sh.cd(nosuch), "cannot activate profile 'nosuch'")
    assert_user_env(sh.env())

    # From an active profile: the failed switch keeps it, whole.
    quiet(sh.cd(good))
    dev = sh.env()
    assert_active(dev, "dev", "eu-west-1")
    one_line(sh.cd(nosuch), "cannot activate profile 'nosuch'", "still using 'dev'")
    assert user_view(sh.env()) == user_view(dev)
    quiet(sh.enter())
    quiet(sh.enter())
    assert user_view(sh.env()) == user_view(dev)
    assert sh.run("echo fine").output == "fine\n"
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())


def test_a_remembered_file_store_unlock_activates_without_the_passphrase(open_shell, user):
    """Once the file store is unlocked (and VAULT_FILE_UNLOCK_TTL lets vault remember it), a
    shell whose passphrase is wrong still activates: the key comes from the kernel keyring.
    After `vault lock` the same visit says one line and leaves the user's environment alone."""
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    remember = {"VAULT_FILE_UNLOCK_TTL": "60"}
    assert user.run_vault("list", **remember).returncode == 0
    sh = open_shell(env={"VAULT_FILE_PASSPHRASE": "not the passphrase", **remember})
    try:
        quiet(sh.cd(proj))
        assert_active(sh.env(), "dev", "eu-west-1")
        quiet(sh.cd(user.home))
        assert_user_env(sh.env())

        step = sh.run("vault lock")
        assert step.status == 0 and "Locked the file store" in step.output, step.output
        one_line(sh.cd(proj), "cannot activate profile 'dev'", "wrong passphrase")
        assert_user_env(sh.env())
    finally:
        user.run_vault("lock")


# --- renewal ------------------------------------------------------------------------------------


def test_renews_credentials_within_min_ttl_at_the_next_prompt(open_shell, user):
    # 15-minute credentials with AWS_MIN_TTL=20m: every prompt finds them due.
    proj = user.project("short", 'profile = "dev"\nduration = "15m"\n')
    user.allow(proj)
    sh = open_shell(before=USER_SETUP + "export AWS_MIN_TTL=20m\n")
    quiet(sh.cd(proj))
    first = sh.env()
    assert_active(first, "dev", "eu-west-1")
    seen = {first["AWS_CREDENTIAL_EXPIRATION"]}
    for _ in range(2):
        time.sleep(1.1)  # moto's Expiration has one-second resolution
        quiet(sh.enter())
        env = sh.env()
        assert_active(env, "dev", "eu-west-1")
        assert env["AWS_CREDENTIAL_EXPIRATION"] not in seen, "not renewed"
        seen.add(env["AWS_CREDENTIAL_EXPIRATION"])


def test_renewal_failure_is_said_once_and_keeps_the_credentials(open_shell, user):
    proj = user.project("short", 'profile = "dev"\nduration = "15m"\n')
    user.allow(proj)
    sh = open_shell(before=USER_SETUP + "export AWS_MIN_TTL=20m\n")
    quiet(sh.cd(proj))
    assert_active(sh.env(), "dev", "eu-west-1")

    # STS goes away; the credentials are due, so the prompt after this line tries to renew.
    closed = f"http://127.0.0.1:{free_port()}"
    step = sh.run(f"export AWS_ENDPOINT_URL={closed} && __t_dump")
    kept = parse_dump(step.output)
    assert_active(kept, "dev", "eu-west-1")
    one_line(step, "cannot renew profile 'dev'", "vault reload", alone=False)
    assert user_view(sh.env()) == user_view(kept)
    time.sleep(1.1)
    quiet(sh.enter())
    quiet(sh.enter())
    assert user_view(sh.env()) == user_view(kept)

    # `vault reload` tries at once; with STS back it renews.
    quiet(sh.run(f"export AWS_ENDPOINT_URL={user.endpoint}"))
    assert user_view(sh.env()) == user_view(kept)
    step = sh.run("vault reload")
    assert step.status == 0, step.output
    quiet(step)
    after = sh.env()
    assert_active(after, "dev", "eu-west-1")
    assert after["AWS_CREDENTIAL_EXPIRATION"] != kept["AWS_CREDENTIAL_EXPIRATION"]


# --- vault use / unuse / prompt --------------------------------------------------------------


def test_use_unuse_and_use_without_a_name(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell()

    assert sh.run("vault use --status").output == "nothing is active\n"
    step = sh.run("vault use ops")
    assert step.status == 0
    one_line(step, "using 'ops' in this shell")
    assert_active(sh.env(), "ops", "ap-northeast-1")
    # Sticky: folders do not switch it.
    quiet(sh.cd(proj))
    assert sh.env()["AWS_VAULT"] == "ops"
    line = sh.run("vault use --status").output
    assert re.fullmatch(rf"'ops' is active, chosen with `vault use`, {LEFT} left\n", line), line

    # unuse gives back the user's own values at once; the next prompt applies the folder rules.
    step = sh.run("vault unuse && __t_dump")
    assert step.status == 0
    assert_user_env(parse_dump(step.output))
    assert_active(sh.env(), "dev", "eu-west-1")
    line = sh.run("vault use --status").output
    where = re.escape(f"{proj}/.awsvault")
    assert re.fullmatch(rf"'dev' is active, from {where}, {LEFT} left\n", line), line
    one_line(sh.run("vault unuse"), "comes from a .awsvault")
    assert_active(sh.env(), "dev", "eu-west-1")

    # A profile that cannot be used: one line, exit 1, nothing changed.
    dev = sh.env()
    step = sh.run("vault use nosuch")
    assert step.status == 1
    one_line(step)
    assert sh.env() == dev

    # `vault use` in a plain folder, then unuse: back to exactly what the user had.
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())
    one_line(sh.run("vault use dev --region sa-east-1"), "using 'dev'")
    assert_active(sh.env(), "dev", "sa-east-1")
    quiet(sh.run("vault unuse"))
    assert_user_env(sh.env())
    one_line(sh.run("vault unuse"), "nothing is active")


def test_prompt_segment(open_shell, user, kind):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    # The set-up README suggests: the segment and its brackets only while a profile is active
    # (so no subshell is started for it otherwise).
    ps1 = {
        "bash": "PS1='${AWS_VAULT:+[$(__vault_prompt)] }'\"$PS1\"",
        "zsh": "setopt prompt_subst; PS1='${AWS_VAULT:+[$(__vault_prompt)] }'$PS1",
    }[kind]
    sh = open_shell(after=ps1)

    def split(step):
        """(what the command printed, the segment in the prompt drawn after it)"""
        match = re.fullmatch(r"(?s)(.*?)(?:\[([^\[\]\n]*)\] )?", step.output)
        return match.group(1), match.group(2)

    assert split(sh.startup)[1] is None
    assert split(sh.run("__vault_prompt")) == ("", None)
    # The prompt drawn right after the cd already shows the profile: the hook ran first.
    out, segment = split(sh.cd(proj))
    assert out == "" and re.fullmatch(rf"dev {LEFT}", segment or ""), segment
    out, segment = split(sh.run("__vault_prompt"))
    assert re.fullmatch(rf"dev {LEFT}\n", out) and re.fullmatch(rf"dev {LEFT}", segment), out
    out, _ = split(sh.run("__vault_prompt --format '{profile}@{region}'"))
    assert out == "dev@eu-west-1\n", out
    assert split(sh.cd(user.home)) == ("", None)


# --- MFA at the terminal ---------------------------------------------------------------------


def test_ctrl_c_at_the_mfa_prompt_cancels_once(open_shell, user):
    proj = user.project("secure", "mfa\n")
    user.allow(proj)
    sh = open_shell()
    sh.child.sendline(f"cd {shquote(str(proj))}")
    sh.child.expect_exact(MFA_PROMPT, timeout=30)
    time.sleep(0.2)
    sh.child.sendcontrol("c")
    step = sh._until_prompt(30)
    # The rest of the question line, the ^C the terminal echoed, then vault's one line.
    assert step.output.startswith("^C\n"), step.output
    one_line(step, "cannot activate profile 'mfa'", "cancelled", alone=False)
    assert_user_env(sh.env())
    # Not asked again at every prompt (the driver fails on any MFA question).
    for _ in range(3):
        quiet(sh.enter())
    assert_user_env(sh.env())
    assert sh.run("echo usable").output == "usable\n"

    # `vault reload` asks now; a code typed at the terminal activates.
    sh.child.sendline("vault reload")
    sh.child.expect_exact(MFA_PROMPT, timeout=30)
    sh.child.sendline("123456")
    assert sh._until_prompt(30).output == "123456\n"  # the terminal echoes the code
    env = sh.env()
    assert env["AWS_VAULT"] == "mfa" and env["AWS_SESSION_TOKEN"]


def test_mfa_code_typed_at_the_prompt_activates(open_shell, user):
    proj = user.project("secure", "mfa\n")
    user.allow(proj)
    sh = open_shell()
    sh.child.sendline(f"cd {shquote(str(proj))}")
    sh.child.expect_exact(MFA_PROMPT, timeout=30)
    sh.child.sendline("654321")
    assert sh._until_prompt(30).output == "654321\n"  # the terminal echoes the code
    env = sh.env()
    assert env["AWS_VAULT"] == "mfa" and env["AWS_SESSION_TOKEN"]
    assert env["AWS_PROFILE"] is None and env["AWS_REGION"] == "us-west-2"
    quiet(sh.cd(user.home))
    assert_user_env(sh.env())


# --- exit status, loading twice, no process when nothing changed ----------------------------


def test_exit_status_survives_the_hook(open_shell, user):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    sh = open_shell()
    assert sh.run("(exit 3)").status == 3  # nothing changed: fast path
    step = sh.run(f"cd {shquote(str(proj))}; (exit 4)")  # the hook activates at this prompt
    assert step.status == 4
    assert sh.env()["AWS_VAULT"] == "dev"
    assert sh.run("false").status == 1
    step = sh.run("cd ..; (exit 5)")  # the hook deactivates at this prompt
    assert step.status == 5
    assert_user_env(sh.env())
    assert sh.run("true").status == 0


def test_loading_twice_runs_the_hook_once_per_prompt(open_shell, user, kind):
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    log = user.root / "starts.log"
    glue = write_counting_glue(kind, user, log)
    sh = open_shell(glue=glue + glue)
    assert sh.startup.vault_lines == []
    assert starts(log) == [f"hook-env {kind}"]
    quiet(sh.cd(proj))
    assert starts(log) == [f"hook-env {kind}"] * 2
    assert_active(sh.env(), "dev", "eu-west-1")
    quiet(sh.run(glue.strip()))  # and once more from the prompt
    quiet(sh.cd(user.home))
    assert starts(log) == [f"hook-env {kind}"] * 3
    assert_user_env(sh.env())


@pytest.mark.parametrize("where", ["active project", "no project", "untrusted project"])
def test_no_process_when_nothing_changed(open_shell, user, kind, where):
    active = user.project("shop", 'profile = "dev"\n')
    user.allow(active)
    untrusted = user.project("cloned", 'profile = "dev"\n')
    folder = {"active project": active, "no project": user.home, "untrusted project": untrusted}
    log = user.root / "starts.log"
    sh = open_shell(glue=write_counting_glue(kind, user, log))
    sh.cd(folder[where])
    if where == "active project":
        assert sh.env()["AWS_VAULT"] == "dev"
    count = len(starts(log))
    wait_reaped()
    children = sh.stat_children()

    for _ in range(50):
        quiet(sh.enter())
    wait_reaped()
    assert len(starts(log)) == count, "the hook started vault although nothing changed"
    assert sh.stat_children() == children, "the shell started a process at a prompt"

    # The same measure sees a run of vault (so the checks above can fail): force a re-check.
    sh.run("__vault_w_next=0")
    wait_reaped()
    assert len(starts(log)) == count + 1
    assert sh.stat_children()[0] > children[0]


# --- the watch protocol: what the glue checks without a process (issue 9) -------------------


def test_no_process_with_a_profile_active_and_the_segment_in_the_prompt(open_shell, user, kind):
    """The prompt segment as README sets it up: drawn from the watch record with builtins, so
    a prompt with a profile active starts nothing, and it still counts down."""
    proj = user.project("shop", 'profile = "dev"\n')
    user.allow(proj)
    log = user.root / "starts.log"
    ps1 = {
        "bash": "PS1='${__vault_segment:+[$__vault_segment] }'\"$PS1\"",
        "zsh": "setopt prompt_subst; PS1='${__vault_segment:+[$__vault_segment] }'$PS1",
    }[kind]
    sh = open_shell(glue=write_counting_glue(kind, user, log), after=ps1)
    step = sh.cd(proj)
    assert re.fullmatch(rf"\[dev {LEFT}\] ", step.output), step.output
    count = len(starts(log))
    wait_reaped()
    children = sh.stat_children()
    for _ in range(30):
        step = sh.enter()
        assert re.fullmatch(rf"\[dev {LEFT}\] ", step.output), step.output
    wait_reaped()
    assert len(starts(log)) == count, "vault ran although nothing changed"
    assert sh.stat_children() == children, "the shell started a process at a prompt"
    # The segment is computed from the expiry: move it and the text follows.
    sh.run("__vault_p_expires=$((EPOCHSECONDS + 7290))")
    assert sh.enter().output == "[dev 2h01m] "
    sh.run("__vault_p_expires=$((EPOCHSECONDS - 1))")
    assert sh.enter().output == "[dev expired] "
    assert sh.run("__vault_prompt").output == "dev expired\n[dev expired] "
    assert sh.cd(user.home).output == ""


def test_a_50_mb_awsvault_costs_a_normal_prompt(open_shell, user, kind):
    """A cloned repository with a huge .awsvault: refused once, then each prompt reads one
    4096-byte block of it at most and starts nothing."""
    repo = user.home / "huge"
    repo.mkdir()
    with open(repo / ".awsvault", "wb") as f:
        f.write(b'profile = "dev"\n')
        block = b"#" * (1 << 20)
        for _ in range(50):
            f.write(block)
    log = user.root / "starts.log"
    sh = open_shell(glue=write_counting_glue(kind, user, log))
    one_line(sh.cd(repo), "larger than 4095 bytes", "nothing activated")
    count = len(starts(log))
    io = Path(f"/proc/{sh.child.pid}/io")
    before = int(io.read_text().split("rchar:")[1].split()[0])
    prompts = 20
    for _ in range(prompts):
        quiet(sh.enter())
    after = int(io.read_text().split("rchar:")[1].split()[0])
    assert len(starts(log)) == count, "vault ran although nothing changed"
    assert sh.env()["AWS_VAULT"] is None
    # Everything the shell read over those prompts (the terminal, the trust records, the
    # block): far below one pass over the file, and at most one block of it per prompt.
    per_prompt = (after - before) / prompts
    assert per_prompt <= 4096 + 1024, per_prompt


def test_a_renamed_folder_with_a_symlink_in_its_place_activates_nothing(open_shell, user):
    """Someone who can write the parent folder renames the folder the victim's shell is in
    and leaves a symlink to an allowed project in its place: $PWD now names that project, but
    every command still runs in the renamed folder. Nothing activates, and `vault allow`
    allows the file the victim sees with `cat`, not the other project's."""
    allowed = user.project("allowed", 'profile = "dev"\n')
    user.allow(allowed)
    other = user.project("other", 'profile = "ops"\n')
    work = user.project("work", 'profile = "bare"\n')
    sh = open_shell()
    one_line(sh.cd(work), "not allowed yet")
    parent = work.parent
    (parent / "work").rename(parent / "work.old")
    (parent / "work").symlink_to(allowed)
    sh.enter()
    assert sh.env()["AWS_VAULT"] is None
    assert sh.run("cat .awsvault").output == 'profile = "bare"\n'
    # And the same with a project that is not allowed: allow takes the real folder's file.
    (parent / "work").unlink()
    (parent / "work").symlink_to(other)
    sh.enter()
    step = sh.run("vault allow")
    assert step.status == 0, step.output
    assert "work.old" in step.output and "'bare'" in step.output, step.output
    shown = user.run_vault("hook-env", "bash", PWD=str(other))
    assert "not allowed yet" in shown.stderr, shown.stderr
    assert sh.env()["AWS_VAULT"] == "bare"


def test_terminal_escapes_in_a_folder_name_are_shown_escaped(open_shell, user):
    """A folder name carrying terminal escape sequences cannot rewrite the notice line."""
    evil = user.project("x\x1b[2K\r\x1b[32mprofile 'prod' allowed\x1b[0m", 'profile = "dev"\n')
    # The name reaches the shell from its rc file, so the terminal never echoes it.
    sh = open_shell(before=USER_SETUP + f"evil={shquote(str(evil))}\n")
    sh.child.sendline('cd "$evil"')
    sh.child.expect(r"@@P\d+@@ ")
    raw = sh.child.before
    assert "not allowed yet" in raw, raw
    assert "\x1b[2K" not in raw and "\\u{1b}[2K" in raw, repr(raw)
    allowed = user.run_vault("allow", str(evil))
    assert allowed.returncode == 0, allowed.stderr
    assert "\x1b" not in allowed.stderr and "\\u{1b}[32m" in allowed.stderr, allowed.stderr
