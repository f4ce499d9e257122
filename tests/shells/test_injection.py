"""Hostile profile names, regions, `.awsvault` contents and folder names cannot inject code in
any of the five shells.

Values are generated with a fixed seed from fragments that would run `touch MARKER/...` if any
shell evaluated them as code (`$()`, backticks, fish/nu `( )`, `;`, `&&`, `|`, newlines, quotes
of every kind including PowerShell's typographic ones, `'#`...). Each is activated through the
real binary (`vault export --format SHELL` and `vault hook-env SHELL` for an allowed project),
the output is run by real bash, zsh, fish and nu (PowerShell: parsed by tree-sitter and decoded
by test_pwsh.py's model of its strings), and then: the marker folder is still empty, and
AWS_VAULT / AWS_REGION / AWS_DEFAULT_REGION hold exactly the hostile values.
"""
import json
import random
import re
import subprocess
import uuid
from pathlib import Path

import pytest

from conftest import ACCESS_KEY, SECRET_KEY, require

SEED = 20261128
SHELLS = ["bash", "zsh", "fish", "nu"]


def fragments(marker: Path) -> list:
    m = str(marker)
    return [
        f"$(touch {m}/a)", f"`touch {m}/b`", f"(touch {m}/c)", f"'$(touch {m}/d)'",
        f"\"$(touch {m}/e)\"", f"'&& touch {m}/f &&'", f"|touch {m}/g|", f"&touch {m}/h&",
        f"\u2018 $(touch {m}/i) \u2019", f"\u2019\u2019(touch {m}/j)\u201a\u201b", f"$\"(touch {m}/k)\"",
        f"^touch {m}/l", f"'; touch {m}/m; '", f"\"; touch {m}/n; \"", f"${{touch {m}/o}}",
        "'", "''", '"', "\\", "\\'", "'\\''", "$HOME", "${HOME}", "$env:HOME", "%s", "{}", "{x}",
        "\u00fc\u00ef", "\U0001f642", " ", "  ", "*", "?", "~", "!", "!!", "$", "$$", "@", "=",
        "\u2018", "\u2019", "\u201a", "\u201b", "\u201c", "\u201d", "(", ")", "<", ">", "&", "|",
    ]


def hostile_only_for_regions(marker: Path) -> list:
    """Characters a profile name in ~/.aws/config cannot hold, but a region given on the command
    line or in `.awsvault` can."""
    m = str(marker)
    return [f"; touch {m}/p", f"\ntouch {m}/q\n", f"'#\ntouch {m}/r", "\r", "\r\n", "#", ";",
            f"\n'\ntouch {m}/s #", "\t", "[", "]", f"\x1b]0;touch {m}/t\x07"]


def generate(rng: random.Random, parts: list, low=1, high=5) -> str:
    return "".join(rng.choice(parts) for _ in range(rng.randint(low, high)))


def profile_names(marker: Path, n: int) -> list:
    rng = random.Random(SEED)
    parts = fragments(marker)
    names, seen = [], set()
    while len(names) < n:
        name = ("p" + generate(rng, parts)).strip()
        # What ~/.aws/config can hold in a section name (README: no `;`, `#` or brackets).
        # The file store names an item by the hex of the profile name: keep it under NAME_MAX.
        if any(c in name for c in ";#[]\n\r") or name in seen or len(name.encode()) > 100:
            continue
        seen.add(name)
        names.append(name)
    return names


def regions(marker: Path, n: int, seed=SEED + 1) -> list:
    rng = random.Random(seed)
    parts = fragments(marker) + hostile_only_for_regions(marker)
    return ["r" + generate(rng, parts, 1, 6) for _ in range(n)]


def config_region(marker: Path, n: int) -> list:
    """Regions that survive in ~/.aws/config (no ` ;`/` #` comments, no line breaks)."""
    rng = random.Random(SEED + 2)
    parts = fragments(marker)
    out = []
    while len(out) < n:
        r = "r" + generate(rng, parts, 1, 4)
        if any(c in r for c in ";#\n\r") or r != r.strip():
            continue
        out.append(r)
    return out


@pytest.fixture
def marker(tmp_path):
    m = Path("/tmp") / f"pw{uuid.uuid4().hex[:8]}"
    m.mkdir()
    yield m
    leftovers = list(m.iterdir())
    for f in leftovers:
        f.unlink()
    m.rmdir()
    assert not leftovers, f"a payload ran: {leftovers}"


# --- running the output in real shells ----------------------------------------------------------

def run_in(kind: str, sandbox, text: str, json_shape: str = None) -> dict:
    """Apply `text` (vault's output for `kind`) in a real shell and read back the three values.
    json_shape for nu: "export" (a load-env record) or "hook" ({set, unset, watch})."""
    f = sandbox.root / f"out-{uuid.uuid4().hex}"
    f.write_bytes(text.encode("utf-8"))
    names = ["AWS_VAULT", "AWS_REGION", "AWS_DEFAULT_REGION"]
    if kind in ("bash", "zsh"):
        script = f"source '{f}'\nprintf '%s\\0' " + " ".join(f'"${{{n}-<unset>}}"' for n in names)
        argv = [require(kind), "-c", script] if kind == "bash" else [require("zsh"), "-f", "-c", script]
    elif kind == "fish":
        script = f"source '{f}'\n" + "\n".join(
            f"if set -q {n}; printf '%s\\0' \"${n}\"; else; printf '<unset>\\0'; end" for n in names
        )
        argv = [require("fish"), "--no-config", "-c", script]
    elif kind == "nu":
        apply = {
            "export": "load-env $c",
            "hook": "for n in ($c.unset? | default []) { hide-env -i $n }; "
                    "load-env ($c.set? | default {}); $env.__vault_w = ($c.watch? | default {})",
        }[json_shape]
        script = (
            f"let c = (open --raw '{f}' | from json)\n{apply}\n"
            + "[" + ", ".join(f"($env.{n}? | default '<unset>')" for n in names) + "] | to json -r"
        )
        argv = [require("nu"), "-n", "-c", script]
    else:
        raise AssertionError(kind)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(sandbox.home), "LANG": "C.UTF-8"}
    cwd = sandbox.root / "cwd"
    cwd.mkdir(exist_ok=True)
    done = subprocess.run(argv, env=env, capture_output=True, timeout=60, cwd=cwd)
    f.unlink()
    assert not list(cwd.iterdir()), ("a payload ran in the shell's folder", list(cwd.iterdir()), text)
    assert done.returncode == 0, (kind, done.stderr.decode(errors="replace"), text)
    if kind == "nu":
        values = json.loads(done.stdout.decode())
    else:
        values = done.stdout.decode().split("\0")[:3]
    return {n: (None if v == "<unset>" else v) for n, v in zip(names, values)}


def pwsh_values(text: str) -> dict:
    from test_pwsh import apply, interpret

    env = apply(interpret(text), {})
    return {n: env.get(n) for n in ["AWS_VAULT", "AWS_REGION", "AWS_DEFAULT_REGION"]}


def check(values: dict, profile: str, region: str, what):
    assert values["AWS_VAULT"] == profile, (what, values)
    assert values["AWS_REGION"] == region, (what, values)
    assert values["AWS_DEFAULT_REGION"] == region, (what, values)


def add_profiles(sandbox, names: list, regions_: list):
    with open(sandbox.config, "a") as f:
        for name, region in zip(names, regions_):
            f.write(f"\n[profile {name}]\nregion = {region}\n")
    for name in names:
        out = sandbox.run_vault(
            "add", name, "--env", AWS_ACCESS_KEY_ID=ACCESS_KEY, AWS_SECRET_ACCESS_KEY=SECRET_KEY
        )
        assert out.returncode == 0, (name, out.stderr)


def export(sandbox, *args) -> str:
    done = subprocess.run([sandbox.vault, "export", *args], env=sandbox.env(),
                          capture_output=True, timeout=60)
    assert done.returncode == 0, (args, done.stderr)
    return done.stdout.decode("utf-8")


# --- the tests ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "kind, naive",
    [
        ("bash", 'export AWS_VAULT="$(touch {m}/z)"\n'),
        ("zsh", 'export AWS_VAULT="`touch {m}/z`"\n'),
        ("fish", "set -gx AWS_VAULT (touch {m}/z)\n"),
    ],
)
def test_the_harness_sees_a_payload_run(sandbox, marker, kind, naive):
    """Negative control: naive quoting is caught by the marker check."""
    run_in(kind, sandbox, naive.format(m=marker), "export")
    assert (marker / "z").exists()
    (marker / "z").unlink()


IDENTIFIER = re.compile(r"[A-Za-z0-9_\-/.%@:+]+")


def test_hostile_profile_names_and_config_regions_via_export(sandbox, marker):
    """Hostile names reach vault through `vault add` (the store); ~/.aws/config's parser
    (aws-config) ignores sections whose name is not `[A-Za-z0-9_-/.%@:+]+`, so their region is
    unknown and none is exported. Valid names carry hostile regions from the config."""
    names = profile_names(marker, 30) + ["p%s", "p@a:b/c+d", "p.-_%", "P:%%+"]
    regs = config_region(marker, len(names))
    add_profiles(sandbox, names, regs)
    for i, (name, region) in enumerate(zip(names, regs)):
        if not IDENTIFIER.fullmatch(name):
            region = None
        # Every third one through STS (the emulator), which refuses a region that is no host
        # label: those use the stored keys directly (-n), still through every output path.
        flags = ["-n"] if i % 3 or region is not None else []
        for kind in SHELLS + ["pwsh"]:
            text = export(sandbox, name, *flags, "--format", kind)
            if kind == "pwsh":
                values = pwsh_values(text)
            else:
                values = run_in(kind, sandbox, text, "export")
            check(values, name, region, (kind, name))


def test_hostile_regions_on_the_command_line_via_export(sandbox, marker):
    add_profiles(sandbox, ["plain"], ["eu-west-1"])
    for region in regions(marker, 100):
        for kind in SHELLS + ["pwsh"]:
            text = export(sandbox, "plain", "-n", "--region", region, "--format", kind)
            values = pwsh_values(text) if kind == "pwsh" else run_in(kind, sandbox, text, "export")
            check(values, "plain", region, (kind, region))


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a TOML basic string


def hook_env(sandbox, kind: str, folder: Path):
    done = subprocess.run([sandbox.vault, "hook-env", kind], env=sandbox.env(PWD=str(folder)),
                          cwd=folder, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.decode("utf-8"), done.stderr.decode("utf-8", "replace")


def test_hostile_awsvault_and_folder_names_via_hook_env(sandbox, marker):
    """The hook prints the project's path and how the glue observes it back to the glue
    (`__vault_w`, `__vault_w_pwd`): hostile folder names, file bodies (comments) and regions, too."""
    names = profile_names(marker, 12)
    add_profiles(sandbox, names, config_region(marker, 12))
    rng = random.Random(SEED + 3)
    regs = regions(marker, 12, seed=SEED + 4)
    parts = fragments(marker) + [f"\ntouch {marker}/u\n", "'#", "\r"]
    for i, (name, region) in enumerate(zip(names, regs)):
        folder_name = "f" + generate(rng, parts, 1, 4).replace("/", "_")
        folder = sandbox.home / folder_name
        folder.mkdir()
        comment = generate(rng, fragments(marker), 1, 4).replace("\n", " ")
        (folder / ".awsvault").write_text(
            f"# {comment}\nprofile = {toml_string(name)}\nregion = {toml_string(region)}\n"
            "no_session = true\n"
        )
        # no_session from a project file needs the explicit yes (no terminal here).
        out = sandbox.run_vault("allow", "--allow-no-session", str(folder))
        assert out.returncode == 0, (folder_name, out.stderr)
        for kind in SHELLS + ["pwsh"]:
            text, err = hook_env(sandbox, kind, folder)
            assert "AWS_VAULT" in text, (kind, err)
            if kind == "pwsh":
                from test_pwsh import interpret

                from test_pwsh import dotnet_observe, pairs

                statements = interpret(text)
                globals_ = {st[1]: st[2] for st in statements if st[0] == "set"}
                project = str(folder / ".awsvault")
                assert pairs(globals_["$global:__vault_w"])[0] == (project, dotnet_observe(project))
                assert globals_["$global:__vault_w_pwd"] == str(folder)
                values = pwsh_values(text)
            else:
                values = run_in(kind, sandbox, text, "hook")
            check(values, name, region, (kind, name, region, folder_name))


@pytest.mark.parametrize("kind", ["bash", "zsh"])
def test_hostile_project_through_the_real_glue(sandbox, marker, kind):
    """One hostile project entered in an interactive shell with the glue loaded: the fast path
    compares the hostile body and path with what vault reported, and nothing runs."""
    from shell_driver import Shell

    name = profile_names(marker, 1)[0]
    add_profiles(sandbox, [name], ["eu-west-1"])
    # (no line break: the driver's dump is line-based; line breaks are covered above)
    region = config_region(marker, 5)[4] + ";x#y"
    # A folder name cannot hold `/`: its payloads touch relative names, looked for afterwards.
    folder = sandbox.home / "q'$(touch pwned-v)`touch pwned-w`;touch pwned-x\n(touch pwned-y)"
    folder.mkdir()
    (folder / ".awsvault").write_text(
        f"# '$(touch {marker}/x)\nprofile = {toml_string(name)}\nregion = {toml_string(region)}\n"
        "no_session = true\n"
    )
    assert sandbox.run_vault("allow", "--allow-no-session", str(folder)).returncode == 0
    sh = Shell(kind, sandbox)
    try:
        sh.cd(folder)
        for _ in range(3):
            sh.enter()
        env = sh.env()
        assert env["AWS_VAULT"] == name and env["AWS_REGION"] == region, env
        sh.cd(sandbox.home)
        assert sh.env()["AWS_VAULT"] is None
    finally:
        sh.close()
    assert not list(sandbox.root.rglob("pwned-*"))


def test_hostile_names_and_regions_via_vault_use(sandbox, marker):
    """`vault use NAME --region R` (what the glue evals for `vault use`) and then `vault unuse`."""
    names = profile_names(marker, 10)
    add_profiles(sandbox, names, ["eu-west-1"] * len(names))
    regs = regions(marker, 10, seed=SEED + 6)
    for name, region in zip(names, regs):
        for kind in SHELLS + ["pwsh"]:
            done = subprocess.run(
                [sandbox.vault, "use", name, "--no-session", "--region", region],
                env=sandbox.env(__VAULT_SHELL=kind), capture_output=True, timeout=60,
            )
            assert done.returncode == 0, done.stderr
            text = done.stdout.decode("utf-8")
            values = pwsh_values(text) if kind == "pwsh" else run_in(kind, sandbox, text, "hook")
            check(values, name, region, ("use", kind, name, region))
