Remove-Item -ErrorAction Ignore Env:AWS_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_SECURITY_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWSUME_PROFILE
Remove-Item -ErrorAction Ignore Env:AWSUME_EXPIRATION
$env:AWS_VAULT = 'we''ird ‘‘q’’ ‚‚l‛‛ $x `t'
$env:AWS_ACCESS_KEY_ID = 'AKIAIOSFODNN7EXAMPLE'
$env:AWS_SECRET_ACCESS_KEY = '<volatile>'
$env:AWS_SESSION_TOKEN = '<volatile>'
$env:AWS_CREDENTIAL_EXPIRATION = '<volatile>'
