Remove-Item -ErrorAction Ignore Env:AWS_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_SECURITY_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWSUME_PROFILE
Remove-Item -ErrorAction Ignore Env:AWSUME_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWS_REGION
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_REGION
$env:AWS_VAULT = 'we''ird ‘‘q’’ ‚‚l‛‛ $x `t'
$env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
$env:AWS_SECRET_ACCESS_KEY = '<volatile>'
$env:AWS_SESSION_TOKEN = '<volatile>'
$env:AWS_CREDENTIAL_EXPIRATION = '<volatile>'
$env:__VAULT_STATE = '<volatile>'
$global:__vault_w_pwd = '<ROOT>/home/proj it''s ‘‘typo’’ ’’’’ ‚‚low‛‛ "dq" $HOME $(whoami) `n `$ ; a;b ''# \ {x} %s ünï 🙂
line two'
$global:__vault_w_next = '<volatile>'
$global:__vault_p_profile = 'we''ird ‘‘q’’ ‚‚l‛‛ $x `t'
$global:__vault_p_expires = '<volatile>'
$global:__vault_w = @('<ROOT>/home/proj it''s ‘‘typo’’ ’’’’ ‚‚low‛‛ "dq" $HOME $(whoami) `n `$ ; a;b ''# \ {x} %s ünï 🙂
line two/.awsvault', '?', '<ROOT>/home/.local/share/vault/trust/deny/<key>', '-', '<ROOT>/home/.local/share/vault/trust/allow/<key>', 'f81:<volatile>')
