Remove-Item -ErrorAction Ignore Env:AWS_VAULT
Remove-Item -ErrorAction Ignore Env:AWS_ACCESS_KEY_ID
Remove-Item -ErrorAction Ignore Env:AWS_SECRET_ACCESS_KEY
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_CREDENTIAL_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWS_REGION
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_REGION
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_SECURITY_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWSUME_EXPIRATION
Remove-Item -ErrorAction Ignore Env:__VAULT_STATE
$env:AWS_PROFILE = 'first
it''s ‘‘x’’ $y `z ; ''#
thirdfourth
'
$env:AWSUME_PROFILE = 'it''s ‘‘typo’’ ’’’’ ‚‚low‛‛ "dq" $HOME $(whoami) `n `$ ; a;b ''# \ {x} %s ünï 🙂'
$global:__vault_w_pwd = '<ROOT>/home'
$global:__vault_w_next = '<volatile>'
$global:__vault_p_profile = ''
$global:__vault_p_expires = '<volatile>'
$global:__vault_w = @('<ROOT>/home/.awsvault', '-', '<ROOT>/.awsvault', '-', '<above ROOT>/.awsvault', '-')
