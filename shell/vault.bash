# vault shell integration for bash (4.2+). Load it from ~/.bashrc with:
#   eval "$(vault hook bash)"
# Loading it twice is harmless: functions are redefined and the hook is registered once.
# shellcheck shell=bash

__vault_bin='@VAULT@'

# The nearest .awsvault from $PWD upward, exactly as vault finds it (folders of that name,
# like aws-vault's ~/.awsvault/, are skipped). Sets __vault_found ('' when none).
__vault_nearest() {
  local dir=${PWD%/}
  while :; do
    if [[ (-e $dir/.awsvault || -L $dir/.awsvault) && ! -d $dir/.awsvault ]]; then
      __vault_found=$dir/.awsvault
      return 0
    fi
    [[ -n $dir ]] || break
    dir=${dir%/*}
  done
  __vault_found=
}

# How the trust records judge the watched file now: a(llowed) c(hanged) u(nknown) d(enied).
__vault_judge() {
  __vault_judgement=
  [[ -n ${__vault_w_allow-} ]] || return 0
  if [[ -e $__vault_w_deny ]]; then
    __vault_judgement=d
  elif [[ -e $__vault_w_allow ]]; then
    local rec=
    IFS= read -r rec <"$__vault_w_allow" 2>/dev/null
    if [[ $rec == "$__vault_w_hash" ]]; then __vault_judgement=a; else __vault_judgement=c; fi
  else
    __vault_judgement=u
  fi
}

# True when nothing vault decides on can have changed since it last ran: same nearest file,
# same bytes, same trust, and no renewal due. No process is started.
__vault_unchanged() {
  [[ -n ${__vault_w_next-} ]] || return 1
  local now=${EPOCHSECONDS-}
  [[ -n $now ]] || printf -v now '%(%s)T' -1 2>/dev/null || return 1
  ((now < __vault_w_next)) || return 1
  __vault_nearest
  [[ $__vault_found == "${__vault_w_file-}" ]] || return 1
  [[ -n $__vault_found ]] || return 0
  local body=
  IFS= read -r -d '' body <"$__vault_found" 2>/dev/null
  [[ $body == "${__vault_w_body-}" ]] || return 1
  __vault_judge
  [[ $__vault_judgement == "${__vault_w_seen-}" ]]
}

# Apply statements from vault with Ctrl-C ignored, so the environment is never half-changed.
__vault_apply() {
  [[ -n $1 ]] || return 0
  trap '' INT
  eval "$1"
  trap - INT
  __vault_judge
  __vault_w_seen=$__vault_judgement
}

__vault_hook() {
  local __vault_status=$?
  if ! __vault_unchanged; then
    __vault_apply "$("$__vault_bin" hook-env bash)"
  fi
  return "$__vault_status"
}

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
vault() {
  case ${1-} in
    use | unuse | reload)
      local __vault_out
      __vault_out=$(__VAULT_SHELL=bash "$__vault_bin" "$@") || return
      __vault_apply "$__vault_out"
      ;;
    allow | deny)
      "$__vault_bin" "$@" || return
      __vault_w_next=0
      ;;
    *) "$__vault_bin" "$@" ;;
  esac
}

# Prompt segment, e.g. PS1='$(__vault_prompt)\$ '. Starts a process only while active.
__vault_prompt() {
  [[ -n ${AWS_VAULT-} ]] || return 0
  "$__vault_bin" prompt "$@"
}

# Run first at each prompt (before starship and friends compute PS1). PROMPT_COMMAND may be a
# string or, since bash 5.1, an array.
if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
  if [[ " ${PROMPT_COMMAND[*]} " != *" __vault_hook "* ]]; then
    PROMPT_COMMAND=(__vault_hook "${PROMPT_COMMAND[@]}")
  fi
elif [[ ";${PROMPT_COMMAND-};" != *";__vault_hook;"* ]]; then
  PROMPT_COMMAND="__vault_hook${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi
