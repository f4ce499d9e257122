"""The stores of the Windows build: Credential Manager (the default) and the file store."""
from conftest import ACCESS_KEY, PASSPHRASE, env_lines


def test_add_list_remove_in_credential_manager(windows):
    windows.add("store-cm")
    listed = windows.ok("list").stdout
    assert "wincred (Windows Credential Manager)" in listed
    row = next(line for line in listed.splitlines() if line.startswith("store-cm "))
    assert "stored" in row, listed
    # The keys are in Credential Manager: a no-session export reads them back.
    exported = env_lines(windows.ok("export", "store-cm", "--no-session").stdout)
    assert exported["AWS_ACCESS_KEY_ID"] == ACCESS_KEY
    windows.ok("remove", "store-cm", "-f")
    row = next(
        (line for line in windows.ok("list").stdout.splitlines() if line.startswith("store-cm ")),
        "",
    )
    assert "stored" not in row
    gone = windows.run("export", "store-cm", "--no-session")
    assert gone.returncode != 0


def test_credential_manager_is_the_default_store(windows):
    windows.add("store-default", VAULT_BACKEND=None)
    assert "wincred (Windows Credential Manager)" in windows.ok(
        "list", VAULT_BACKEND=None
    ).stdout


def test_file_store_and_a_wrong_passphrase_in_one_line(windows):
    keys = windows.root / "keys"
    file_env = dict(
        VAULT_BACKEND="file",
        VAULT_FILE_DIR=windows.win(keys),
        VAULT_FILE_PASSPHRASE=PASSPHRASE,
        VAULT_FILE_UNLOCK_TTL="0",
    )
    windows.add("store-file", **file_env)
    assert any(keys.iterdir()), "the file store wrote nothing in its folder"
    exported = env_lines(windows.ok("export", "store-file", **file_env).stdout)
    assert exported["AWS_ACCESS_KEY_ID"] != ACCESS_KEY and exported["AWS_SESSION_TOKEN"]
    wrong = windows.run("export", "store-file", **{**file_env, "VAULT_FILE_PASSPHRASE": "nope"})
    assert wrong.returncode != 0
    lines = wrong.stderr.strip().splitlines()
    assert len(lines) == 1, wrong.stderr
    assert "wrong passphrase" in lines[0]
    assert wrong.stdout == ""
