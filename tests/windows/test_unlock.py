"""The file store's remembered unlock on Windows: the derived key in a Credential Manager
entry for the logon session, with the same expiry rule and `vault lock` as on Linux."""
import time

from conftest import ACCESS_KEY, PASSPHRASE, base_env, env_lines, logoff, logon


def file_env(windows, ttl):
    return dict(
        VAULT_BACKEND="file",
        VAULT_FILE_DIR=windows.win(windows.root / "keys"),
        VAULT_FILE_PASSPHRASE=PASSPHRASE,
        VAULT_FILE_UNLOCK_TTL=ttl,
    )


def without_passphrase(env):
    return {**env, "VAULT_FILE_PASSPHRASE": None}


def test_an_unlock_is_remembered_until_vault_lock(windows):
    env = file_env(windows, "15m")
    windows.add("unlock-kept", **env)
    # No passphrase and no console to ask on: only the remembered key opens the store.
    out = windows.ok("--debug", "export", "unlock-kept", "--no-session", **without_passphrase(env))
    assert env_lines(out.stdout)["AWS_ACCESS_KEY_ID"] == ACCESS_KEY
    assert "unlocked by the Credential Manager (logon session)" in out.stderr, out.stderr
    # The entry is the cache's, not a profile: `vault list` on Credential Manager does not show it.
    assert "file-unlock" not in windows.ok("list").stdout
    locked = windows.ok("lock", **env)
    assert "Locked the file store" in locked.stderr + locked.stdout
    again = windows.run("export", "unlock-kept", "--no-session", **without_passphrase(env))
    assert again.returncode != 0, again.stdout


def test_nothing_is_remembered_when_turned_off(windows):
    env = file_env(windows, "0")
    windows.add("unlock-off", **env)
    out = windows.run("export", "unlock-off", "--no-session", **without_passphrase(env))
    assert out.returncode != 0, out.stdout
    locked = windows.ok("lock", **env)
    assert "was not unlocked" in locked.stderr + locked.stdout


def test_the_remembered_key_expires(windows):
    env = file_env(windows, "1s")
    windows.add("unlock-expiry", **env)
    # The deadline is one second after the unlock; waiting past it needs no timing margin.
    time.sleep(2.5)
    out = windows.run("export", "unlock-expiry", "--no-session", **without_passphrase(env))
    assert out.returncode != 0, out.stdout


def test_the_remembered_key_is_gone_at_logoff(windows):
    env = file_env(windows, "15m")
    windows.add("unlock-logoff", **env)
    windows.ok("export", "unlock-logoff", "--no-session", **without_passphrase(env))
    # Under Wine the wineserver is the logon session: ending it is logging off.
    logoff(base_env(windows.prefix))
    logon(base_env(windows.prefix))
    out = windows.run("export", "unlock-logoff", "--no-session", **without_passphrase(env))
    assert out.returncode != 0, out.stdout
