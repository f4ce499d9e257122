# The part of the bash and zsh glue they share, word for word (`vault hook` puts it in place of
# the @POSIX@ line of vault.bash and vault.zsh). It is written in the common subset of both
# shells; the zsh glue runs every function here under `emulate -L zsh`.
#
# The glue knows no rule of vault's: `vault hook-env` decides, and hands back a watch record
# (__vault_w_pwd, __vault_w_next, and __vault_w: pairs of a path and how this shell observes
# it, see __vault_observe). While the record holds, nothing can have changed and no process is
# started; otherwise the binary is asked again.

# True while the watch record holds: the same $PWD, still naming the working directory (a
# renamed folder with a symlink in its place does not), the clock before the next check, and
# every watched path observed as recorded.
__vault_unchanged() {
  [[ -n ${__vault_w_next-} && -z ${__vault_w_next//[0-9]/} ]] || return 1
  [[ ${__vault_w_pwd-} == "$PWD" && $PWD -ef . ]] || return 1
  local now=${EPOCHSECONDS-}
  [[ -n $now ]] || printf -v now '%(%s)T' -1 2>/dev/null || return 1
  ((now < __vault_w_next)) || return 1
  # Bytes, not characters: bash's `read -n` counts in the locale, and the binary counts bytes.
  local LC_ALL=C
  set -- "${__vault_w[@]}"
  while (($# > 1)); do
    __vault_observe "$1"
    [[ $__vault_o == "$2" ]] || return 1
    shift 2
  done
}

# How this shell observes a watched path (the binary computes the same string,
# src/activate/watch/posix.rs): `-` missing, `l` symlink, `d` folder, `o` other, or for a regular
# file what __vault_read_file makes of it. Sets __vault_o.
__vault_observe() {
  if [[ ! -e $1 && ! -L $1 ]]; then
    __vault_o=-
  elif [[ -L $1 ]]; then
    __vault_o=l
  elif [[ -d $1 ]]; then
    __vault_o=d
  elif [[ -f $1 ]]; then
    __vault_read_file "$1"
  else
    __vault_o=o
  fi
}

# The prompt segment, `will 42m`, from the profile and expiry hook-env recorded: builtins only.
# Sets __vault_segment ('' while nothing is active).
__vault_segment_update() {
  __vault_segment=
  [[ -n ${AWS_VAULT-} && -n ${__vault_p_profile-} ]] || return 0
  __vault_segment=$__vault_p_profile
  [[ -n ${__vault_p_expires-} && -z ${__vault_p_expires//[0-9]/} ]] || return 0
  local now=${EPOCHSECONDS-} left
  [[ -n $now ]] || printf -v now '%(%s)T' -1 2>/dev/null || return 0
  left=$((__vault_p_expires - now))
  if ((left <= 0)); then
    __vault_segment+=" expired"
  elif ((left >= 3600)); then
    printf -v left '%dh%02dm' $((left / 3600)) $((left % 3600 / 60))
    __vault_segment+=" $left"
  elif ((left >= 60)); then
    __vault_segment+=" $((left / 60))m"
  else
    __vault_segment+=" ${left}s"
  fi
}

# At each prompt (zsh: and at each change of directory, so `cd x && cmd` sees the new
# profile). Returns the `$?` it found, for the prompt commands after it.
__vault_hook() {
  local __vault_status=$?
  __vault_check
  return "$__vault_status"
}

__vault_check() {
  __vault_unchanged || __vault_run hook-env "$__vault_shell"
  __vault_segment_update
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
    doctor)
      # What only this shell knows (none of it is exported), for this one process. With the
      # embedded binary gone, the vault on PATH says so.
      local __vault_first=${precmd_functions[1]-} __vault_doctor_bin=$__vault_bin
      [[ $__vault_shell == zsh ]] || __vault_first=${PROMPT_COMMAND[0]-}
      [[ -x $__vault_bin ]] || __vault_doctor_bin=vault
      __VAULT_DOCTOR_SHELL=$__vault_shell __VAULT_DOCTOR_BIN=$__vault_bin \
        __VAULT_DOCTOR_WATCH=${__vault_w_next-} __VAULT_DOCTOR_FIRST=$__vault_first \
        command "$__vault_doctor_bin" "$@"
      ;;
    *) "$__vault_bin" "$@" ;;
  esac
}

# Prompt segment. Without a fork: PS1='${__vault_segment:+[$__vault_segment] }'"$PS1" (the
# hook keeps __vault_segment current before the prompt is drawn). `$(__vault_prompt)` prints
# the same with builtins; `__vault_prompt --format '{profile}@{region}'` asks `vault prompt`.
__vault_prompt() {
  if (($#)); then
    [[ -n ${AWS_VAULT-} ]] || return 0
    "$__vault_bin" prompt "$@"
    return
  fi
  __vault_segment_update
  [[ -z $__vault_segment ]] || printf '%s\n' "$__vault_segment"
}
