#!/usr/bin/env bash
# `make demo`: the main job with no AWS account. A local STS emulator (moto's server), a
# throwaway HOME and the encrypted file store; then the commands a user would type.
#
# The binary: the one given, else the release build when there is one (`cargo build --release`
# first, which takes a second when it is up to date), else a debug build.
# Python's tools (moto's server, the AWS CLI): this machine's when it has both (`make
# test-deps` installs them), else PyPI's, in a venv under target/demo-tools: the system Python
# is never changed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "demo: $*" >&2; exit 1; }

if [[ -n ${1-} ]]; then
  vault=$(realpath "$1")
elif [[ -x $here/target/release/vault ]]; then
  (cd "$here" && cargo build --release --locked) || die "cargo build --release failed"
  vault=$here/target/release/vault
else
  (cd "$here" && cargo build --locked) || die "cargo build failed"
  vault=$here/target/debug/vault
fi

python=python3
if ! { python3 -c 'import moto.server' && command -v aws; } >/dev/null 2>&1; then
  venv=$here/target/demo-tools/venv
  if ! { "$venv/bin/python" -c 'import moto.server' && [[ -x $venv/bin/aws ]]; } >/dev/null 2>&1; then
    echo "installing moto[server] and awscli (PyPI) into target/demo-tools/venv ..." >&2
    python3 -m venv "$venv" || die "python3 -m venv failed (apt-get install python3-venv)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check 'moto[server]' awscli ||
      die "pip install 'moto[server]' awscli failed"
  fi
  python=$venv/bin/python
  PATH=$venv/bin:$PATH
fi

demo_home=$(mktemp -d)
port=$("$python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The emulator stops when this script's end of the pipe closes.
exec 3> >("$python" "$here/tests/support/moto_server.py" "$port" >/dev/null 2>&1)
# `vault lock` forgets the demo store's key, remembered in the kernel keyring while it ran.
cleanup() { "$vault" lock >/dev/null 2>&1 || true; exec 3>&-; rm -rf "$demo_home"; }
trap cleanup EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done

export HOME=$demo_home XDG_DATA_HOME=$demo_home/.local/share XDG_CACHE_HOME=$demo_home/.cache
export AWS_CONFIG_FILE=$demo_home/.aws/config
export AWS_ENDPOINT_URL=http://127.0.0.1:$port
export VAULT_BACKEND=file VAULT_FILE_PASSPHRASE=demo-passphrase
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_VAULT

show() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

echo "Demo HOME: $demo_home (file store, STS emulator at $AWS_ENDPOINT_URL)"
show env AWS_ACCESS_KEY_ID=AKIADEMOEXAMPLE0001 AWS_SECRET_ACCESS_KEY=demo/secret/key "$vault" add demo --env
mkdir -p "$demo_home/.aws"
printf 'region = eu-west-1\n\n[profile demo-admin]\nrole_arn = arn:aws:iam::123456789012:role/admin\nsource_profile = demo\n' >> "$AWS_CONFIG_FILE"
show cat "$AWS_CONFIG_FILE"
show "$vault" exec demo -- aws sts get-caller-identity --output table
show "$vault" exec demo-admin -- aws sts get-caller-identity --output table
show "$vault" export demo --format bash
show "$vault" export demo --format json
show "$vault" list
echo
echo "The file store holds only ciphertext:"
show ls -l "$XDG_DATA_HOME/vault/keys"

echo
echo "A bash session with the hook (eval \"\$(vault hook bash)\"):"
DEMO_VAULT=$vault bash --norc --noprofile "$here/scripts/demo-shell.bash"
