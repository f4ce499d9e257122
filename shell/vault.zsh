# vault shell integration for zsh. Load it from ~/.zshrc with:
#   eval "$(vault hook zsh)"
# Loading it twice is harmless: functions are redefined and the hook is registered once, first.

zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null # the clock without a fork

typeset -g __vault_bin='@VAULT@'
# What `vault hook-env` last reported (shell-local, never exported), and scratch values.
typeset -g __vault_w_file __vault_w_body __vault_w_allow __vault_w_hash __vault_w_deny
typeset -g __vault_w_next __vault_w_seen __vault_found __vault_judgement

# The nearest .awsvault from $PWD upward, exactly as vault finds it (folders of that name,
# like aws-vault's ~/.awsvault/, are skipped; a symlink counts, vault then refuses it).
# Sets __vault_found ('' when none).
__vault_nearest() {
  emulate -L zsh
  local dir=${PWD%/}
  while :; do
    if [[ -L $dir/.awsvault || ( -e $dir/.awsvault && ! -d $dir/.awsvault ) ]]; then
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
  emulate -L zsh
  __vault_judgement=
  [[ -n $__vault_w_allow ]] || return 0
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
  emulate -L zsh
  [[ -n $__vault_w_next ]] || return 1
  local now=${EPOCHSECONDS-}
  [[ -n $now ]] || return 1
  (( now < __vault_w_next )) || return 1
  __vault_nearest
  [[ $__vault_found == "$__vault_w_file" ]] || return 1
  [[ -n $__vault_found ]] || return 0
  local body=
  # vault reads regular files only (no symlink, no fifo that would block the prompt).
  [[ -L $__vault_found || ! -f $__vault_found ]] || IFS= read -r -d '' body <"$__vault_found" 2>/dev/null
  [[ $body == "$__vault_w_body" ]] || return 1
  __vault_judge
  [[ $__vault_judgement == "$__vault_w_seen" ]]
}

# Run vault and apply the statements it prints. Ctrl-C is ignored by the shell meanwhile: it
# reaches only vault (where it cancels an MFA prompt, which vault records so it does not ask
# again at every prompt) and can never leave the environment half-changed. The trap is local to
# this function (emulate -L), so the user's own INT trap is untouched.
__vault_run() {
  emulate -L zsh
  trap '' INT
  local __vault_out __vault_rc
  __vault_out=$(__VAULT_SHELL=zsh "$__vault_bin" "$@")
  __vault_rc=$?
  # Statements count only from a vault that finished: never half an output.
  if (( __vault_rc == 0 )) && [[ -n $__vault_out ]]; then
    eval "$__vault_out"
    __vault_judge
    __vault_w_seen=$__vault_judgement
  fi
  return __vault_rc
}

# At each prompt and at each change of directory (so `cd x && cmd` sees the new profile).
__vault_hook() {
  local __vault_status=$?
  emulate -L zsh
  __vault_unchanged || __vault_run hook-env zsh
  return __vault_status
}

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
function vault {
  emulate -L zsh
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

# Prompt segment, e.g. setopt prompt_subst; PROMPT='${AWS_VAULT:+[$(__vault_prompt)] }'$PROMPT
# (no subshell at all while nothing is active).
__vault_prompt() {
  [[ -n ${AWS_VAULT-} ]] || return 0
  "$__vault_bin" prompt "$@"
}

# Run first (before prompt themes compute the prompt), and only once however often this is
# loaded.
() {
  emulate -L zsh
  typeset -ga chpwd_functions precmd_functions
  chpwd_functions=(__vault_hook ${chpwd_functions:#__vault_hook})
  precmd_functions=(__vault_hook ${precmd_functions:#__vault_hook})
}
