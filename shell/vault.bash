# vault shell integration for bash (4.2+). Load it from ~/.bashrc with:
#   eval "$(vault hook bash)"
# Loading it twice is harmless: functions are redefined and the hook is registered once, first.
# shellcheck shell=bash

__vault_bin='@VAULT@'
__vault_shell=bash
# The watch record hook-env keeps here survives loading the glue again.
__vault_w=(${__vault_w[@]+"${__vault_w[@]}"})

# A regular file as bash observes it: `f`, then 1 if the file ended before a NUL and before
# 4096 bytes (0 if not), then those bytes. One `read` of one 4096-byte block (the caller,
# __vault_unchanged, is in the C locale, so `-n` counts bytes). Sets __vault_o.
__vault_read_file() {
  local __vault_buf='' __vault_ended=0
  IFS= read -r -n 4096 -d '' __vault_buf <"$1" 2>/dev/null || __vault_ended=1
  __vault_o="f$__vault_ended$__vault_buf"
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
  fi
  if [[ -n $__vault_trap ]]; then eval "$__vault_trap"; else trap - INT; fi
  return "$__vault_rc"
}

# @POSIX@

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
