"""Attacks on the trust model and on the state variable, through the real binary.

Part 1: a `.awsvault` from a cloned repository (or any folder you do not control) activates only
after `vault allow`, and never again after it is edited, replaced (symlink, hard link, fifo,
folder), moved, or denied. Each prompt is `vault hook-env bash` with $PWD set, its output applied
by a real bash, exactly as the glue does; a few cases also run the real glue in an interactive bash.

Part 2: `__VAULT_STATE` is user-writable. Garbage or crafted values (base64url JSON naming PATH,
LD_PRELOAD, PROMPT_COMMAND... or paths) must never make vault export, unset or restore anything
but the variables it manages (README "What is exported"), `__VAULT_STATE` and the glue's
`__vault_w_*`. Checked in bash, zsh, fish and nu (run for real) and PowerShell (parsed).
"""
import base64
import hashlib
import json
import os
import random
import subprocess
from pathlib import Path

import pytest

from conftest import ACCESS_KEY, require
from shell_driver import MANAGED, Shell, shquote

PROFILES = """
[profile dev]
region = eu-west-1

[profile ops]
region = ap-northeast-1
"""

STATE = "__VAULT_STATE"
# What the glue's environment holds besides the managed variables: values that must survive.
SENTINELS = {
    "LD_PRELOAD": "/sentinel/ld.so",
    "PROMPT_COMMAND": "sentinel_prompt",
    "BASH_ENV": "/sentinel/bash_env",
    "PYTHONPATH": "/sentinel/py",
    "AWS_CONFIG_FILE_SENTINEL": "keep",
    "HOMEISH": "/sentinel/home",
    "ZDOTDIR": "/sentinel/zdot",
}
DUMP = r"""
for n in %s; do
  if [[ -n ${!n+x} ]]; then printf 'S\t%%s\t%%s\0' "$n" "${!n}"; else printf 'U\t%%s\0' "$n"; fi
done
"""


@pytest.fixture
def user(sandbox):
    sandbox.add("dev", PROFILES)
    sandbox.add("ops")
    return sandbox


class Prompts:
    """A shell without glue: each `prompt(dir)` runs `vault hook-env bash` in `dir` with the
    variables held so far, and applies what it prints in a real bash (as `eval` in the glue)."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.vars = {"AWS_REGION": "us-west-2", "AWS_PROFILE": "mine"}
        self.bash = require("bash")
        self.messages = []

    def prompt(self, folder) -> dict:
        folder = str(folder)
        env = self.sandbox.env(PWD=folder, **{k: v for k, v in self.vars.items() if k in MANAGED + [STATE]})
        out = subprocess.run(
            [self.sandbox.vault, "hook-env", "bash"], env=env, cwd=folder, capture_output=True,
            timeout=60,
        )
        assert out.returncode == 0, out.stderr
        self.messages = [l for l in out.stderr.decode().splitlines() if l]
        names = MANAGED + [STATE]
        # The watch record holds file bytes as they are (not always UTF-8): keep bytes.
        script = "".join(
            f"export {k}={shquote(v)}\n" for k, v in self.vars.items() if k in names
        ).encode() + out.stdout + ("\n" + DUMP % " ".join(names)).encode()
        done = subprocess.run([self.bash, "--norc", "--noprofile", "-c", script],
                              env={"PATH": os.environ["PATH"]}, capture_output=True, timeout=30)
        assert done.returncode == 0, done.stderr
        new = {}
        for rec in done.stdout.decode().split("\0"):
            if not rec:
                continue
            parts = rec.split("\t", 2)
            if parts[0] == "S":
                new[parts[1]] = parts[2]
        self.vars = new
        return new

    @property
    def active(self):
        return self.vars.get("AWS_VAULT")

    def said(self, *fragments) -> bool:
        return any(all(f in m for f in fragments) for m in self.messages)


def allow(sandbox, path, ok=True):
    out = sandbox.run_vault("allow", str(path))
    assert (out.returncode == 0) == ok, out.stderr
    return out


def deny(sandbox, path):
    out = sandbox.run_vault("deny", str(path))
    assert out.returncode == 0, out.stderr


def trust_dir(sandbox) -> Path:
    return sandbox.home / ".local/share/vault/trust"


def clone(sandbox, name="repo", text='profile = "dev"\n') -> Path:
    return sandbox.project(name, text)


# --- the file swapped between check and open ---------------------------------------------

def test_a_file_swapped_for_a_fifo_or_dev_zero_never_blocks_the_hook(user):
    """An attacker swaps .awsvault between a regular file and a symlink to a FIFO (or to
    /dev/zero) as fast as they can while the hook runs: vault opens what it checked without
    following links and without blocking, so every run ends; a run either refuses a link or
    non-regular file or activates the allowed profile from the regular one, nothing else."""
    import threading

    repo = clone(user, "racy")
    allow(user, repo)
    fifo = user.root / "fifo"
    os.mkfifo(fifo)
    regular = repo / ".regular"
    regular.write_text('profile = "dev"\n')
    links = []
    for i, target in enumerate([fifo, Path("/dev/zero")]):
        link = repo / f".link{i}"
        link.symlink_to(target)
        links.append(link)
    stop = threading.Event()

    def swap():
        i = 0
        while not stop.is_set():
            i += 1
            source = links[i % 2] if i % 3 else regular
            tmp = repo / f".tmp{i}"
            try:
                if source is regular:
                    tmp.write_text('profile = "dev"\n')
                else:
                    tmp.symlink_to(os.readlink(source))
                os.rename(tmp, repo / ".awsvault")
            except OSError:
                pass

    swapper = threading.Thread(target=swap, daemon=True)
    swapper.start()
    try:
        refused = 0
        for _ in range(300):
            out = subprocess.run([user.vault, "hook-env", "bash"], env=user.env(PWD=str(repo)),
                                 cwd=repo, capture_output=True, timeout=10)
            assert out.returncode == 0, out.stderr
            assert b"AWS_ACCESS_KEY_ID" not in out.stdout or b"export AWS_VAULT='dev'" in out.stdout
            refused += b"symlink" in out.stderr or b"not a regular file" in out.stderr
    finally:
        stop.set()
        swapper.join()
    # The swaps reached the hook: some runs met a link (to the FIFO or /dev/zero).
    assert refused > 0


# --- part 1: the trust model ----------------------------------------------------------------

def test_cloned_file_never_activates_before_allow(user):
    repo = clone(user)
    p = Prompts(user)
    for _ in range(3):
        p.prompt(repo)
        assert p.active is None
    assert p.vars["AWS_PROFILE"] == "mine" and p.vars["AWS_REGION"] == "us-west-2"
    sub = repo / "a/b"
    sub.mkdir(parents=True)
    p.prompt(sub)
    assert p.active is None
    allow(user, repo)
    p.prompt(sub)
    assert p.active == "dev" and p.vars["AWS_REGION"] == "eu-west-1"
    p.prompt(user.home)
    assert p.active is None and p.vars["AWS_PROFILE"] == "mine"


def test_edit_one_byte_after_allow_revokes(user):
    repo = clone(user)
    allow(user, repo)
    p = Prompts(user)
    p.prompt(repo)
    assert p.active == "dev"
    (repo / ".awsvault").write_text('profile = "ops"\n')
    p.prompt(repo)
    assert p.active is None and p.said("changed since it was allowed")
    assert p.vars["AWS_PROFILE"] == "mine", "deactivation restores the user's values"
    # Even a change that parses to the same request (a trailing space) revokes.
    (repo / ".awsvault").write_text('profile = "dev"\n')
    p.prompt(repo)
    assert p.active == "dev"
    (repo / ".awsvault").write_text('profile = "dev" \n')
    p.prompt(repo)
    assert p.active is None


def test_replaced_by_symlink_to_an_allowed_file_elsewhere(user):
    good = clone(user, "good")
    allow(user, good)
    repo = clone(user, "repo", 'profile = "ops"\n')
    allow(user, repo)
    (repo / ".awsvault").unlink()
    (repo / ".awsvault").symlink_to(good / ".awsvault")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("symlink")
    # `vault allow` refuses the link too.
    allow(user, repo, ok=False)
    p.prompt(repo)
    assert p.active is None


def test_symlink_to_a_file_in_the_same_folder_is_refused(user):
    repo = clone(user)
    (repo / "real.toml").write_text('profile = "dev"\n')
    (repo / ".awsvault").unlink()
    (repo / ".awsvault").symlink_to("real.toml")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("symlink")


def test_moved_folder_is_a_new_file_and_moving_back_restores(user):
    repo = clone(user)
    allow(user, repo)
    moved = user.home / "elsewhere"
    repo.rename(moved)
    p = Prompts(user)
    p.prompt(moved)
    assert p.active is None and p.said("not allowed yet")
    # Renamed back: the same canonical path and the same bytes are the file that was allowed.
    moved.rename(repo)
    p.prompt(repo)
    assert p.active == "dev"


def test_renamed_parent_folder_revokes(user):
    repo = clone(user, "org/repo")
    allow(user, repo)
    (user.home / "org").rename(user.home / "org2")
    p = Prompts(user)
    p.prompt(user.home / "org2/repo")
    assert p.active is None and p.said("not allowed yet")


def test_symlinked_project_folder_is_the_real_project(user):
    repo = clone(user)
    link = user.home / "link"
    link.symlink_to(repo)
    p = Prompts(user)
    p.prompt(link)
    assert p.active is None, "not allowed via the link either"
    # Allowed through the link: recorded for the real path.
    allow(user, link)
    p.prompt(repo)
    assert p.active == "dev"
    p.prompt(user.home)
    p.prompt(link / ".")
    assert p.active == "dev"
    # Editing through the link revokes for both.
    (link / ".awsvault").write_text('profile = "ops"\n')
    p.prompt(link)
    assert p.active is None
    p.prompt(repo)
    assert p.active is None


def test_repointed_folder_symlink_to_an_identical_copy_is_not_allowed(user):
    real = clone(user, "real")
    allow(user, real)
    copy = clone(user, "copy")  # the same bytes, elsewhere
    link = user.home / "work"
    link.symlink_to(real)
    p = Prompts(user)
    p.prompt(link)
    assert p.active == "dev"
    link.unlink()
    link.symlink_to(copy)
    p.prompt(link)
    assert p.active is None and p.said("not allowed yet")


def test_untrusted_nested_file_blocks_the_allowed_parent(user):
    """The nearest file decides: a cloned sub-repository's untrusted `.awsvault` deactivates the
    parent's profile rather than being skipped (nothing of the parent's leaks into it)."""
    parent = clone(user, "mono")
    allow(user, parent)
    sub = clone(user, "mono/vendor/evil", 'profile = "ops"\n')
    p = Prompts(user)
    p.prompt(parent)
    assert p.active == "dev"
    p.prompt(sub)
    assert p.active is None and p.said("not allowed yet")
    assert p.vars["AWS_PROFILE"] == "mine"
    p.prompt(parent)
    assert p.active == "dev"


def test_forged_state_claiming_an_allowance_does_not_activate(user):
    """A state that says "active from this very file" (path and hash copied) while the file is
    not allowed: the trust records decide, so vault deactivates and restores the user's values."""
    repo = clone(user)
    path = repo.resolve() / ".awsvault"
    # The trust hash: SHA-256 of the canonical path, a NUL, and the content.
    digest = hashlib.sha256(str(path).encode() + b"\0" + path.read_bytes()).hexdigest()
    forged = b64({
        "a": {"p": "dev", "w": {"f": {"path": str(path), "hash": digest}}, "e": 4102444800},
        "s": [["AWS_PROFILE", "mine"], ["AWS_REGION", "us-west-2"]],
    })
    p = Prompts(user)
    p.vars.update({STATE: forged, "AWS_VAULT": "dev", "AWS_ACCESS_KEY_ID": "AKIAFORGED"})
    p.prompt(repo)
    assert p.active is None and "AWS_ACCESS_KEY_ID" not in p.vars
    assert p.vars["AWS_PROFILE"] == "mine"


def test_awsvault_folder_is_not_a_project_file(user):
    # aws-vault's file store lives in ~/.awsvault/: never read as a project file.
    store = user.home / ".awsvault"
    (store / "keys").mkdir(parents=True)
    (store / "keys" / "profile").write_text('profile = "dev"\n')
    p = Prompts(user)
    p.prompt(user.home)
    assert p.active is None and p.messages == []
    inner = clone(user, "proj")
    inner_dir = inner / ".awsvault"
    inner_dir.unlink()
    inner_dir.mkdir()
    p.prompt(inner)
    assert p.active is None and p.messages == []
    allow(user, inner, ok=False)


def test_awsvault_folder_falls_through_to_an_allowed_parent(user):
    parent = clone(user, "parent")
    allow(user, parent)
    child = parent / "child"
    (child / ".awsvault").mkdir(parents=True)
    p = Prompts(user)
    p.prompt(child)
    assert p.active == "dev"


def test_deny_after_allow_wins(user):
    repo = clone(user)
    allow(user, repo)
    p = Prompts(user)
    p.prompt(repo)
    assert p.active == "dev"
    deny(user, repo)
    p.prompt(repo)
    assert p.active is None and p.said("denied")
    assert p.vars["AWS_PROFILE"] == "mine"
    # Denied whatever the content.
    (repo / ".awsvault").write_text('profile = "ops"\n')
    p.prompt(repo)
    assert p.active is None and p.said("denied")


def test_allow_after_deny_lifts_it(user):
    repo = clone(user)
    deny(user, repo)
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None
    allow(user, repo)
    p.prompt(repo)
    assert p.active == "dev"


def test_planted_deny_record_wins_over_allow(user):
    repo = clone(user)
    allow(user, repo)
    allow_dir = trust_dir(user) / "allow"
    (key,) = [f.name for f in allow_dir.iterdir() if not f.name.startswith(".")]
    (trust_dir(user) / "deny").mkdir(exist_ok=True)
    (trust_dir(user) / "deny" / key).write_text("anything")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("denied")


def test_oversized_file_is_refused(user):
    repo = clone(user, "big", 'profile = "dev"\n' + "#" * 5000 + "\n")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("larger than 4095")
    allow(user, repo, ok=False)
    p.prompt(repo)
    assert p.active is None
    # Exactly at the limit is fine (4095: one below the 4096-byte block a shell reads).
    text = 'profile = "dev"\n#'
    (repo / ".awsvault").write_text(text + "x" * (4095 - len(text) - 1) + "\n")
    assert (repo / ".awsvault").stat().st_size == 4095
    allow(user, repo)
    p.prompt(repo)
    assert p.active == "dev"
    # Grown past the limit after being allowed.
    with open(repo / ".awsvault", "a") as f:
        f.write("#")
    p.prompt(repo)
    assert p.active is None and p.said("larger than 4095")


def test_non_utf8_file_is_refused(user):
    repo = clone(user, "latin")
    (repo / ".awsvault").write_bytes(b'profile = "dev"\n# caf\xe9\n')
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("not UTF-8")
    allow(user, repo, ok=False)


def test_hard_link_to_an_allowed_file_is_not_allowed(user):
    good = clone(user, "good")
    allow(user, good)
    repo = user.home / "repo"
    repo.mkdir()
    os.link(good / ".awsvault", repo / ".awsvault")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("not allowed yet")
    # Editing through the hard link revokes the original too (same bytes, one inode).
    with open(repo / ".awsvault", "a") as f:
        f.write("# edited via the link\n")
    p.prompt(good)
    assert p.active is None and p.said("changed since")


def test_tampered_allow_record_does_not_activate(user):
    repo = clone(user)
    other = clone(user, "other")
    allow(user, other)
    allow_dir = trust_dir(user) / "allow"
    (other_key,) = [f.name for f in allow_dir.iterdir() if not f.name.startswith(".")]
    other_hash = (allow_dir / other_key).read_text()
    p = Prompts(user)
    # The record's name: SHA-256 of the file's canonical path.
    p.prompt(repo)
    key = hashlib.sha256(str(repo.resolve() / ".awsvault").encode()).hexdigest()
    for forged in [other_hash, "0" * 64, "", "x\n" + other_hash, other_hash.upper()]:
        (allow_dir / key).write_text(forged)
        p.prompt(repo)
        assert p.active is None, forged
    # A copy of another project's record under this project's name is no allowance either.
    (allow_dir / key).write_text(other_hash + "\n")
    p.prompt(repo)
    assert p.active is None


def test_git_checkout_that_changes_the_file_revokes(user, tmp_path):
    git = require("git")
    repo = user.home / "gitrepo"
    repo.mkdir()
    genv = dict(user.env(), GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@t", GIT_COMMITTER_NAME="t",
                GIT_COMMITTER_EMAIL="t@t", GIT_CONFIG_NOSYSTEM="1")

    def g(*args):
        out = subprocess.run([git, *args], cwd=repo, env=genv, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr

    g("init", "-q", "-b", "main")
    (repo / ".awsvault").write_text('profile = "dev"\n')
    g("add", ".awsvault")
    g("commit", "-qm", "safe")
    g("checkout", "-qb", "evil")
    (repo / ".awsvault").write_text('profile = "ops"\n')
    g("commit", "-qam", "evil")
    g("checkout", "-q", "main")
    allow(user, repo)
    p = Prompts(user)
    p.prompt(repo)
    assert p.active == "dev"
    g("checkout", "-q", "evil")
    p.prompt(repo)
    assert p.active is None and p.said("changed since")
    g("checkout", "-q", "main")
    p.prompt(repo)
    assert p.active == "dev", "back to the allowed bytes"


def test_world_writable_parent_owned_by_someone_else(user):
    # vault does not look at owners: trust is path + content. A file in a shared, world-writable
    # folder owned by another user activates only once allowed, and its owner rewriting it
    # revokes the allowance like any edit.
    shared = user.home / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    f = shared / ".awsvault"
    f.write_text('profile = "dev"\n')
    if os.geteuid() == 0:
        os.chown(f, 65534, 65534)
        os.chown(shared, 65534, 65534)
    work = shared / "mywork"
    work.mkdir()
    p = Prompts(user)
    p.prompt(work)
    assert p.active is None and p.said("not allowed yet")
    allow(user, shared)
    p.prompt(work)
    assert p.active == "dev"
    # The other user swaps the file (new inode, same name): revoked.
    tmp = shared / ".tmp"
    tmp.write_text('profile = "ops"\n')
    tmp.rename(f)
    p.prompt(work)
    assert p.active is None and p.said("changed since")


def test_fifo_is_refused_and_never_blocks(user):
    repo = user.home / "fifo"
    repo.mkdir()
    os.mkfifo(repo / ".awsvault")
    p = Prompts(user)
    p.prompt(repo)
    assert p.active is None and p.said("not a regular file")
    allow(user, repo, ok=False)


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_fifo_does_not_hang_the_glue(user, kind):
    """A fifo named .awsvault (a tarball can hold one) must not block the prompt's fast path:
    the glue reads regular files only."""
    repo = user.home / "fifo"
    repo.mkdir()
    os.mkfifo(repo / ".awsvault")
    sh = Shell(kind, user)
    try:
        step = sh.cd(repo)
        assert any("not a regular file" in l for l in step.vault_lines), step.output
        for _ in range(3):
            step = sh.run("echo still-alive", timeout=10)
            assert "still-alive" in step.output
        assert sh.env()["AWS_VAULT"] is None
    finally:
        sh.close()


@pytest.mark.parametrize("kind", ["fish", "nu"])
def test_fifo_does_not_hang_the_fish_or_nu_glue(user, kind):
    from fish_nu_driver import FishSession, NuSession

    repo = user.home / "fifo"
    repo.mkdir()
    os.mkfifo(repo / ".awsvault")
    sh = (FishSession if kind == "fish" else NuSession)(user)
    try:
        out = sh.run(f"cd {sh.quote(str(repo))}")
        assert "not a regular file" in out, out
        for _ in range(3):
            assert "still-alive" in sh.run("echo still-alive")
        assert sh.managed()["AWS_VAULT"] is None
    finally:
        sh.close()


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_real_glue_untrusted_edit_deny(user, kind):
    """The same rules through the real glue in an interactive shell (its fast path included)."""
    repo = clone(user)
    sh = Shell(kind, user)
    try:
        sh.cd(repo)
        assert sh.env()["AWS_VAULT"] is None
        sh.run("vault allow")
        sh.enter()
        assert sh.env()["AWS_VAULT"] == "dev"
        (repo / ".awsvault").write_text('profile = "ops"\n')
        step = sh.enter()
        assert any("changed since" in l for l in step.vault_lines), step.output
        assert sh.env()["AWS_VAULT"] is None
        sh.run("vault allow")
        sh.enter()
        assert sh.env()["AWS_VAULT"] == "ops"
        sh.run("vault deny")
        sh.enter()
        assert sh.env()["AWS_VAULT"] is None
    finally:
        sh.close()


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_real_glue_no_session_needs_a_yes_at_allow(user, kind):
    """A project file with no_session = true: `vault allow` in a real terminal names every
    setting and asks; Enter or "n" allows nothing and the shell gets no keys; "y" allows it,
    and only then do the long-term keys (no session token) reach the shell."""
    repo = clone(user, "prod", 'profile = "dev"\nregion = "eu-central-1"\nno_session = true\n')
    sh = Shell(kind, user)
    try:
        sh.cd(repo)
        assert sh.env()["AWS_VAULT"] is None
        for answer, allowed in [("", False), ("n", False), ("y", True)]:
            sh.child.sendline("vault allow")
            sh.child.expect(r"Allow that\? \[y/N\] ")
            question = sh.child.before
            assert "region 'eu-central-1'" in question and "long-term" in question, question
            sh.child.sendline(answer)
            step = sh._until_prompt()
            assert (step.status == 0) == allowed, (answer, step.output)
            sh.enter()
            env = sh.env()
            assert (env["AWS_VAULT"] == "dev") == allowed, (answer, env)
        assert env["AWS_ACCESS_KEY_ID"] == ACCESS_KEY and env["AWS_SESSION_TOKEN"] is None
    finally:
        sh.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to act as a second user (uid 65534)")
@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_real_glue_record_forged_by_another_user_does_not_activate(user, kind):
    """An older vault under umask 000 left the trust folders 0777; another user writes the
    allow record an unkeyed vault would have (SHA-256 of path and content) for a no_session
    file: the victim's real shell activates nothing and says to run `vault allow` again."""
    repo = clone(user, "forged", 'profile = "dev"\nno_session = true\n')
    path = repo.resolve() / ".awsvault"
    allow_dir = trust_dir(user) / "allow"
    allow_dir.mkdir(parents=True)
    folder = allow_dir
    while True:
        folder.chmod(0o777)
        if folder == user.root:
            break
        folder = folder.parent
    forged = hashlib.sha256(str(path).encode() + b"\0" + path.read_bytes()).hexdigest()
    record = allow_dir / hashlib.sha256(str(path).encode()).hexdigest()
    # Started in the folder (pytest's own folders above it are closed to other users).
    out = subprocess.run(
        ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "sh", "-c",
         'cat > "$1"', "sh", record.name],
        input=forged, cwd=allow_dir, capture_output=True, text=True, timeout=30,
    )
    assert out.returncode == 0 and record.stat().st_uid == 65534, out.stderr
    sh = Shell(kind, user)
    try:
        step = sh.cd(repo)
        assert any("older vault" in l and "vault allow" in l for l in step.vault_lines), step.output
        assert sh.env()["AWS_VAULT"] is None
    finally:
        sh.close()


# --- part 2: crafted __VAULT_STATE -------------------------------------------------------------

FOREIGN = [
    "PATH", "LD_PRELOAD", "PROMPT_COMMAND", "BASH_ENV", "HOME", "PYTHONPATH", "ZDOTDIR",
    "IFS", "PS1", "SHELL", "aws_vault", "AWS_VAULT ", " AWS_VAULT", "AWS_VAULT\n", "AWS_VAULT=x",
    "A;touch /tmp/x", "$(touch x)", "`id`", "AWS_REGION;PATH", "__vault_bin", "__vault_w_file",
    "__VAULT_STATE", "AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_ENDPOINT_URL",
    "VAULT_BACKEND", "/etc/passwd", "../../etc", "", "AWS_REGION\u0000PATH", "Path", "env:PATH",
]
ALLOWED_NAMES = set(MANAGED) | {STATE}


def b64(obj) -> str:
    raw = obj if isinstance(obj, bytes) else json.dumps(obj).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def crafted_states(seed=20261128, n=160) -> list:
    rng = random.Random(seed)
    values = [None, "/tmp/evil.so", "$(touch /tmp/pwned)", "'; touch /tmp/pwned; '", "x\ny",
              "", "eu-west-1", "\u2019; touch /tmp/p \u2018"]
    states = [
        "", "garbage", "!!!!", "e30", b64({}), b64([]), b64("s"), b64({"s": "PATH"}),
        b64({"s": [["PATH"]]}), b64({"s": [["PATH", None, 3]]}), b64(b"\xff\xfe"),
        b64({"a": None, "s": [["PATH", "/evil"]]}),
        b64({"s": [["LD_PRELOAD", "/tmp/x.so"], ["PATH", None], ["PROMPT_COMMAND", "touch /tmp/p"]]}),
        b64({"a": {"p": "dev", "w": "u"}, "s": [["PATH", None], ["LD_PRELOAD", "/x.so"]]}),
        b64({"a": {"p": "dev", "w": {"f": {"path": "/etc/passwd", "hash": "0"}}},
             "s": [["PATH", None], ["HOME", "/evil"]]}),
        b64({"a": {"p": "nope", "w": "u", "e": 0}, "s": [["BASH_ENV", "/evil"]]}),
        b64({"x": {"k": "PATH", "t": 99999999999}, "m": "PATH"}),
        "A" * 5000,
    ]
    for _ in range(n):
        saved = []
        for _ in range(rng.randint(0, 8)):
            name = rng.choice(FOREIGN + MANAGED)
            saved.append([name, rng.choice(values)])
        obj = {"s": saved}
        roll = rng.random()
        if roll < 0.3:
            obj["a"] = {"p": rng.choice(["dev", "ops", "missing", "x;y"]), "w": "u"}
            if rng.random() < 0.5:
                obj["a"]["e"] = rng.choice([0, 4102444800])
        elif roll < 0.55:
            obj["a"] = {"p": "dev", "w": {"f": {"path": rng.choice(["/etc/passwd", "/tmp/.awsvault", "x"]), "hash": "ab"}}}
        if rng.random() < 0.2:
            obj["m"] = rng.choice(FOREIGN)
        text = b64(obj)
        mutate = rng.random()
        if mutate < 0.1:
            text = text[: rng.randint(0, len(text))]
        elif mutate < 0.15:
            text = " " + text + "\n"
        states.append(text)
    return states


STATES = crafted_states()


def base_env(sandbox, folder, state) -> dict:
    env = sandbox.env(PWD=str(folder), **SENTINELS)
    env["AWS_REGION"] = "us-west-2"
    env["AWS_PROFILE"] = "mine"
    env[STATE] = state
    return env


def hook(sandbox, shell, folder, state):
    out = subprocess.run(
        [sandbox.vault, "hook-env", shell], env=base_env(sandbox, folder, state), cwd=folder,
        capture_output=True, timeout=60,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.decode()


def env_after(program: list, script: str, env: dict) -> dict:
    """The exported environment after `script` runs in a real shell."""
    done = subprocess.run(program, input=script.encode(), env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, (done.stderr, script)
    out = done.stdout.split(b"@@ENV@@\0", 1)[1]
    pairs = [p.split(b"=", 1) for p in out.split(b"\0") if p]
    return {k.decode(): v.decode("utf-8", "replace") for k, v in pairs}


def shell_run(kind: str):
    if kind == "bash":
        return [require("bash"), "--norc", "--noprofile", "-s"], "\nprintf '@@ENV@@\\0'; command env -0\n"
    if kind == "zsh":
        return [require("zsh"), "-f", "-s"], "\nprintf '@@ENV@@\\0'; command env -0\n"
    if kind == "fish":
        return [require("fish"), "--no-config"], "\nprintf '@@ENV@@\\0'; command env -0\n"
    raise AssertionError(kind)


def check_only_managed_changed(before: dict, after: dict, what):
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    assert changed <= ALLOWED_NAMES, (sorted(changed - ALLOWED_NAMES), what)
    for k, v in SENTINELS.items():
        assert after.get(k) == v, (k, what)


@pytest.fixture
def project(user):
    """An allowed project and an untrusted one, so states meet every planner branch."""
    good = clone(user, "good")
    allow(user, good)
    bad = clone(user, "bad", 'profile = "ops"\n')
    return {"good": good, "bad": bad, "none": user.home}


@pytest.mark.parametrize("kind", ["bash", "zsh", "fish"])
def test_crafted_states_touch_only_managed_variables(user, project, kind):
    program, dump = shell_run(kind)
    folders = list(project.values())
    rng = random.Random(kind)
    for i, state in enumerate(STATES):
        folder = folders[i % len(folders)] if i % 7 else rng.choice(folders)
        env = base_env(user, folder, state)
        env = {k: v for k, v in env.items() if k != "PWD"}
        text = hook(user, kind, folder, state)
        before = env_after(program, dump, env)
        after = env_after(program, text + dump, env)
        check_only_managed_changed(before, after, (kind, state, text))


def nu_json(text: str) -> dict:
    return json.loads(text)


def test_crafted_states_nu_json_names_only_managed_variables(user, project):
    nu = require("nu")
    folders = list(project.values())
    for i, state in enumerate(STATES):
        text = hook(user, "nu", folders[i % len(folders)], state)
        if not text.strip():
            continue
        obj = nu_json(text)
        assert set(obj) <= {"set", "unset", "watch"}, obj
        assert set(obj.get("set", {})) <= ALLOWED_NAMES, (state, obj)
        assert set(obj.get("unset", [])) <= ALLOWED_NAMES, (state, obj)
        assert set(obj.get("watch", {})) <= {"pwd", "dir", "next", "paths", "profile", "expires"}, obj
    # And nu applies a few of them exactly as the glue does: only managed variables change.
    script = (
        "def dump [] { $env | transpose k v | where {|r| ($r.v | describe) == 'string'} "
        "| reduce -f {} {|r, acc| $acc | insert $r.k $r.v} }\n"
        "let before = (dump)\n"
        "let change = (open --raw $env.__T_FILE | from json)\n"
        "for name in ($change.unset? | default []) { hide-env -i $name }\n"
        "load-env ($change.set? | default {})\n"
        "$env.__vault_w = ($change.watch? | default {})\n"
        "{before: $before, after: (dump)} | to json\n"
    )
    for i, state in enumerate(STATES[:40]):
        folder = folders[i % len(folders)]
        text = hook(user, "nu", folder, state)
        if not text.strip():
            continue
        f = user.root / "nu-change.json"
        f.write_text(text)
        env = {k: v for k, v in base_env(user, folder, state).items() if k != "PWD"}
        env["__T_FILE"] = str(f)
        done = subprocess.run([nu, "-n", "-c", script], env=env, capture_output=True, text=True,
                              timeout=30)
        assert done.returncode == 0, done.stderr
        both = json.loads(done.stdout)
        before, after = both["before"], both["after"]
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert all(k in ALLOWED_NAMES or k.startswith("__vault_w_") for k in changed), (changed, state)
        for k, v in SENTINELS.items():
            assert after.get(k) == v, (k, state)


def test_crafted_states_pwsh_statements_name_only_managed_variables(user, project):
    from test_pwsh import interpret

    folders = list(project.values())
    for i, state in enumerate(STATES[:80]):
        text = hook(user, "pwsh", folders[i % len(folders)], state)
        for st in interpret(text):
            if st[0] == "unset":
                assert st[1] in ALLOWED_NAMES, (state, st)
            elif st[1].startswith("$env:"):
                assert st[1][5:] in ALLOWED_NAMES, (state, st)
            else:
                assert st[1] == "$global:__vault_w" or st[1].startswith(
                    ("$global:__vault_w_", "$global:__vault_p_")), (state, st)


def test_crafted_state_cannot_restore_foreign_values(user, project):
    """Leaving a folder with a crafted "active" state restores only managed variables, and the
    values it restores are the crafted ones for those names only (they were the user's to set)."""
    state = b64({
        "a": {"p": "dev", "w": {"f": {"path": "/nowhere/.awsvault", "hash": "00"}}},
        "s": [["PATH", "/evil"], ["LD_PRELOAD", "/evil.so"], ["AWS_REGION", "crafted"],
              ["PROMPT_COMMAND", "touch /tmp/x"], ["AWS_PROFILE", None]],
    })
    program, dump = shell_run("bash")
    env = {k: v for k, v in base_env(user, user.home, state).items() if k != "PWD"}
    text = hook(user, "bash", user.home, state)
    after = env_after(program, text + dump, env)
    assert after["PATH"] == env["PATH"]
    assert after["LD_PRELOAD"] == SENTINELS["LD_PRELOAD"]
    assert after.get("AWS_REGION") == "crafted"
    assert "AWS_PROFILE" not in after
    assert STATE not in after


DYNAMIC = {"RANDOM", "SRANDOM", "SECONDS", "LINENO", "EPOCHSECONDS", "EPOCHREALTIME", "_",
           "BASH_COMMAND", "BASH_LINENO", "BASH_SOURCE", "FUNCNAME", "PIPESTATUS", "BASH_ARGC",
           "BASH_ARGV", "BASHPID", "BASH_SUBSHELL", "COLUMNS", "LINES", "HISTCMD", "OPTIND"}


def bash_vars(script: str, env: dict) -> dict:
    """Every bash variable (exported or not) after `script`."""
    dump = (
        "\nprintf '@@VARS@@\\0'\n"
        "for __t in $(compgen -v); do [[ $__t == __t ]] && continue; "
        "printf '%s=%s\\0' \"$__t\" \"${!__t}\"; done\n"
    )
    done = subprocess.run([require("bash"), "--norc", "--noprofile", "-s"],
                          input=(script + dump).encode(), env=env, capture_output=True, timeout=30)
    assert done.returncode == 0, done.stderr
    out = done.stdout.split(b"@@VARS@@\0", 1)[1]
    pairs = [p.split(b"=", 1) for p in out.split(b"\0") if p]
    return {k.decode(): v.decode("utf-8", "replace") for k, v in pairs if k.decode() not in DYNAMIC}


def test_crafted_states_set_no_other_shell_variable(user, project):
    """Not even a shell-local one: besides the managed variables and the state, bash output only
    assigns the glue's watch record (`__vault_w*`) and prompt fields (`__vault_p_*`)."""
    folders = list(project.values())
    for i, state in enumerate(STATES[:60]):
        folder = folders[i % len(folders)]
        env = {k: v for k, v in base_env(user, folder, state).items() if k != "PWD"}
        text = hook(user, "bash", folder, state)
        before = bash_vars("", env)
        after = bash_vars(text, env)
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        assert all(k in ALLOWED_NAMES or k.startswith(("__vault_w", "__vault_p_"))
                   for k in changed), (sorted(changed), state)
