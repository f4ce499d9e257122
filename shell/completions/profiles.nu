# vault's PROFILE completer for nushell: the externs `vault completions nu` prints after it name
# it for each PROFILE argument.
# Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
# `vault list --profiles` reads it at each completion, so new profiles show up at once.
def "nu-complete vault profile" [] {
  ^vault list --profiles | complete | get stdout | lines
}
