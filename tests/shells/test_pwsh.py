"""PowerShell: the glue and the statements vault emits, checked without PowerShell.

PowerShell cannot be installed on the machines these tests run on, so every check here is
static: tree-sitter's PowerShell grammar parses the text (and must report no ERROR or MISSING
node), and a small model of PowerShell's single-quoted strings (below) decodes each value, so
a value that would end its string early or smuggle in a second statement is caught even where
the grammar is laxer than PowerShell. The binary, the STS emulator and the trust records are
real; only the shell is not. README.md lists what is verified only this way.

Snapshots live in tests/shells/snapshots/pwsh-*.ps1; a test fails when the output changes.
After a deliberate change, rewrite them with:  UPDATE_SNAPSHOTS=1 python3 -m pytest tests/shells/test_pwsh.py
"""
import base64
import hashlib
import json
import os
import re
import stat
import subprocess
from pathlib import Path

import pytest

from conftest import ROOT, VAULT

try:
    import tree_sitter
    import tree_sitter_powershell
except ImportError:  # a missing tool fails, never skips (CI installs it)
    tree_sitter = None

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"

# PowerShell reads all of these as single quotes, in pairs as an escaped quote (the language
# specification's single-quote-character).
QUOTES = "'\u2018\u2019\u201a\u201b"

# Values that break naive quoting: every PowerShell quote, the typographic ones doubled and
# alone, double quotes, `$` and subexpressions, backticks, `;`, `'#`, a backslash, unicode.
WEIRD = "it's \u2018typo\u2019 \u2019\u2019 \u201alow\u201b \"dq\" $HOME $(whoami) `n `$ ; a;b '# \\ {x} %s \u00fcn\u00ef \U0001f642"
WEIRD_MULTILINE = "first\nit's \u2018x\u2019 $y `z ; '#\r\nthird\rfourth\n"
# A profile name as ~/.aws/config allows it (no `;`, `#` or brackets) and TOML takes it.
WEIRD_PROFILE = "we'ird \u2018q\u2019 \u201al\u201b $x `t"
# A region as ~/.aws/config keeps it (` ;` and ` #` would start a comment).
WEIRD_REGION = "eu-west-1 it's \u2018q\u2019 \u201al\u201b \"d\" $x $(y) `t a;b '# \\ {z}"


# --- the parser -------------------------------------------------------------------------------

def parser():
    assert tree_sitter is not None, (
        "PyPI tree-sitter and tree-sitter-powershell are not installed (make test-deps installs them)"
    )
    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def parse(text: str):
    return parser().parse(text.encode("utf-8"))


def syntax_errors(text: str) -> list:
    """Every ERROR or MISSING node, as (kind, line, column, text)."""
    found = []

    def walk(node):
        if node.is_error or node.is_missing:
            found.append(
                (
                    "MISSING" if node.is_missing else "ERROR",
                    node.start_point[0] + 1,
                    node.start_point[1] + 1,
                    node.text.decode("utf-8", "replace")[:60],
                )
            )
        for child in node.children:
            walk(child)

    tree = parse(text)
    walk(tree.root_node)
    if tree.root_node.has_error and not found:
        found.append(("ERROR", 0, 0, "has_error"))
    return found


def assert_parses(text: str, what: str):
    errors = syntax_errors(text)
    assert not errors, f"{what} does not parse as PowerShell: {errors}\n{text}"


# --- a model of PowerShell's verbatim strings -----------------------------------------------

def decode_verbatim(literal: str) -> str:
    """The value PowerShell reads from the single-quoted literal `literal`, which must be exactly
    one string: it starts with a quote, and its closing quote is its last character."""
    if not literal or literal[0] not in QUOTES:
        raise ValueError(f"not a single-quoted string: {literal!r}")
    out = []
    i = 1
    while i < len(literal):
        c = literal[i]
        if c in QUOTES:
            if i + 1 < len(literal) and literal[i + 1] in QUOTES:
                out.append(literal[i + 1])
                i += 2
                continue
            if i != len(literal) - 1:
                raise ValueError(f"the string closes early, at offset {i}: {literal!r}")
            return "".join(out)
        out.append(c)
        i += 1
    raise ValueError(f"unterminated string: {literal!r}")


def leaves(node):
    if node.child_count == 0 or node.type in ("string_literal", "variable", "generic_token"):
        yield node
        return
    for child in node.children:
        yield from leaves(child)


def interpret(text: str) -> list:
    """The statements vault emits for PowerShell, as ("unset", NAME) and ("set", TARGET, VALUE)
    with TARGET like `$env:AWS_VAULT` or `$global:__vault_w_pwd`, VALUE a string (a list of
    strings for the watch list `$global:__vault_w = @(...)`). Anything else (a second statement
    hidden in a value, a string that is not one literal) is an error."""
    assert_parses(text, "emitted statements")
    root = parse(text).root_node
    statements = []
    for top in root.children:
        if top.type == "comment":
            raise ValueError(f"unexpected comment: {top.text!r}")
        assert top.type == "statement_list", top.type
        for pipeline in top.children:
            if pipeline.type != "pipeline":
                raise ValueError(f"unexpected {pipeline.type}: {pipeline.text!r}")
            statements.append(statement(pipeline))
    return statements


def statement(pipeline):
    first = pipeline.children[0]
    if first.type == "assignment_expression":
        left, operator, right = first.children
        assert operator.text == b"=", operator.text
        target = [n for n in leaves(left)]
        assert len(target) == 1 and target[0].type == "variable", left.text
        values = [n for n in leaves(right)]
        name = target[0].text.decode()
        if values and values[0].type == "@(":
            return ("set", name, array_of_literals(values, right))
        if len(values) != 1 or values[0].type != "string_literal":
            raise ValueError(f"the value is not one string literal: {right.text!r}")
        return ("set", name, decode_verbatim(values[0].text.decode()))
    words = [n.text.decode() for n in leaves(pipeline) if n.text.strip()]
    if len(words) == 4 and words[:3] == ["Remove-Item", "-ErrorAction", "Ignore"]:
        name = words[3]
        assert name.startswith("Env:") and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name[4:]), name
        return ("unset", name[4:])
    raise ValueError(f"unexpected statement: {pipeline.text!r}")


def array_of_literals(tokens, node) -> list:
    """`@('a', 'b', ...)` (the watch list, `$global:__vault_w`): exactly `@(`, single-quoted
    literals separated by commas, `)`; anything else is an error."""
    kinds = [t.type for t in tokens]
    inner = tokens[1:-1]
    ok = kinds[0] == "@(" and kinds[-1] == ")" and len(tokens) >= 2
    ok = ok and all(
        t.type == ("string_literal" if i % 2 == 0 else ",") for i, t in enumerate(inner)
    )
    ok = ok and (not inner or len(inner) % 2 == 1)
    if not ok:
        raise ValueError(f"the value is not an array of string literals: {node.text!r}")
    return [decode_verbatim(t.text.decode()) for t in inner[::2]]


def pairs(values: list) -> list:
    """The watch list as (path, observation) pairs."""
    assert len(values) % 2 == 0, values
    return list(zip(values[::2], values[1::2]))


def apply(statements, env: dict) -> dict:
    """What PowerShell's environment becomes after the statements (the `$env:` part)."""
    env = dict(env)
    for st in statements:
        if st[0] == "unset":
            env.pop(st[1], None)
        elif st[1].startswith("$env:"):
            env[st[1][5:]] = st[2]
    return env


def sets(statements) -> dict:
    return {st[1]: st[2] for st in statements if st[0] == "set"}


def unsets(statements) -> list:
    return [st[1] for st in statements if st[0] == "unset"]


# --- a model of the glue's observation of a path ----------------------------------------------

# The glue's read buffer (shell/vault.ps1 __vault_read) and the binary's (watch/posix.rs BLOCK).
BLOCK = 4096


def dotnet_observe(path: str) -> str:
    """What shell/vault.ps1's __vault_observe computes for `path` on Linux, step by step, from
    what .NET and PowerShell report there: FileInfo.LinkTarget is readlink(2) (set for a link,
    dangling or not), Directory.Exists and FileInfo.Exists follow stat(2) (Exists: an entry that
    is no folder), UnixMode's first letter is the lstat(2) type; then __vault_read: an
    unbuffered FileStream read into a 4096-byte array until it is full or the file ends, and
    SHA256.ComputeHash(buffer, 0, count) as lowercase hex. Written from those rules, not from
    the binary's code, so that the test below compares two independent computations."""
    if os.path.islink(path):  # LinkTarget
        return "l"
    if os.path.isdir(path):  # Directory.Exists
        return "d"
    if not os.path.exists(path):  # FileInfo.Exists
        return "-"
    if "\\" in path:  # Get-Item would read it as a separator
        return "?"
    if not stat.S_ISREG(os.lstat(path).st_mode):  # UnixMode does not start with '-'
        return "o"
    try:
        with open(path, "rb", buffering=0) as stream:
            buffer = b""
            while len(buffer) < BLOCK:
                got = stream.read(BLOCK - len(buffer))
                if not got:
                    break
                buffer += got
    except OSError:
        return "f-"
    return f"f{len(buffer)}:{hashlib.sha256(buffer).hexdigest()}"


# --- snapshots -----------------------------------------------------------------------------------

# Values that differ from run to run (keys and times from STS, hashes of temporary paths).
VOLATILE = [
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_CREDENTIAL_EXPIRATION",
    "__VAULT_STATE",
    "__vault_w_next",
    "__vault_p_expires",
]


def normalize(text: str, root: Path) -> str:
    text = text.replace(str(root), "<ROOT>")
    for name in VOLATILE:
        text = re.sub(
            rf"^(\$(?:env|global):{name} = )'[^'\n]*'$", r"\1'<volatile>'", text, flags=re.M
        )
    # The folders above the temporary root differ from machine to machine: one entry for all.
    text = re.sub(r"(, '(?!<ROOT>)[^'\n]*/\.awsvault', '-')+", ", '<above ROOT>/.awsvault', '-'", text)
    # Trust records are named by the hash of the temporary project path, and the allow record
    # holds a MAC of that path too (81 bytes: `vault-allow-2 - <64 hex>\n`), so its observation
    # changes from run to run.
    text = re.sub(r"(/trust/(?:allow|deny)/)[0-9a-f]{64}'", r"\1<key>'", text)
    text = re.sub(r"(/trust/allow/<key>', )'f81:[0-9a-f]{64}'", r"\1'f81:<volatile>'", text)
    return text


def check_snapshot(name: str, text: str):
    path = SNAPSHOTS / name
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
        return
    assert path.exists(), f"{path} is missing (UPDATE_SNAPSHOTS=1 writes it)"
    expected = path.read_bytes().decode("utf-8")
    assert text == expected, (
        f"output differs from {path.relative_to(ROOT)} "
        "(rerun with UPDATE_SNAPSHOTS=1 if the change is deliberate)"
    )


def glue(vault: str = str(VAULT)) -> str:
    out = subprocess.run([vault, "hook", "pwsh"], capture_output=True, timeout=30)
    assert out.returncode == 0, out.stderr
    return out.stdout.decode("utf-8")


def quoted_path(path: str) -> str:
    return "'" + "".join(c * 2 if c in QUOTES else c for c in path) + "'"


def top_level(text: str) -> list:
    root = parse(text).root_node
    return [
        p
        for top in root.children
        if top.type == "statement_list"
        for p in top.children
        if p.type != "comment"
    ]


def embedded_binary(text: str) -> list:
    """What the glue's first statement, `$global:__vault_bin = '...'`, does."""
    first = next(st for st in top_level(text) if st.type != "function_statement")
    return interpret(first.text.decode() + "\n")


class Output:
    """stdout and stderr exactly as printed (no newline translation: values may hold CR)."""

    def __init__(self, done):
        self.returncode = done.returncode
        self.stdout = done.stdout.decode("utf-8")
        self.stderr = done.stderr.decode("utf-8", "replace")


def run(sandbox, *args, env: dict = None) -> Output:
    """vault started as the glue starts it (__vault_capture): in the folder $env:PWD names."""
    env = env or sandbox.env()
    done = subprocess.run(
        [sandbox.vault, *args], env=env, cwd=env.get("PWD"), capture_output=True, timeout=60
    )
    return Output(done)


# --- the parser catches what it must ---------------------------------------------------------

@pytest.mark.parametrize(
    "broken",
    [
        "$env:AWS_VAULT = 'unterminated",
        "$env:AWS_VAULT = 'it's'",  # a quote that was not doubled
        "function global:__vault_x {\n    $a = 1\n",
        "if ($x { 'y' }",
        "$x = @(1, 2",
        "$global:__vault_w_pwd = 'a' 'b'",
        "foreach ($a in ) { }",
    ],
)
def test_the_parser_reports_broken_powershell(broken):
    assert syntax_errors(broken), f"tree-sitter accepted broken PowerShell: {broken!r}"


def test_a_damaged_glue_is_reported():
    text = glue()
    assert_parses(text, "the glue")
    last_brace = text.rindex("}")
    assert syntax_errors(text[:last_brace] + text[last_brace + 1 :]), "a missing } went unnoticed"
    assert syntax_errors(text.replace("Combine($current,", "Combine($current")), (
        "a missing comma went unnoticed"
    )


def test_the_string_model_catches_what_the_grammar_lets_through():
    # tree-sitter's grammar knows only ' as a single quote; PowerShell also ends a string at
    # a typographic one, so an undoubled one would split the value. The model catches it.
    sneaky = "$env:AWS_VAULT = 'a\u2019b'"
    assert not syntax_errors(sneaky)
    with pytest.raises(ValueError, match="closes early"):
        interpret(sneaky)
    # A value that closes its string and runs a command is two statements, not one.
    with pytest.raises(ValueError):
        interpret("$env:AWS_VAULT = 'a'; Remove-Item -Recurse ~\n")
    assert interpret("$env:AWS_VAULT = 'a\u2019\u2019b'''\n") == [
        ("set", "$env:AWS_VAULT", "a\u2019b'")
    ]


# --- the glue --------------------------------------------------------------------------------

def test_glue_parses_and_embeds_the_binary():
    text = glue()
    assert_parses(text, "`vault hook pwsh`")
    assert "@VAULT@" not in text
    assert embedded_binary(text) == [("set", "$global:__vault_bin", str(VAULT))]


def test_glue_template_is_ascii():
    # PowerShell reads typographic quotes and dashes as syntax, and Windows PowerShell reads a
    # BOM-less file in the ANSI code page: the glue must not depend on either.
    template = (ROOT / "shell" / "vault.ps1").read_bytes()
    assert all(b < 0x80 for b in template), "shell/vault.ps1 holds non-ASCII bytes"
    assert b"\r" not in template


def test_glue_structure():
    """Loading has no side effect but definitions and one setup call; names are ours; the hook
    is chained onto LocationChangedAction, and `prompt` is only wrapped, never replaced at load."""
    text = glue()
    statements = top_level(text)
    functions = []
    others = []
    for st in statements:
        if st.type == "function_statement":
            functions.append(next(c.text.decode() for c in st.children if c.type == "function_name"))
        else:
            others.append(st.text.decode())
    assert others[0].startswith("$global:__vault_bin = "), others
    assert others[1:] == ["__vault_setup"], others
    for name in functions:
        assert name.startswith("global:"), name
        bare = name[len("global:") :]
        assert bare == "vault" or bare.startswith("__vault_"), name
    for needed in ("vault", "__vault_prompt", "__vault_hook", "__vault_setup"):
        assert f"global:{needed}" in functions
    assert "global:prompt" not in functions, "prompt must not be defined when the glue loads"

    variables = {m for m in re.findall(r"\$global:([A-Za-z_?][A-Za-z0-9_]*)", text)}
    assert variables - {"LASTEXITCODE", "?"} == {v for v in variables if v.startswith("__vault_")}
    assert "LocationChangedAction = [Delegate]::Combine($current, $global:__vault_location_hook)" in text
    assert "hook-env', 'pwsh'" in text


def test_glue_with_a_hostile_binary_path(tmp_path):
    folder = tmp_path / ("it's \u2018q\u2019 \u201al\u201b $x `t ; '# dir")
    folder.mkdir()
    vault = folder / "vault"
    try:
        os.link(VAULT, vault)
    except OSError:
        import shutil

        shutil.copy2(VAULT, vault)
    text = glue(str(vault))
    assert_parses(text, "the glue of a binary in a hostile folder")
    assert f"$global:__vault_bin = {quoted_path(str(vault))}\n" in text
    assert embedded_binary(text) == [("set", "$global:__vault_bin", str(vault))]


def test_glue_snapshot():
    text = glue()
    check_snapshot("pwsh-glue.ps1", text.replace(quoted_path(str(VAULT)), "'<VAULT>'"))


def functions(text: str) -> dict:
    """The glue's functions by bare name, as tree-sitter nodes."""
    found = {}
    for st in top_level(text):
        if st.type == "function_statement":
            name = next(c.text.decode() for c in st.children if c.type == "function_name")
            found[name.removeprefix("global:")] = st
    return found


def commands_called(node) -> set:
    """Every command a function runs: names, or `&` for a call operator."""
    called = set()

    def walk(n):
        if n.type == "command":
            first = n.children[0]
            called.add("&" if first.type == "command_invokation_operator" else first.text.decode())
        for c in n.children:
            walk(c)

    walk(node)
    return called


# What the check at each prompt (and the prompt segment) may run: our own helpers and one
# cmdlet, never a process, never a read that is not bounded.
FAST_PATH = ["__vault_unchanged", "__vault_observe", "__vault_read", "__vault_digits",
             "__vault_cwd", "__vault_segment"]


def test_the_fast_path_starts_no_process_and_reads_one_block():
    text = glue()
    defined = functions(text)
    for name in FAST_PATH:
        body = defined[name].text.decode()
        called = commands_called(defined[name])
        assert called <= set(FAST_PATH) | {"Get-Item"}, (name, called)
        for forbidden in ("Process", "__vault_bin", "Invoke-Expression", "ReadAll", "Get-Content",
                          "ReadToEnd", "[System.IO.File]::"):
            assert forbidden not in body, (name, forbidden)
    assert commands_called(defined["__vault_unchanged"]) == {
        "__vault_digits", "__vault_cwd", "__vault_observe"}
    # PowerShell's -eq and -ceq compare strings linguistically ("ABC" + [char]0 -ceq "ABC" is
    # true, PowerShell issue 19438): a location or observation is compared ordinally.
    for name in ("__vault_unchanged", "__vault_observe"):
        body = defined[name].text.decode()
        for operator in ("-ceq", "-cne", "-ieq", "-ine", " -eq '", " -ne '", "-like", "-match"):
            assert operator not in body, (name, operator)
    unchanged = defined["__vault_unchanged"].text.decode()
    assert unchanged.count("[string]::Equals(") == 3 and "[System.StringComparison]::Ordinal" in unchanged
    # `?` (a path neither side can observe) is recorded by both: it must never count as
    # unchanged, or an edit of that file would go unseen.
    assert "[string]::Equals($seen, '?', $ordinal) -or" in unchanged
    # __vault_prompt without arguments is the segment; only with arguments does it run vault.
    prompt = defined["__vault_prompt"].text.decode()
    assert prompt.index("__vault_segment") < prompt.index("__vault_capture")


def test_the_glue_reads_as_the_binary_observes():
    """The .NET side of watch/pwsh.rs, line by line: one unbuffered FileStream (buffer size 1
    turns .NET's own buffering off, so a read asks the system for no more than it is given
    room for) into a 4096-byte array, the binary's BLOCK; SHA-256 of the bytes read, lowercase
    hex; the count in invariant digits. dotnet_observe (above) follows these same lines."""
    read = functions(glue())["__vault_read"].text.decode()
    posix_rs = (ROOT / "src/activate/watch/posix.rs").read_text()
    assert f"pub const BLOCK: usize = {BLOCK};" in posix_rs
    for line in [
        "[System.IO.FileStream]::new($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, $share, 1)",
        f"$buffer = [byte[]]::new({BLOCK})",
        "while ($count -lt $buffer.Length) {",
        "$got = $stream.Read($buffer, $count, $buffer.Length - $count)",
        "[System.Convert]::ToHexString($sha.ComputeHash($buffer, 0, $count)).ToLowerInvariant()",
        "return ('f' + $count.ToString([System.Globalization.CultureInfo]::InvariantCulture) + ':' + $digest)",
        "return 'f-'",
    ]:
        assert line in read, line
    observe = functions(glue())["__vault_observe"].text.decode()
    order = ["$info.LinkTarget", "[System.IO.Directory]::Exists($Path)", "$info.Exists",
             "$item.UnixMode", "__vault_read $Path"]
    assert [observe.index(x) for x in order] == sorted(observe.index(x) for x in order)


def test_observations_are_what_the_glue_computes(sandbox):
    """For every kind of path (missing, folder, link, dangling link, fifo, regular file, a file
    of 4095 and of 50 MB, bytes that are not UTF-8, a name with a backslash), each (path, observation) pair that
    `vault hook-env pwsh` lists is exactly what the glue's __vault_observe computes for it
    (dotnet_observe), so the first prompt after a decision matches and starts no process."""
    home = sandbox.home
    head = bytes(range(256)) * (BLOCK // 256)
    cases = {}

    def case(name, make):
        folder = home / name
        folder.mkdir()
        make(folder / ".awsvault")
        cases[name] = folder

    case("regular", lambda p: p.write_text('profile = "dev"\n'))
    case("binary", lambda p: p.write_bytes(b"\xff\xfe\0profile"))
    case("just-under", lambda p: p.write_bytes(b"#" * (BLOCK - 1)))
    case("dir", lambda p: (p.mkdir(), (p.parent / "sub").mkdir()))
    cases["dir"] = home / "dir" / "sub"
    case("link", lambda p: p.symlink_to(home / "regular" / ".awsvault"))
    case("dangling", lambda p: p.symlink_to(home / "nowhere"))
    case("fifo", lambda p: os.mkfifo(p))

    def huge(p):
        with open(p, "wb") as f:
            f.write(head)
            f.truncate(50 << 20)

    case("huge", huge)
    case("back\\slash", lambda p: p.write_text('profile = "dev"\n'))
    sandbox.allow(home / "regular")
    seen = {}
    for name, folder in cases.items():
        out = run(sandbox, "hook-env", "pwsh", env=sandbox.env(PWD=folder))
        assert out.returncode == 0, out.stderr
        values = sets(interpret(out.stdout))
        assert values["$global:__vault_w_pwd"] == str(folder)
        watched = pairs(values["$global:__vault_w"])
        for path, observation in watched:
            assert observation == dotnet_observe(path), (name, path)
        seen[name] = dict(watched)
    awsvault = lambda name: str(home / name / ".awsvault")
    assert seen["dir"][str(cases["dir"] / ".awsvault")] == "-"
    assert seen["dir"][awsvault("dir")] == "d"
    assert seen["link"][awsvault("link")] == "l"
    assert seen["dangling"][awsvault("dangling")] == "l"
    assert seen["fifo"][awsvault("fifo")] == "o"
    assert seen["huge"][awsvault("huge")] == f"f{BLOCK}:{hashlib.sha256(head).hexdigest()}"
    assert seen["just-under"][awsvault("just-under")].startswith(f"f{BLOCK - 1}:")
    assert seen["back\\slash"][awsvault("back\\slash")] == "?"
    body = b"\xff\xfe\0profile"
    assert seen["binary"][awsvault("binary")] == f"f{len(body)}:{hashlib.sha256(body).hexdigest()}"
    # The allowed file: its trust records are watched too, the allow record read like any file.
    records = [p for p in seen["regular"] if "/trust/" in p]
    assert [Path(p).parent.name for p in records] == ["deny", "allow"]
    assert seen["regular"][records[0]] == "-"
    # `vault-allow-2 - <64 hex MAC>\n`
    assert seen["regular"][records[1]].startswith("f81:")


# --- what the binary emits -------------------------------------------------------------------

def test_hook_env_activates_and_restores_hostile_values(sandbox):
    """A project in a folder named with every hostile character, whose .awsvault holds them in
    comments, activating a profile with such a name, over an AWS_PROFILE holding newlines: the
    statements parse, decode to exactly those values, and restore the old value on the way out."""
    sandbox.add(WEIRD_PROFILE, f"[profile {WEIRD_PROFILE}]\nregion = eu-west-1\n")
    body = f'profile = "{WEIRD_PROFILE}"\r\n# {WEIRD}\n#\ttab\n'
    folder = sandbox.project("proj " + WEIRD + "\nline two", body)
    sandbox.allow(folder)
    before = sandbox.env(PWD=folder, AWS_PROFILE=WEIRD_MULTILINE, AWSUME_PROFILE=WEIRD)

    out = run(sandbox, "hook-env", "pwsh", env=before)
    assert out.returncode == 0, out.stderr
    statements = interpret(out.stdout)
    values = sets(statements)
    assert values["$env:AWS_VAULT"] == WEIRD_PROFILE
    watched = pairs(values["$global:__vault_w"])
    project = os.path.join(str(folder), ".awsvault")
    # The folder's name holds a backslash, which PowerShell on Unix reads as a separator: the
    # glue does not look at such a file (`?`, never matches; test_observations_... has the rest).
    assert watched[0] == (project, dotnet_observe(project)) == (project, "?")
    assert [Path(p).parent.name for p, _ in watched[1:]] == ["deny", "allow"]
    assert values["$global:__vault_w_pwd"] == str(folder)
    assert values["$global:__vault_p_profile"] == WEIRD_PROFILE
    assert int(values["$global:__vault_p_expires"]) > 0
    assert int(values["$global:__vault_w_next"]) > 0
    assert {"AWS_PROFILE", "AWSUME_PROFILE"} <= set(unsets(statements))
    check_snapshot("pwsh-hook-env-activate.ps1", normalize(out.stdout, sandbox.root))

    active = apply(statements, before)
    assert "AWS_PROFILE" not in active and active["AWS_VAULT"] == WEIRD_PROFILE
    active["PWD"] = str(sandbox.home)
    out = run(sandbox, "hook-env", "pwsh", env=active)
    assert out.returncode == 0, out.stderr
    statements = interpret(out.stdout)
    after = apply(statements, active)
    assert after["AWS_PROFILE"] == WEIRD_MULTILINE
    assert after["AWSUME_PROFILE"] == WEIRD
    for name in ("AWS_VAULT", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "__VAULT_STATE"):
        assert name not in after, name
    values = sets(statements)
    assert values["$global:__vault_p_profile"] == ""
    assert all(Path(p).name == ".awsvault" for p, _ in pairs(values["$global:__vault_w"]))
    check_snapshot("pwsh-hook-env-deactivate.ps1", normalize(out.stdout, sandbox.root))


def test_a_pwd_vault_did_not_decide_for_is_not_recorded(sandbox):
    """The glue compares its location with __vault_w_pwd as a string only. vault uses $env:PWD
    only while it names the folder it was started in (src/activate/cwd.rs); when it falls back
    to the kernel's answer, the record says '' (ask again), never the $PWD it did not use."""
    folder = sandbox.project("elsewhere", 'profile = "dev"\n')
    env = sandbox.env(PWD=folder)
    done = subprocess.run([sandbox.vault, "hook-env", "pwsh"], env=env, cwd=sandbox.home,
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    values = sets(interpret(done.stdout.decode()))
    assert values["$global:__vault_w_pwd"] == ""
    assert pairs(values["$global:__vault_w"])[0] == (str(sandbox.home / ".awsvault"), "-")
    # Started as the glue starts it, the same $PWD is the one decided for.
    values = sets(interpret(run(sandbox, "hook-env", "pwsh", env=env).stdout))
    assert values["$global:__vault_w_pwd"] == str(folder)


def state(saved, active=None) -> str:
    value = {"s": saved}
    if active:
        value["a"] = active
    raw = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_unuse_restores_hostile_values_from_the_state(sandbox):
    saved = [
        ["AWS_PROFILE", WEIRD_MULTILINE],
        ["AWS_REGION", WEIRD],
        ["AWS_DEFAULT_REGION", "'"],
        ["AWSUME_PROFILE", None],
    ]
    env = sandbox.env(
        PWD=sandbox.home,
        __VAULT_SHELL="pwsh",
        __VAULT_STATE=state(saved, {"p": WEIRD_PROFILE, "w": "u"}),
        AWS_VAULT=WEIRD_PROFILE,
        AWSUME_PROFILE="stale",
    )
    out = run(sandbox, "unuse", env=env)
    assert out.returncode == 0, out.stderr
    statements = interpret(out.stdout)
    after = apply(statements, env)
    assert after["AWS_PROFILE"] == WEIRD_MULTILINE
    assert after["AWS_REGION"] == WEIRD
    assert after["AWS_DEFAULT_REGION"] == "'"
    assert "AWSUME_PROFILE" not in after and "AWS_VAULT" not in after
    assert "__VAULT_STATE" not in after
    assert sets(statements)["$global:__vault_w_next"] == "0"
    check_snapshot("pwsh-unuse.ps1", normalize(out.stdout, sandbox.root))


def test_export_pwsh_with_hostile_profile_and_region(sandbox):
    sandbox.add("weird", f"[profile weird]\nregion = {WEIRD_REGION}\n")
    out = run(sandbox, "export", "weird", "--no-session", "--format", "pwsh")
    assert out.returncode == 0, out.stderr
    statements = interpret(out.stdout)
    values = sets(statements)
    assert values["$env:AWS_REGION"] == WEIRD_REGION
    assert values["$env:AWS_DEFAULT_REGION"] == WEIRD_REGION
    assert values["$env:AWS_VAULT"] == "weird"
    assert "AWS_PROFILE" in unsets(statements)
    check_snapshot("pwsh-export-no-session.ps1", normalize(out.stdout, sandbox.root))

    sandbox.add(WEIRD_PROFILE, f"[profile {WEIRD_PROFILE}]\nregion = eu-west-1\n")
    out = run(sandbox, "export", WEIRD_PROFILE, "--format", "pwsh")
    assert out.returncode == 0, out.stderr
    values = sets(interpret(out.stdout))
    assert values["$env:AWS_VAULT"] == WEIRD_PROFILE
    assert values["$env:AWS_SESSION_TOKEN"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", values["$env:AWS_CREDENTIAL_EXPIRATION"])
    check_snapshot("pwsh-export-session.ps1", normalize(out.stdout, sandbox.root))


def test_use_prints_statements_for_pwsh(sandbox):
    sandbox.add(WEIRD_PROFILE, f"[profile {WEIRD_PROFILE}]\nregion = eu-west-1\n")
    env = sandbox.env(PWD=sandbox.home, __VAULT_SHELL="pwsh", AWS_PROFILE=WEIRD)
    out = run(sandbox, "use", WEIRD_PROFILE, env=env)
    assert out.returncode == 0, out.stderr
    statements = interpret(out.stdout)
    assert sets(statements)["$env:AWS_VAULT"] == WEIRD_PROFILE
    check_snapshot("pwsh-use.ps1", normalize(out.stdout, sandbox.root))

    active = apply(statements, env)
    out = run(sandbox, "unuse", env=active)
    assert out.returncode == 0, out.stderr
    assert apply(interpret(out.stdout), active)["AWS_PROFILE"] == WEIRD


def test_snapshots_parse():
    """The stored snapshots are PowerShell too (so a reviewer reads valid code)."""
    names = sorted(p.name for p in SNAPSHOTS.glob("pwsh-*.ps1"))
    assert names, f"no snapshots in {SNAPSHOTS} (UPDATE_SNAPSHOTS=1 writes them)"
    for name in names:
        assert_parses((SNAPSHOTS / name).read_bytes().decode("utf-8"), name)
