#!/usr/bin/env bash
# Install what the tests need, only what is missing: system packages (Debian) and Python
# packages. Safe to run again; `make test` runs it first.
set -euo pipefail

apt_packages=()
need() { command -v "$1" >/dev/null 2>&1 || apt_packages+=("$2"); }
need dbus-run-session dbus
need dbus-daemon dbus
need gnome-keyring-daemon gnome-keyring
need keyctl keyutils
need setsid util-linux
need python3 python3
need pip3 python3-pip

if ((${#apt_packages[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing system packages: ${apt_packages[*]} (install them as root, e.g. sudo apt-get install ${apt_packages[*]})" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${apt_packages[@]}" >/dev/null
fi

python_ok() { python3 -c 'import moto.server, flask, werkzeug' >/dev/null 2>&1 && command -v aws >/dev/null 2>&1; }
if ! python_ok; then
  python3 -m pip install --quiet --disable-pip-version-check 'moto[server]>=5.1' 'awscli>=1.40' \
    || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages 'moto[server]>=5.1' 'awscli>=1.40'
  hash -r
fi
python_ok || { echo "moto[server] or awscli did not install" >&2; exit 1; }
