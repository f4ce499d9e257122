"""Ctrl-C while `vault exec` waits for its child: the child decides, vault stays and exits with
the child's code. Wine turns SIGINT into the console's Ctrl-C event for the process."""
import signal
import subprocess
import time

import pytest

from conftest import LIMIT


@pytest.mark.parametrize("mode", [[], ["--server"]], ids=["exec", "server"])
def test_ctrl_c_leaves_vault_waiting_for_the_child(windows, mode):
    profile = "console-ctrl-c" + "".join(mode)
    windows.add(profile)
    started = windows.root / "started.txt"
    child = windows.script(
        "child.cmd", f'echo started>"{windows.win(started)}"\nset /p line=\nexit /b 3'
    )
    proc = subprocess.Popen(
        windows.command("exec", *mode, profile, "--", "cmd.exe", "/C", windows.win(child)),
        env=windows.env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=windows.root,
        # A background job's SIGINT is ignored; Wine must see the default to deliver it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.time() + LIMIT
        while not started.exists():
            assert proc.poll() is None, proc.stderr.read()
            assert time.time() < deadline, "the child never started"
            time.sleep(0.1)
        proc.send_signal(signal.SIGINT)
        # Without the handler vault dies of it within moments; with it, it keeps waiting.
        # (A vault that dies later than this would pass unnoticed; none passes wrongly.)
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
        proc.stdin.write("go on\r\n")
        proc.stdin.close()
        assert proc.wait(timeout=LIMIT) == 3, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
