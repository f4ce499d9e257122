"""A first run that explains itself, at a real terminal (a pty driven by pexpect).

`vault add NAME` for a new profile asks for the region and the MFA device after the keys and
writes them into the new section; it refuses an empty Access Key ID before asking for the
secret and warns about a temporary (ASIA...) one. The file store's first use says what it is
before it asks for a new passphrase (twice); a wrong passphrase gets three tries. Ctrl-C at
any of these questions ends vault with one line, `vault: cancelled (Ctrl-C)`, by SIGINT (130).
"""
import re
import signal

import pexpect

from conftest import ACCESS_KEY, PASSPHRASE

SECRET = "vaultShellTestSecret/0001+abcdefghijklmnop"
SERIAL = "arn:aws:iam::123456789012:mfa/newcomer"
ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


def default_signals():
    # A test runner started in the background has SIGINT ignored; a terminal program has not.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGQUIT, signal.SIG_DFL)


def spawn(sandbox, *args, **env_changes) -> pexpect.spawn:
    """vault ARGS with a terminal of its own (the pty is its controlling terminal)."""
    env = sandbox.env()
    for name, value in env_changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return pexpect.spawn(
        sandbox.vault, list(args), env=env, cwd=str(sandbox.home), encoding="utf-8",
        codec_errors="replace", dimensions=(40, 200), timeout=60, preexec_fn=default_signals,
    )


def finish(child: pexpect.spawn) -> tuple:
    """(everything vault printed since the last expect, without CRs; its exit status or
    128 + the signal that ended it)"""
    child.expect(pexpect.EOF)
    output = ANSI.sub("", child.before).replace("\r", "")
    child.close()
    status = child.exitstatus if child.signalstatus is None else 128 + child.signalstatus
    return output, status


def answer_keys(child: pexpect.spawn, key_id: str = ACCESS_KEY):
    child.expect_exact("Enter Access Key ID: ")
    child.sendline(key_id)
    child.expect_exact("Enter Secret Access Key: ")
    child.sendline(SECRET)


def stored(sandbox) -> str:
    return sandbox.run_vault("list", "--credentials").stdout.strip()


def test_add_asks_a_new_profile_for_its_region_and_mfa_device(sandbox):
    child = spawn(sandbox, "add", "newcomer")
    answer_keys(child)
    child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    child.sendline("eu-central-1")
    child.expect_exact("MFA device ARN (blank if MFA is not enabled): ")
    child.sendline(SERIAL)
    output, status = finish(child)
    assert status == 0, output
    assert "Added [profile newcomer]" in output, output
    assert sandbox.config.read_text() == (
        f"[profile newcomer]\nregion = eu-central-1\nmfa_serial = {SERIAL}\n"
    )
    assert stored(sandbox) == "newcomer"


def test_blank_answers_skip_the_region_and_the_mfa_device(sandbox):
    child = spawn(sandbox, "add", "plain")
    answer_keys(child)
    child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    child.sendline("")
    child.expect_exact("MFA device ARN (blank if MFA is not enabled): ")
    child.sendline("")
    output, status = finish(child)
    assert status == 0, output
    assert sandbox.config.read_text() == "[profile plain]\n"


def test_an_existing_profile_is_not_asked_about_its_region(sandbox):
    sandbox.config.write_text("[profile known]\nregion = eu-west-1\n")
    child = spawn(sandbox, "add", "known")
    answer_keys(child)
    output, status = finish(child)
    assert status == 0, output
    assert "Region" not in output and "MFA device" not in output, output
    assert sandbox.config.read_text() == "[profile known]\nregion = eu-west-1\n"


def test_an_empty_access_key_id_is_refused_before_the_secret(sandbox):
    child = spawn(sandbox, "add", "empty")
    child.expect_exact("Enter Access Key ID: ")
    child.sendline("   ")
    output, status = finish(child)
    assert status == 1, output
    assert "Secret Access Key" not in output, output
    assert output.strip().splitlines() == ["vault: the Access Key ID is empty (nothing stored)"], output
    assert stored(sandbox) == ""


def test_a_temporary_key_id_is_warned_about_before_the_secret(sandbox):
    child = spawn(sandbox, "add", "temporary")
    child.expect_exact("Enter Access Key ID: ")
    child.sendline("ASIAVAULTSHELLTEST01")
    child.expect_exact("vault: warning: ASIAVAULTSHELLTEST01 is a temporary access key id")
    child.expect_exact("Enter Secret Access Key: ")
    child.sendline(SECRET)
    child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    child.sendline("")
    child.expect_exact("MFA device ARN (blank if MFA is not enabled): ")
    child.sendline("")
    output, status = finish(child)
    assert status == 0, output


def test_the_first_use_of_the_file_store_explains_the_passphrase(sandbox):
    child = spawn(sandbox, "add", "first", "--region", "eu-west-1", "--mfa-serial", SERIAL,
                  VAULT_FILE_PASSPHRASE=None)
    answer_keys(child)
    child.expect_exact("New passphrase for the vault file store in ")
    explained = ANSI.sub("", child.before).replace("\r", "")
    paragraph = " ".join(explained.split())
    assert "vault keeps your AWS keys in its file store" in paragraph, explained
    assert "twice" in paragraph and "VAULT_FILE_PASSPHRASE" in paragraph, explained
    child.expect_exact(": ")
    child.sendline(PASSPHRASE)
    child.expect_exact("Repeat the passphrase: ")
    child.sendline(PASSPHRASE)
    output, status = finish(child)
    assert status == 0, output
    assert PASSPHRASE not in output, output
    assert stored(sandbox) == "first"
    # The store exists now: the next use asks once, with no explanation.
    child = spawn(sandbox, "exec", "first", "--no-session", "--", "true",
                  VAULT_FILE_PASSPHRASE=None)
    child.expect_exact("Passphrase for the vault file store in ")
    assert "file store," not in child.before, child.before
    child.expect_exact(": ")
    child.sendline(PASSPHRASE)
    output, status = finish(child)
    assert status == 0, output


def test_a_new_passphrase_typed_differently_twice_is_asked_again(sandbox):
    child = spawn(sandbox, "add", "typo", "--region", "eu-west-1", "--mfa-serial", SERIAL,
                  VAULT_FILE_PASSPHRASE=None)
    answer_keys(child)
    child.expect_exact("New passphrase for the vault file store in ")
    child.expect_exact(": ")
    child.sendline("first try")
    child.expect_exact("Repeat the passphrase: ")
    child.sendline("first tyr")
    child.expect_exact("The two passphrases differ; choose it again.")
    child.expect_exact("New passphrase for the vault file store in ")
    child.expect_exact(": ")
    child.sendline(PASSPHRASE)
    child.expect_exact("Repeat the passphrase: ")
    child.sendline(PASSPHRASE)
    output, status = finish(child)
    assert status == 0, output
    assert sandbox.run_vault("exec", "typo", "--no-session", "--", "true").returncode == 0


def test_a_wrong_passphrase_gets_three_tries(sandbox):
    sandbox.add("locked", "[profile locked]\nregion = eu-west-1\n")
    child = spawn(sandbox, "exec", "locked", "--no-session", "--", "true",
                  VAULT_FILE_PASSPHRASE=None)
    for left in ["2 more tries", "1 more try"]:
        child.expect_exact("Passphrase for the vault file store in ")
        child.expect_exact(": ")
        child.sendline("not it")
        child.expect_exact(f"Wrong passphrase; {left}.")
    child.expect_exact("Passphrase for the vault file store in ")
    child.expect_exact(": ")
    child.sendline(PASSPHRASE)
    output, status = finish(child)
    assert status == 0, output

    child = spawn(sandbox, "exec", "locked", "--no-session", "--", "true",
                  VAULT_FILE_PASSPHRASE=None)
    for _ in range(3):
        child.expect_exact("Passphrase for the vault file store in ")
        child.expect_exact(": ")
        child.sendline("still not it")
    output, status = finish(child)
    assert status == 1, output
    errors = [line for line in output.splitlines() if line.startswith("vault:")]
    assert len(errors) == 1 and "wrong passphrase" in errors[0], output
    assert "still not it" not in output, output


def assert_cancelled(child: pexpect.spawn):
    child.sendcontrol("c")
    output, status = finish(child)
    assert status == 130, output
    lines = [line for line in output.splitlines() if line.startswith("vault:")]
    assert lines == ["vault: cancelled (Ctrl-C)"], output
    assert "--env" not in output and "VAULT_FILE_PASSPHRASE" not in output, output


def test_ctrl_c_at_the_region_question_stores_nothing(sandbox):
    child = spawn(sandbox, "add", "halfway")
    answer_keys(child)
    child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    child.send("eu-we")
    assert_cancelled(child)
    assert stored(sandbox) == ""
    assert not sandbox.config.exists() or "halfway" not in sandbox.config.read_text()


def test_ctrl_c_at_the_mfa_device_question_stores_nothing(sandbox):
    child = spawn(sandbox, "add", "halfway")
    answer_keys(child)
    child.expect_exact("Region (e.g. eu-west-1; blank to skip): ")
    child.sendline("eu-west-1")
    child.expect_exact("MFA device ARN (blank if MFA is not enabled): ")
    assert_cancelled(child)
    assert stored(sandbox) == ""


def test_ctrl_c_at_the_access_key_id_question(sandbox):
    child = spawn(sandbox, "add", "halfway")
    child.expect_exact("Enter Access Key ID: ")
    assert_cancelled(child)


def test_ctrl_c_at_the_new_passphrase_after_the_explanation(sandbox):
    child = spawn(sandbox, "add", "halfway", "--region", "eu-west-1", "--mfa-serial", SERIAL,
                  VAULT_FILE_PASSPHRASE=None)
    answer_keys(child)
    child.expect_exact("New passphrase for the vault file store in ")
    child.expect_exact(": ")
    child.send("half a pass")
    assert_cancelled(child)
