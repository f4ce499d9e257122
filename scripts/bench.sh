#!/usr/bin/env bash
# `make bench`: what the shell hook costs at each prompt, side by side with direnv and mise.
#
# Each tool is set up on a comparable project in a throwaway HOME: vault on a folder with an
# allowed .awsvault (credentials from a session cached in the file store, fetched from a local
# STS emulator), direnv on a folder with an allowed .envrc exporting five
# variables, mise on a folder with a trusted mise.toml whose [env] sets five variables. For
# each shell and tool a fresh shell loads the tool's real hook (`eval "$(vault hook bash)"`,
# `eval "$(direnv hook bash)"`, `eval "$(mise activate bash)"`), runs one prompt (which
# activates, and is checked), then times PROMPTS more prompts with nothing changing: bash runs
# PROMPT_COMMAND, zsh its precmd_functions, fish emits fish_prompt. `none` is the same loop
# with no hook. `vault+ps1` is vault with a profile active and its prompt segment in the
# prompt, as README sets it up, expanded at each prompt (bash `${PS1@P}`, zsh `${(%%)PS1}`,
# fish `__vault_prompt`). Then, if BENCH_CD is not 0, the cost of entering and leaving the project
# (activation from the cache, and restoring the environment) is timed the same way; vault
# also with the kernel keyring (keyutils) when it works here. The file store remembers its
# unlock (VAULT_FILE_UNLOCK_TTL), as a user's does. Last, scripts/bench-exec.sh times
# one-shot commands: `vault exec NAME -- true` from the cached session against awsume switching
# the same profile, and `vault --version` against `true` (see that file).
#
# Usage: scripts/bench.sh [path/to/release/vault]
#   BENCH_PROMPTS (1000)  prompts per run     BENCH_REPS (3)  runs per cell, the median is shown
#   BENCH_CDS (20)        cd in/out cycles     BENCH_CD (1)    0 skips the cd measurement
#   BENCH_EXEC (1)        0 skips the one-shot commands (vault exec vs awsume, vault --version)
#   BENCH_EXEC_RUNS (20)  runs of vault exec and awsume   BENCH_FLOOR_RUNS (300)  of --version, true
#   BENCH_EXEC_ROUNDS (5) interleaved rounds the one-shot runs are split into
#   BENCH_SHELLS ("bash zsh fish")  the shells measured
#   BENCH_MUSL (target/x86_64-unknown-linux-musl/release/vault)  the static build whose
#                         `vault --version` is timed against the glibc build's and `true`
set -euo pipefail
export LC_ALL=C
here=$(cd "$(dirname "$0")/.." && pwd)
vault=$(realpath "${1:-$here/target/release/vault}")
prompts=${BENCH_PROMPTS:-1000}
reps=${BENCH_REPS:-3}
cds=${BENCH_CDS:-20}
cd_bench=${BENCH_CD:-1} # read now: BENCH_* is cleared from the environment below
# The static (musl) release build, compared with the glibc one at start-up (`make bench` builds it).
musl=${BENCH_MUSL:-$here/target/x86_64-unknown-linux-musl/release/vault}
read -ra shells <<<"${BENCH_SHELLS:-bash zsh fish}"
tools=(none vault vault+ps1 direnv mise)

die() { echo "bench: $*" >&2; exit 1; }
[[ -x $vault ]] || die "no vault binary at $vault (make bench builds target/release/vault)"
for tool in bash zsh fish direnv python3; do
  command -v "$tool" >/dev/null || die "$tool is not installed (apt-get install $tool)"
done
python3 -c 'import moto.server' 2>/dev/null || die "moto is not installed: run 'make test-deps' first"

# mise: on PATH, else the npm package installed once under target/bench-tools.
mise=$(command -v mise || true)
if [[ -z $mise ]]; then
  mise=$here/target/bench-tools/node_modules/.bin/mise
  if [[ ! -x $mise ]]; then
    command -v npm >/dev/null || die "mise is missing and npm is not installed to fetch it"
    echo "installing mise (npm @jdxcode/mise) into target/bench-tools ..." >&2
    npm install --silent --no-audit --no-fund --prefix "$here/target/bench-tools" @jdxcode/mise >&2
  fi
fi
[[ -x $mise ]] || die "mise could not be installed"
direnv=$(command -v direnv)
. "$here/scripts/bench-exec.sh"
exec_bench_tools

# A throwaway user: HOME, XDG folders, config, file store, trust records.
box=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# The STS emulator stops when this script's end of the pipe closes.
exec 3> >(exec python3 "$here/tests/support/moto_server.py" "$port" >/dev/null 2>&1)
profile=bench-$RANDOM$RANDOM # unique: the keyutils store is the user's own kernel keyring
keyutils=0
cleanup() {
  if ((keyutils)); then VAULT_BACKEND=keyutils "$vault" remove "$profile" -f >/dev/null 2>&1 || true; fi
  "$vault" lock >/dev/null 2>&1 || true # the file store's remembered unlock
  exec_bench_cleanup
  exec 3>&-
  rm -rf "$box"
}
trap cleanup EXIT
for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$port") 2>/dev/null && break; sleep 0.1; done

# Nothing from the caller's environment may change what the tools see.
for name in $(compgen -e); do
  case $name in
    AWS_* | __VAULT_* | VAULT_* | DIRENV_* | MISE_* | __MISE_* | BENCH_*) unset "$name" ;;
  esac
done
unset PROMPT_COMMAND
export HOME=$box/home SHELL=/bin/sh
export XDG_CONFIG_HOME=$HOME/.config XDG_DATA_HOME=$HOME/.local/share XDG_CACHE_HOME=$HOME/.cache
export XDG_STATE_HOME=$HOME/.local/state
export AWS_CONFIG_FILE=$HOME/.aws/config AWS_ENDPOINT_URL=http://127.0.0.1:$port
export VAULT_BACKEND=file VAULT_FILE_PASSPHRASE=bench-passphrase
export MISE_YES=1 MISE_LOG_LEVEL=warn
mkdir -p "$HOME/.aws" "$XDG_CONFIG_HOME" "$XDG_DATA_HOME" "$XDG_CACHE_HOME" "$XDG_STATE_HOME"
printf '[profile %s]\nregion = eu-west-1\n' "$profile" >"$AWS_CONFIG_FILE"
add() {
  AWS_ACCESS_KEY_ID=AKIABENCHEXAMPLE0001 AWS_SECRET_ACCESS_KEY=bench/secret/key/0001 \
    "$vault" add "$profile" --env --no-add-config >/dev/null 2>&1
}
add || die "vault add failed"

proj=$box/projects
mkdir -p "$proj/vault" "$proj/direnv" "$proj/mise"
printf 'profile = "%s"\n' "$profile" >"$proj/vault/.awsvault"
"$vault" allow "$proj/vault" >/dev/null 2>&1
for i in 1 2 3 4 5; do echo "export BENCH_VAR$i=value-$i"; done >"$proj/direnv/.envrc"
"$direnv" allow "$proj/direnv"
{ echo '[env]'; for i in 1 2 3 4 5; do echo "BENCH_VAR$i = \"value-$i\""; done; } >"$proj/mise/mise.toml"
"$mise" trust --quiet "$proj/mise/mise.toml" >/dev/null 2>&1 || "$mise" trust "$proj/mise/mise.toml"
# Cache the session: the hook then activates from the cache, as on any later visit.
"$vault" export "$profile" >/dev/null
if [[ $cd_bench != 0 || $exec_on != 0 ]] \
  && VAULT_BACKEND=keyutils add; then
  keyutils=1
  VAULT_BACKEND=keyutils "$vault" export "$profile" >/dev/null
fi
exec_bench_setup

# The shell drivers. Arguments: tool, project, prompts, cd cycles (0: time the prompt loop).
# Each prints "<µs per prompt>" or "<µs per cd in> <µs per cd out>" on the last line.
cat >"$box/drive.bash" <<'EOF'
tool=$1 project=$2 n=$3 cycles=$4 ps1=
[[ $tool == vault+ps1 ]] && tool=vault ps1='${__vault_segment:+[$__vault_segment] }\$ '
case $tool in
  vault) var=AWS_VAULT ;;
  none) var= ;;
  *) var=BENCH_VAR1 ;;
esac
cd "$project" || exit 1
case $tool in
  vault) eval "$("$BENCH_VAULT" hook bash)" ;;
  direnv) eval "$("$BENCH_DIRENV" hook bash)" ;;
  mise) eval "$("$BENCH_MISE" activate bash)" ;;
esac
prompt() {
  local c
  for c in "${PROMPT_COMMAND[@]}"; do eval "$c"; done
  [[ -z $ps1 ]] || __t_ps1=${ps1@P}
}
us() { __t=$((10#${EPOCHREALTIME/./})); } # µs, without a fork
active() { [[ -z $var || -n ${!var-} ]] || { echo "$tool did not activate in bash" >&2; exit 1; }; }
prompt; prompt; active
[[ -z $ps1 || $__t_ps1 == "["*"] "* ]] || { echo "no vault segment in the bash prompt" >&2; exit 1; }
if ((cycles == 0)); then
  us; start=$__t
  for ((i = 0; i < n; i++)); do prompt; done
  us; end=$__t
  active
  echo $(((end - start) / n))
else
  in=0 out=0
  for ((i = 0; i < cycles; i++)); do
    us; t0=$__t; cd ..; prompt; us; t1=$__t
    [[ -z $var || -z ${!var-} ]] || { echo "$tool did not deactivate in bash" >&2; exit 1; }
    cd "$project"; prompt; us; t2=$__t
    active
    out=$((out + t1 - t0)) in=$((in + t2 - t1))
  done
  echo $((in / cycles)) $((out / cycles))
fi
EOF
cat >"$box/drive.zsh" <<'EOF'
zmodload zsh/datetime
tool=$1 project=$2 n=$3 cycles=$4 ps1=
[[ $tool == vault+ps1 ]] && tool=vault ps1='${__vault_segment:+[$__vault_segment] }%# '
setopt prompt_subst
case $tool in
  vault) var=AWS_VAULT ;;
  none) var= ;;
  *) var=BENCH_VAR1 ;;
esac
cd $project || exit 1
case $tool in
  vault) eval "$($BENCH_VAULT hook zsh)" ;;
  direnv) eval "$($BENCH_DIRENV hook zsh)" ;;
  mise) eval "$($BENCH_MISE activate zsh)" ;;
esac
prompt() {
  local f
  for f in $precmd_functions; do $f; done
  [[ -z $ps1 ]] || __t_ps1=${(%%)ps1}
}
chpwd_all() { local f; for f in $chpwd_functions; do $f; done }
integer __t
us() { (( __t = EPOCHREALTIME * 1000000 )) } # µs, without a fork
active() { [[ -z $var || -n ${(P)var-} ]] || { print -u2 "$tool did not activate in zsh"; exit 1 } }
prompt; prompt; active
[[ -z $ps1 || $__t_ps1 == "["*"] "* ]] || { print -u2 "no vault segment in the zsh prompt"; exit 1 }
if (( cycles == 0 )); then
  us; start=$__t
  for ((i = 0; i < n; i++)); do prompt; done
  us; end=$__t
  active
  print $(( (end - start) / n ))
else
  # In an interactive zsh, cd runs chpwd_functions; in this script it must be done by hand.
  in=0 out=0
  for ((i = 0; i < cycles; i++)); do
    us; t0=$__t; cd ..; chpwd_all; prompt; us; t1=$__t
    [[ -z $var || -z ${(P)var-} ]] || { print -u2 "$tool did not deactivate in zsh"; exit 1 }
    cd $project; chpwd_all; prompt; us; t2=$__t
    active
    (( out += t1 - t0, in += t2 - t1 ))
  done
  print $(( in / cycles )) $(( out / cycles ))
fi
EOF
cat >"$box/drive.fish" <<'EOF'
set tool $argv[1]; set project $argv[2]; set n $argv[3]; set cycles $argv[4]
set ps1 0
if test $tool = vault+ps1
    set tool vault; set ps1 1
end
set var BENCH_VAR1
test $tool = vault; and set var AWS_VAULT
test $tool = none; and set var
cd $project; or exit 1
switch $tool
    case vault
        $BENCH_VAULT hook fish | source
    case direnv
        $BENCH_DIRENV hook fish | source
    case mise
        $BENCH_MISE activate fish | source
end
function prompt
    emit fish_prompt
    test $ps1 = 1; and set -g __t_ps1 (__vault_prompt)
end
function us
    math --scale=0 (date +%s%N) / 1000
end
function active
    test -z "$var"; or set -q $var; or begin
        echo "$tool did not activate in fish" >&2
        exit 1
    end
end
prompt; prompt; active
if test $ps1 = 1; and test -z "$__t_ps1"
    echo "no vault segment in the fish prompt" >&2
    exit 1
end
if test $cycles = 0
    set start (us)
    for i in (seq $n)
        prompt
    end
    set end (us)
    active
    math --scale=0 "($end - $start) / $n"
else
    # PWD changes fire the --on-variable PWD handlers, as in an interactive fish. fish 3 has no
    # clock without a fork (date), so what reading it costs is measured and taken off.
    set c0 (us)
    for i in (seq 20)
        us >/dev/null
    end
    set c1 (us)
    set clock (math --scale=0 "($c1 - $c0) / 21")
    set in 0; set out 0
    for i in (seq $cycles)
        set t0 (us); cd ..; prompt; set t1 (us)
        if test -n "$var"; and set -q $var
            echo "$tool did not deactivate in fish" >&2
            exit 1
        end
        cd $project; prompt; set t2 (us)
        active
        set out (math $out + $t1 - $t0); set in (math $in + $t2 - $t1)
    end
    echo (math --scale=0 "$in / $cycles - $clock") (math --scale=0 "$out / $cycles - $clock")
end
EOF
export BENCH_VAULT=$vault BENCH_DIRENV=$direnv BENCH_MISE=$mise

run() { # shell tool cycles [vault backend] -> last line of the driver
  local shell=$1 tool=$2 cycles=$3 backend=${4:-file} dir=$proj/$2 log=$box/log
  [[ $tool == none || $tool == vault+ps1 ]] && dir=$proj/vault
  local -a cmd
  case $shell in
    bash) cmd=(bash --norc --noprofile "$box/drive.bash") ;;
    zsh) cmd=(zsh -f "$box/drive.zsh") ;;
    fish) cmd=(fish --no-config "$box/drive.fish") ;;
  esac
  if ! VAULT_BACKEND=$backend "${cmd[@]}" "$tool" "$dir" "$prompts" "$cycles" >"$log.out" 2>"$log.err"; then
    cat "$log.err" >&2
    die "$tool in $shell failed"
  fi
  # Anything a hook said, except direnv's usual loading/unloading lines.
  sed 's/\x1b\[[0-9;]*m//g' "$log.err" | grep -v '^direnv: \(loading\|export\|unloading\)' | sed 's/^/  /' >&2 || true
  tail -n 1 "$log.out"
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
fmt_us() { awk -v u="$1" 'BEGIN { if (u >= 1000) printf "%.2f ms", u/1000; else printf "%d µs", u }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a/b; else print "-" }'; }

echo "vault $("$vault" --version | awk '{print $2}'), direnv $("$direnv" version), mise $("$mise" --version 2>/dev/null | awk '{print $1}')"
echo "bash ${BASH_VERSION%%(*}, $(zsh --version | awk '{print $1, $2}'), fish $(fish --version | awk '{print $3}'); $(nproc) CPUs"
echo
echo "Prompt with nothing changed: $prompts prompts per run, median of $reps runs, cost per prompt"
echo
header=$(printf '| %-5s | %9s | %9s | %9s | %9s | %9s | %12s | %16s | %11s | %-34s |' shell none vault vault+ps1 direnv mise vault/direnv vault+ps1/direnv mise/direnv "goal (both vault columns)")
echo "$header"
echo "${header//[^|]/-}"
verdict=0
declare -A cost
for shell in "${shells[@]}"; do
  for tool in "${tools[@]}"; do
    samples=()
    for ((r = 0; r < reps; r++)); do
      sample=$(run "$shell" "$tool" 0)
      samples+=("$sample")
    done
    cost[$shell.$tool]=$(median "${samples[@]}")
  done
  v=${cost[$shell.vault]} p=${cost[$shell.vault+ps1]} d=${cost[$shell.direnv]} m=${cost[$shell.mise]}
  worst=$((v > p ? v : p))
  if [[ $shell == fish ]]; then
    goal="vault <= direnv"
    met=$(awk -v v="$worst" -v d="$d" 'BEGIN { print (v <= d) ? "met" : "NOT met" }')
  else
    goal="vault <= 1/3 direnv"
    met=$(awk -v v="$worst" -v d="$d" 'BEGIN { print (3 * v <= d) ? "met" : "NOT met" }')
  fi
  [[ $met == met ]] || verdict=1
  printf '| %-5s | %9s | %9s | %9s | %9s | %9s | %12s | %16s | %11s | %-34s |\n' "$shell" \
    "$(fmt_us "${cost[$shell.none]}")" "$(fmt_us "$v")" "$(fmt_us "$p")" "$(fmt_us "$d")" \
    "$(fmt_us "$m")" "$(ratio "$v" "$d")" "$(ratio "$p" "$d")" "$(ratio "$m" "$d")" "$goal: $met"
done

if [[ $cd_bench != 0 ]]; then
  echo
  echo "Entering and leaving the project: $cds cd cycles per run, median of $reps runs, cost per cd + prompt"
  echo "(vault activates from its cached session; direnv and mise load their file)"
  echo
  cols=(vault:file)
  ((keyutils)) && cols+=(vault:keyutils)
  cols+=(direnv:- mise:-)
  header=$(for c in "${cols[@]}"; do t=${c%:*} b=${c#*:}; [[ $t == vault ]] && printf ' %16s |' "vault ($b)" || printf ' %16s |' "$t"; done)
  ratios=$(printf ' %s/direnv |' vault-file; ((keyutils)) && printf ' %s/direnv |' vault-keyutils)
  header=$(printf '| %-5s | %-6s |%s%s' shell "" "$header" "$ratios")
  echo "$header"
  echo "${header//[^|]/-}"
  for shell in "${shells[@]}"; do
    declare -A into=() outof=()
    for c in "${cols[@]}"; do
      tool=${c%:*} backend=${c#*:}
      [[ $backend == - ]] && backend='file'
      ins=() outs=()
      for ((r = 0; r < reps; r++)); do
        pair=$(run "$shell" "$tool" "$cds" "$backend")
        read -r a b <<<"$pair"
        ins+=("$a") outs+=("$b")
      done
      into[$c]=$(median "${ins[@]}") outof[$c]=$(median "${outs[@]}")
    done
    for phase in in out; do
      label=$shell
      [[ $phase == out ]] && label=
      line=$(printf '| %-5s | %-6s |' "$label" "cd $phase")
      for c in "${cols[@]}"; do
        if [[ $phase == in ]]; then v=${into[$c]}; else v=${outof[$c]}; fi
        line+=$(printf ' %16s |' "$(fmt_us "$v")")
      done
      for c in vault:file vault:keyutils; do
        [[ $c == vault:keyutils ]] && ! ((keyutils)) && continue
        w=$([[ $c == vault:file ]] && echo 17 || echo 21)
        if [[ $phase == in ]]; then
          line+=$(printf " %${w}s |" "$(ratio "${into[$c]}" "${into[direnv:-]}")")
        else
          line+=$(printf " %${w}s |" "$(ratio "${outof[$c]}" "${outof[direnv:-]}")")
        fi
      done
      echo "$line"
    done
  done
fi
exec_bench

# Start-up of the static (musl) build against the glibc (dynamic) one: a static binary has no
# dynamic loader to run. Interleaved rounds, as the one-shot commands above.
musl_bench() {
  [[ $exec_on != 0 ]] || return 0
  echo
  if [[ ! -x $musl ]]; then
    echo "Static (musl) build: none at $musl (make bench builds it; scripts/test-musl.sh build release)"
    return 0
  fi
  local per=$(((floor_runs + exec_rounds - 1) / exec_rounds)) round key met
  local -A rounds_of=() t=()
  for ((round = 0; round < exec_rounds; round++)); do
    rounds_of[true]+=" $(time_cmd "$per" 10 -- true)"
    rounds_of[glibc]+=" $(time_cmd "$per" 10 -- "$vault" --version)"
    rounds_of[musl]+=" $(time_cmd "$per" 10 -- "$musl" --version)"
  done
  for key in true glibc musl; do
    # shellcheck disable=SC2086 # word splitting wanted
    t[$key]=$(median ${rounds_of[$key]})
  done
  echo "Start-up, glibc and static musl builds (release): $floor_runs runs in $exec_rounds interleaved rounds, median"
  echo
  local header
  header=$(printf '| %-44s | %9s | %-12s | %-22s |' command median ratio goal)
  echo "$header"
  echo "${header//[^|]/-}"
  musl_row() { printf '| %-44s | %9s | %-12s | %-22s |\n' "$1" "$(fmt_us "$2")" "$3" "$4"; }
  musl_row "true" "${t[true]}" "" ""
  musl_row "vault --version (glibc, dynamically linked)" "${t[glibc]}" "$(ratio "${t[glibc]}" "${t[true]}")x true" ""
  met=$(awk -v f="${t[true]}" -v v="${t[musl]}" 'BEGIN { print (v <= 1.5 * f) ? "met" : "NOT met" }')
  [[ $met == met ]] || verdict=1
  musl_row "vault --version (musl, static)" "${t[musl]}" "$(ratio "${t[musl]}" "${t[true]}")x true" "<= 1.5x true: $met"
}
musl_bench
echo
if ((verdict == 0)); then echo "goals met"; else echo "goals NOT met"; fi
