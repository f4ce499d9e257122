"""Helpers the config names run through `cmd.exe /C` on Windows, as the AWS SDKs run them:
credential_process and mfa_process, in folders with spaces, with quoted arguments."""
import subprocess
from concurrent.futures import ThreadPoolExecutor

from conftest import LIMIT, env_lines

HELPER_KEY = "AKIAWINEHELPER000001"


def test_credential_process_in_a_folder_with_spaces_and_a_quoted_argument(windows):
    helper = windows.script(
        "helpers dir/cred helper.cmd",
        # The one argument, spaces and all, made a token (which may hold no space).
        'set "token=%%~1"\n'
        'echo {"Version": 1, "AccessKeyId": "%s", "SecretAccessKey": "s3cret",'
        ' "SessionToken": "%%token: =_%%"}' % HELPER_KEY,
    )
    windows.write_config(
        "[profile helper-cp]\n"
        f'credential_process = "{windows.win(helper)}" "token with spaces"\n'
    )
    env = env_lines(windows.ok("export", "helper-cp").stdout)
    assert env["AWS_ACCESS_KEY_ID"] == HELPER_KEY
    assert env["AWS_SESSION_TOKEN"] == "token_with_spaces"


def test_credential_process_failure_and_endless_output(windows):
    failing = windows.script("fail.cmd", "echo helper says no 1>&2\nexit /b 4")
    endless = windows.script("endless.cmd", ":again\necho %RANDOM%%RANDOM%%RANDOM%\ngoto again")
    windows.write_config(
        f'[profile helper-fail]\ncredential_process = "{windows.win(failing)}"\n'
        f'[profile helper-endless]\ncredential_process = "{windows.win(endless)}"\n'
    )
    out = windows.run("export", "helper-fail")
    assert out.returncode != 0
    assert "helper says no" in out.stderr
    assert "failed" in out.stderr
    out = windows.run("export", "helper-endless")
    assert out.returncode != 0
    assert "exceeded 1048576 bytes" in out.stderr, out.stderr


def test_mfa_process_asked_once_by_four_parallel_execs(windows):
    count = windows.root / "mfa runs.txt"
    helper = windows.script(
        "mfa dir/mfa helper.cmd",
        f'echo run>>"{windows.win(count)}"\nping -n 2 127.0.0.1 >nul\necho 123456',
    )
    windows.write_config(
        "[profile helper-mfa]\n"
        "mfa_serial = arn:aws:iam::123456789012:mfa/will\n"
        f'mfa_process = "{windows.win(helper)}"\n'
    )
    windows.add("helper-mfa")

    def one(_):
        return subprocess.run(
            windows.command("exec", "helper-mfa", "--", "cmd.exe", "/C", "set", "AWS_VAULT"),
            env=windows.env(),
            capture_output=True,
            text=True,
            timeout=LIMIT,
            cwd=windows.root,
        )

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    for out in results:
        assert out.returncode == 0, out.stderr
        assert "AWS_VAULT=helper-mfa" in out.stdout
    runs = count.read_text().split()
    assert runs == ["run"], f"mfa_process ran {len(runs)} times"
