# vault shell integration for bash (4.2+). Load it from ~/.bashrc with:
#   eval "$(vault hook bash)"
# Loading it twice is harmless: functions are redefined and the hook is registered once, first.
# shellcheck shell=bash

__vault_bin='@VAULT@'

# The nearest .awsvault from $PWD upward, exactly as vault finds it (folders of that name,
# like aws-vault's ~/.awsvault/, are skipped; a symlink counts, vault then refuses it).
# Sets __vault_found ('' when none).
__vault_nearest() {
  local dir=${PWD%/}
  while :; do
    if [[ -L $dir/.awsvault || (-e $dir/.awsvault && ! -d $dir/.awsvault) ]]; then
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
  if [[ -e ${__vault_w_deny-} ]]; then
    __vault_judgement=d
  elif [[ -e $__vault_w_allow ]]; then
    local rec=
    IFS= read -r rec <"$__vault_w_allow" 2>/dev/null
    if [[ $rec == "${__vault_w_hash-}" ]]; then __vault_judgement=a; else __vault_judgement=c; fi
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
  # vault reads regular files only (no symlink, no fifo that would block the prompt).
  [[ -L $__vault_found || ! -f $__vault_found ]] || IFS= read -r -d '' body <"$__vault_found" 2>/dev/null
  [[ $body == "${__vault_w_body-}" ]] || return 1
  __vault_judge
  [[ $__vault_judgement == "${__vault_w_seen-}" ]]
}

# Run vault and apply the statements it prints. Ctrl-C is ignored by the shell meanwhile: it
# reaches only vault (where it cancels an MFA prompt, which vault records so it does not ask
# again at every prompt) and can never leave the environment half-changed. The user's own INT
# trap is put back afterwards.
__vault_run() {
  local __vault_trap __vault_out __vault_rc
  __vault_trap=$(trap -p INT)
  trap '' INT
  __vault_out=$(__VAULT_SHELL=bash "$__vault_bin" "$@")
  __vault_rc=$?
  # Statements count only from a vault that finished: never half an output.
  if ((__vault_rc == 0)) && [[ -n $__vault_out ]]; then
    eval "$__vault_out"
    __vault_judge
    __vault_w_seen=$__vault_judgement
  fi
  if [[ -n $__vault_trap ]]; then eval "$__vault_trap"; else trap - INT; fi
  return "$__vault_rc"
}

# At each prompt. Returns the `$?` it found, for the prompt commands after it (bash itself
# keeps `$?` for PS1 and for the elements of an array PROMPT_COMMAND).
__vault_hook() {
  local __vault_status=$?
  __vault_unchanged || __vault_run hook-env bash
  return "$__vault_status"
}

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
# (`function vault` rather than `vault()`, so an alias named vault cannot break the definition.)
function vault {
  case ${1-} in
    use | unuse | reload)
      __vault_run "$@"
      ;;
    allow | deny)
      "$__vault_bin" "$@" || return
      __vault_w_next=0
      ;;
    *) "$__vault_bin" "$@" ;;
  esac
}

# Prompt segment, e.g. PS1='${AWS_VAULT:+[$(__vault_prompt)] }'"$PS1" (no subshell at all while
# nothing is active).
__vault_prompt() {
  [[ -n ${AWS_VAULT-} ]] || return 0
  "$__vault_bin" prompt "$@"
}

# Run first at each prompt (before starship and friends compute PS1). PROMPT_COMMAND may be a
# string or, since bash 5.1, an array. Loading again moves the hook back to the front.
if [[ $(declare -p PROMPT_COMMAND 2>/dev/null) == "declare -a"* ]]; then
  __vault_pcs=()
  for __vault_pc in "${PROMPT_COMMAND[@]}"; do
    [[ $__vault_pc == __vault_hook ]] || __vault_pcs+=("$__vault_pc")
  done
  PROMPT_COMMAND=(__vault_hook "${__vault_pcs[@]}")
  unset __vault_pcs
else
  __vault_pc=";${PROMPT_COMMAND-};"
  while [[ $__vault_pc == *";__vault_hook;"* ]]; do
    __vault_pc=${__vault_pc/;__vault_hook;/;}
  done
  __vault_pc=${__vault_pc#;}
  __vault_pc=${__vault_pc%;}
  # shellcheck disable=SC2178 # a string in this branch, an array only in the other one
  PROMPT_COMMAND="__vault_hook${__vault_pc:+;$__vault_pc}"
fi
unset __vault_pc
