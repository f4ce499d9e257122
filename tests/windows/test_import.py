"""`vault import-aws-vault` reading aws-vault's items in the Windows Credential Manager.

tests/windows/credwrite.c (built by scripts/test-windows.sh) writes generic credentials as
aws-vault's keyring library does: target `aws-vault:aws-vault:NAME`, no user name, the JSON
aws-vault stores as the blob. Each test uses its own profile names and deletes what it wrote,
as the Credential Manager of a worker's Wine prefix is shared by its tests.
"""
import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from conftest import LIMIT, ROOT, env_lines

CREDWRITE = Path(
    os.environ.get("VAULT_WINE_CREDWRITE", ROOT / "target/wine-shim/credwrite.exe")
)
PREFIX = "aws-vault:aws-vault:"

WILL = ("AKIAIMPORTWINE000001", "importWineSecret/0001+abcdefghijklmnopq")
WORK = ("AKIAIMPORTWINE000002", "importWineSecret/0002+abcdefghijklmnopq")
LOOSE = ("AKIAIMPORTWINE000003", "importWineSecret/0003+abcdefghijklmnopq")


def keys_json(keys, sdk="v2") -> bytes:
    """What aws-vault's `add` stores: aws-sdk-go-v2's aws.Credentials as JSON (v1 for items
    older releases wrote)."""
    access, secret = keys
    if sdk == "v1":
        value = {"AccessKeyID": access, "SecretAccessKey": secret, "SessionToken": "",
                 "ProviderName": ""}
    else:
        value = {"AccessKeyID": access, "SecretAccessKey": secret, "SessionToken": "",
                 "Source": "", "CanExpire": False, "Expires": "0001-01-01T00:00:00Z",
                 "AccountID": ""}
    return json.dumps(value, separators=(",", ":")).encode()


def session_json() -> bytes:
    """What aws-vault caches for a session: STS's Credentials as JSON."""
    return json.dumps({
        "AccessKeyId": "ASIAIMPORTWINESESS01", "Expiration": "2099-01-01T00:00:00Z",
        "SecretAccessKey": "sessionSecretNeverImported", "SessionToken": "sessionTokenValue",
    }).encode()


def session_name(profile: str) -> str:
    encoded = base64.urlsafe_b64encode(profile.encode()).decode().rstrip("=")
    return f"sts.GetSessionToken,{encoded},,4070908800"


class AwsVaultItems:
    """aws-vault's generic credentials in the prefix's Credential Manager."""

    def __init__(self, windows):
        assert CREDWRITE.exists(), f"{CREDWRITE} missing: run scripts/test-windows.sh"
        self.windows = windows
        self.written = []

    def _run(self, *args) -> subprocess.CompletedProcess:
        out = subprocess.run(
            [self.windows.wine, str(CREDWRITE), *args], env=self.windows.env(),
            capture_output=True, timeout=LIMIT,
        )
        assert out.returncode == 0, out.stderr.decode(errors="replace")
        return out

    def write(self, name: str, blob: bytes):
        path = self.windows.root / f"blob{len(self.written)}"
        path.write_bytes(blob)
        self._run("write", PREFIX + name, self.windows.win(path))
        self.written.append(name)

    def listing(self) -> dict:
        """Every aws-vault credential: target name -> (user name, blob)."""
        out = self._run("list", PREFIX + "*").stdout.decode()
        items = {}
        for line in out.splitlines():
            target, user, blob = line.rstrip("\r").split("\t")
            items[target] = (user, bytes.fromhex(blob))
        return items

    def remove_all(self):
        for name in self.written:
            subprocess.run(
                [self.windows.wine, str(CREDWRITE), "delete", PREFIX + name],
                env=self.windows.env(), capture_output=True, timeout=LIMIT,
            )


@pytest.fixture
def aws_vault(windows):
    items = AwsVaultItems(windows)
    yield items
    items.remove_all()


def exec_keys(windows, profile: str) -> dict:
    out = windows.ok("exec", profile, "--no-session", "--", "cmd.exe", "/C", "set", "AWS_")
    return env_lines(out.stdout)


def one_line_error(out) -> str:
    assert out.returncode != 0, out.stdout
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_credential_manager_items_are_imported_and_left_in_place(windows, aws_vault):
    windows.write_config(
        "[profile imp-will]\nregion = eu-west-1\n[profile imp-work]\n[profile imp-none]\n"
    )
    aws_vault.write("imp-will", keys_json(WILL))
    aws_vault.write("imp-work", keys_json(WORK, sdk="v1"))
    aws_vault.write("imp-loose", keys_json(LOOSE))
    aws_vault.write(session_name("imp-will"), session_json())
    aws_vault.write("oidc:https://imp.awsapps.com/start", b'{"AccessToken":"ssoTokenValue"}')
    before = aws_vault.listing()
    assert before[PREFIX + "imp-will"] == ("", keys_json(WILL)), before

    # No --from: Credential Manager is where aws-vault keeps its items on Windows.
    out = windows.run("import-aws-vault", AWS_VAULT_BACKEND=None)
    assert out.returncode == 0, out.stderr
    report = out.stdout
    assert "Importing from aws-vault's items in the Windows Credential Manager" in report
    assert "imp-will: imported AKIA…0001" in report, report
    assert "imp-work: imported AKIA…0002" in report, report
    assert "'imp-loose'" in report, f"named as not in the config: {report}"
    assert "imp-none" not in report, report
    for secret in (WILL[1], WORK[1], LOOSE[1], "sessionSecretNeverImported", "ssoTokenValue"):
        assert secret not in report + out.stderr
    assert "GetSessionToken" not in report and "oidc:" not in report, report
    assert aws_vault.listing() == before, "aws-vault's items must not change"

    # vault's own items: `list` shows the keys, `exec` uses them (and makes a session with them).
    listed = windows.ok("list").stdout
    for profile in ("imp-will", "imp-work"):
        row = next(line for line in listed.splitlines() if line.startswith(profile + " "))
        assert "stored" in row, listed
    env = exec_keys(windows, "imp-will")
    assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == WILL
    assert exec_keys(windows, "imp-work")["AWS_ACCESS_KEY_ID"] == WORK[0]
    session = env_lines(
        windows.ok("exec", "imp-will", "--", "cmd.exe", "/C", "set", "AWS_").stdout
    )
    assert session["AWS_SESSION_TOKEN"] and session["AWS_ACCESS_KEY_ID"] != WILL[0]

    # A profile outside the config is imported when named; --from wincred names the store.
    out = windows.run("import-aws-vault", "--from", "wincred", "imp-loose")
    assert out.returncode == 0, out.stderr
    assert "imp-loose: imported AKIA…0003" in out.stdout, out.stdout
    assert exec_keys(windows, "imp-loose")["AWS_ACCESS_KEY_ID"] == LOOSE[0]

    # Keys vault already has are kept unless --force.
    aws_vault.write("imp-will", keys_json(LOOSE))
    out = windows.ok("import-aws-vault", "imp-will")
    assert "imp-will: kept the keys vault already has (a different key" in out.stdout
    assert exec_keys(windows, "imp-will")["AWS_ACCESS_KEY_ID"] == WILL[0]
    windows.ok("import-aws-vault", "imp-will", "--force")
    assert exec_keys(windows, "imp-will")["AWS_ACCESS_KEY_ID"] == LOOSE[0]


def test_a_session_item_and_a_damaged_item_are_refused_the_others_imported(
    windows, aws_vault
):
    windows.write_config("[profile imp-ok]\n[profile imp-temp]\n[profile imp-broken]\n")
    aws_vault.write("imp-ok", keys_json(WILL))
    # An item under a profile's name that holds temporary credentials, not long-term keys.
    temp = json.loads(keys_json(WORK))
    temp.update(AccessKeyID="ASIAIMPORTWINETEMP01", SessionToken="tempSessionTokenValue")
    aws_vault.write("imp-temp", json.dumps(temp).encode())
    # A damaged item: its JSON cut short.
    aws_vault.write("imp-broken", keys_json(LOOSE)[:30])

    out = windows.run("import-aws-vault", "--from", "wincred")
    line = one_line_error(out)
    assert "2 of 3 profile(s) could not be imported: " in line, line
    assert "'imp-temp'" in line and "'imp-broken'" in line and "'imp-ok'" not in line, line
    report = out.stdout
    assert "imp-ok: imported AKIA…0001" in report, report
    assert (
        "imp-temp: cannot read its item: it holds temporary credentials (a session token), "
        "not long-term keys" in report
    ), report
    assert "imp-broken: cannot read its item: the item is not the JSON aws-vault writes" \
        in report, report
    for secret in (WORK[1], "tempSessionTokenValue"):
        assert secret not in report + out.stderr, secret
    assert exec_keys(windows, "imp-ok")["AWS_ACCESS_KEY_ID"] == WILL[0]
    for profile in ("imp-temp", "imp-broken"):
        row = next(
            (line for line in windows.ok("list").stdout.splitlines()
             if line.startswith(profile + " ")),
            "",
        )
        assert "stored" not in row, row

    # A named profile aws-vault has no item for.
    out = windows.run("import-aws-vault", "imp-absent")
    assert "1 of 1 profile(s) could not be imported: 'imp-absent'" in one_line_error(out)
    assert "imp-absent: aws-vault has no keys for it" in out.stdout, out.stdout


def test_without_aws_vault_items_the_error_says_where_it_looked(windows, aws_vault):
    windows.write_config("[profile imp-nothing]\n")
    out = windows.run(
        "import-aws-vault", AWS_VAULT_BACKEND=None,
        AWS_VAULT_FILE_DIR=windows.win(windows.root / "no-keys"),
    )
    line = one_line_error(out)
    assert "found no aws-vault store" in line, line
    assert "no aws-vault items in the Windows Credential Manager" in line, line
    assert "no folder " + windows.win(windows.root / "no-keys") in line, line
    assert "not supported" not in line, line
    # aws-vault's default folder, shown with Windows' separators.
    out = windows.run("import-aws-vault", AWS_VAULT_BACKEND=None, AWS_VAULT_FILE_DIR=None)
    assert "\\.awsvault\\keys " in one_line_error(out), out.stderr
    # Named, the store has none of the config's profiles.
    out = windows.run("import-aws-vault", "--from", "wincred")
    line = one_line_error(out)
    assert "has keys for none of the profiles" in line, line
