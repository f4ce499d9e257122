"""`vault exec` on Windows: the child's environment and exit code, the shell started with no
command, roles and chains, CRLF config files."""
from conftest import ACCESS_KEY, env_lines

ROLE_CONFIG = """
[profile exec-base]
region = eu-west-1

[profile exec-role]
source_profile = exec-base
role_arn = arn:aws:iam::123456789012:role/first

[profile exec-chain]
source_profile = exec-role
role_arn = arn:aws:iam::123456789012:role/second
"""


def test_exec_gives_the_child_session_credentials_and_its_exit_code(windows):
    windows.add("exec-env")
    out = windows.ok("exec", "exec-env", "--", "cmd.exe", "/C", "set", "AWS_")
    env = env_lines(out.stdout)
    assert env["AWS_VAULT"] == "exec-env"
    # A session's keys (moto's), not the stored ones.
    assert env["AWS_ACCESS_KEY_ID"] != ACCESS_KEY, env
    assert env["AWS_SESSION_TOKEN"]
    assert "AWS_CREDENTIAL_EXPIRATION" in env
    failed = windows.run("exec", "exec-env", "--", "cmd.exe", "/C", "exit", "7")
    assert failed.returncode == 7, failed.stderr
    plain = env_lines(
        windows.ok("exec", "exec-env", "--no-session", "--", "cmd.exe", "/C", "set", "AWS_").stdout
    )
    assert plain["AWS_ACCESS_KEY_ID"] == ACCESS_KEY


def test_exec_without_a_command_starts_comspec(windows):
    windows.add("exec-shell")
    # Git Bash exports a POSIX $SHELL that Windows cannot start: cmd.exe (%COMSPEC%) runs
    # instead, reading its commands from stdin here.
    for shell in [None, "/usr/bin/bash-not-here", r"C:\no\such\shell.exe"]:
        out = windows.run(
            "exec", "exec-shell", input="echo in=%AWS_VAULT% & exit 5\r\n", SHELL=shell
        )
        assert out.returncode == 5, (shell, out.stderr)
        assert "in=exec-shell" in out.stdout, (shell, out.stdout)


def test_exec_without_a_command_uses_shell_when_it_exists(windows):
    windows.add("exec-shell-set")
    helper = windows.script("my shell.cmd", "echo custom shell for %AWS_VAULT%\nexit /b 3")
    # By its full path, and by a name found on PATH without its extension.
    out = windows.run("exec", "exec-shell-set", SHELL=windows.win(helper))
    assert out.returncode == 3, out.stderr
    assert "custom shell for exec-shell-set" in out.stdout
    out = windows.run(
        "exec", "exec-shell-set", SHELL="my shell", WINEPATH=windows.win(windows.root)
    )
    assert out.returncode == 3, out.stderr
    assert "custom shell for exec-shell-set" in out.stdout


def test_roles_and_chains(windows):
    windows.write_config(ROLE_CONFIG)
    windows.add("exec-base")
    for profile, role in [("exec-role", "first"), ("exec-chain", "second")]:
        out = windows.ok("exec", profile, "--", "cmd.exe", "/C", "set", "AWS_")
        env = env_lines(out.stdout)
        assert env["AWS_VAULT"] == profile
        assert env["AWS_REGION"] == "eu-west-1"
        assert env["AWS_ACCESS_KEY_ID"] != ACCESS_KEY
        assert env["AWS_SESSION_TOKEN"]
        exported = windows.ok("export", profile, "--format", "json").stdout
        assert '"AccessKeyId"' in exported
    debug = windows.ok("--debug", "exec", "exec-chain", "--", "cmd.exe", "/C", "exit", "0")
    assert "2 step(s)" in debug.stderr, debug.stderr


def test_config_written_with_crlf_line_ends(windows):
    windows.write_config(
        "[profile crlf-base]\nregion = ap-south-1\n\n"
        "[profile crlf-role]\nsource_profile = crlf-base\n"
        "role_arn = arn:aws:iam::123456789012:role/crlf\n",
        newline="\r\n",
    )
    windows.add("crlf-base")
    env = env_lines(windows.ok("exec", "crlf-role", "--", "cmd.exe", "/C", "set", "AWS_").stdout)
    assert env["AWS_REGION"] == "ap-south-1"
    assert env["AWS_VAULT"] == "crlf-role"


def test_default_config_is_under_userprofile(windows):
    aws = windows.profile_dir / ".aws"
    aws.mkdir(parents=True, exist_ok=True)
    with open(aws / "config", "a", newline="") as f:
        f.write("[profile home-config]\r\nregion = sa-east-1\r\n")
    windows.add("home-config", AWS_CONFIG_FILE=None)
    env = env_lines(
        windows.ok(
            "exec", "home-config", "--", "cmd.exe", "/C", "set", "AWS_", AWS_CONFIG_FILE=None
        ).stdout
    )
    assert env["AWS_REGION"] == "sa-east-1"
