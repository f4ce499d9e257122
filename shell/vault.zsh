# vault shell integration for zsh. Load it from ~/.zshrc with:
#   eval "$(vault hook zsh)"
# Loading it twice is harmless: functions are redefined and the hook is registered once, first.

# The clock, and opening and reading a file, without a fork.
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null
zmodload -F zsh/system b:sysopen b:sysread 2>/dev/null

typeset -g __vault_bin='@VAULT@' __vault_shell=zsh
# What `vault hook-env` last reported (shell-local, never exported), and scratch values.
typeset -g __vault_w_pwd __vault_w_next __vault_p_profile __vault_p_expires __vault_o
typeset -g __vault_segment
typeset -ga __vault_w

# A regular file as zsh observes it, the same string as bash (see vault.bash), opened without
# following a link and without blocking, and read with one read() of at most 4096 bytes. Sets
# __vault_o.
__vault_read_file() {
  setopt no_multibyte
  local fd buf=
  if sysopen -r -o nofollow,nonblock -u fd "$1" 2>/dev/null; then
    sysread -s 4096 -i $fd buf 2>/dev/null
    exec {fd}<&-
  fi
  if [[ $buf == *$'\0'* ]]; then
    __vault_o="f0${buf%%$'\0'*}"
  elif (( ${#buf} >= 4096 )); then
    __vault_o="f0$buf"
  else
    __vault_o="f1$buf"
  fi
}

# Run vault and apply the statements it prints. Ctrl-C is ignored by the shell meanwhile: it
# reaches only vault (where it cancels an MFA prompt, which vault records so it does not ask
# again at every prompt) and can never leave the environment half-changed. The trap is local to
# this function (emulate -L), so the user's own INT trap is untouched.
__vault_run() {
  trap '' INT
  local __vault_out __vault_rc
  __vault_out=$(__VAULT_SHELL=zsh "$__vault_bin" "$@")
  __vault_rc=$?
  # Statements count only from a vault that finished: never half an output.
  if (( __vault_rc == 0 )) && [[ -n $__vault_out ]]; then
    eval "$__vault_out"
  fi
  return __vault_rc
}

# @POSIX@

# Every function above runs with zsh's own options, whatever the user's are (but
# __vault_hook, which must read `$?` before anything runs, and only saves and returns it).
() {
  local f
  for f in __vault_observe __vault_read_file __vault_run __vault_unchanged __vault_segment_update __vault_check \
    vault __vault_prompt; do
    functions[$f]="emulate -L zsh; ${functions[$f]}"
  done
}

# Run first (before prompt themes compute the prompt), and only once however often this is
# loaded.
() {
  emulate -L zsh
  typeset -ga chpwd_functions precmd_functions
  chpwd_functions=(__vault_hook ${chpwd_functions:#__vault_hook})
  precmd_functions=(__vault_hook ${precmd_functions:#__vault_hook})
}
