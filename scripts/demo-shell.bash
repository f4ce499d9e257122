# Sourced by scripts/demo.sh in a bash with the demo's environment: a scripted shell session.
# Each "prompt" runs the hook exactly as PROMPT_COMMAND would before showing the next prompt.
# demo.sh passes the binary in DEMO_VAULT.
eval "$("${DEMO_VAULT:?}" hook bash)"
prompt() {
  __vault_hook
  local segment
  segment=$(__vault_prompt)
  printf '\033[2m%s\033[0m%s$ \033[1m%s\033[0m\n' "${segment:+($segment) }" "${PWD/#$HOME/\~}" "$*"
}
creds() { printf '  AWS_VAULT=%s  AWS_REGION=%s  AWS_ACCESS_KEY_ID=%s  AWS_CREDENTIAL_EXPIRATION=%s\n' \
  "${AWS_VAULT-<unset>}" "${AWS_REGION-<unset>}" "${AWS_ACCESS_KEY_ID:-<unset>}" "${AWS_CREDENTIAL_EXPIRATION-<unset>}"; }

mkdir -p ~/work/shop/src
printf 'profile = "demo"\nregion = "eu-west-1"\n' > ~/work/shop/.awsvault
export AWS_REGION=us-east-2

prompt cd ~/work/shop; cd ~/work/shop || exit
prompt vault allow; vault allow
prompt creds; creds
prompt cd src; cd src || exit
prompt aws sts get-caller-identity --query Arn --output text; aws sts get-caller-identity --query Arn --output text
prompt cd ~; cd ~ || exit
prompt creds; creds
prompt vault use demo-admin; vault use demo-admin
prompt creds; creds
prompt vault unuse; vault unuse
prompt creds; creds
