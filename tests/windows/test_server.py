"""`vault exec --server` on Windows: the child's credential endpoint answers a client holding
the token and refuses one without it."""
import json
import subprocess
import time
import urllib.error
import urllib.request

from conftest import ACCESS_KEY, LIMIT, env_lines


def test_server_answers_with_the_token_and_refuses_without(windows):
    windows.add("server-p")
    env_file = windows.root / "child env.txt"
    # The child writes its environment, then waits for a line on stdin while the test calls
    # the endpoint from outside Wine (the server listens on the real loopback).
    child = windows.script(
        "child.cmd", f'set AWS_>"{windows.win(env_file)}"\nset /p line=\nexit /b 0'
    )
    proc = subprocess.Popen(
        windows.command("exec", "--server", "server-p", "--", "cmd.exe", "/C", windows.win(child)),
        env=windows.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=windows.root,
    )
    try:
        deadline = time.time() + LIMIT
        while not (env_file.exists() and "AWS_CONTAINER" in env_file.read_text(errors="replace")):
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline, "the child never started"
            time.sleep(0.1)
        time.sleep(0.2)
        env = env_lines(env_file.read_text())
        uri = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
        token = env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]
        assert uri.startswith("http://127.0.0.1:"), uri
        assert "AWS_ACCESS_KEY_ID" not in env

        request = urllib.request.Request(uri, headers={"Authorization": token})
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.load(response)
        assert body["AccessKeyId"] != ACCESS_KEY
        assert body["Token"]
        for headers in [{}, {"Authorization": token[:-1] + ("A" if token[-1] != "A" else "B")}]:
            try:
                urllib.request.urlopen(urllib.request.Request(uri, headers=headers), timeout=30)
                raise AssertionError(f"answered without the token: {headers}")
            except urllib.error.HTTPError as refused:
                assert refused.code in (401, 403), refused.code
        proc.stdin.write("done\r\n")
        proc.stdin.close()
        assert proc.wait(timeout=LIMIT) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
