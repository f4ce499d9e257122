Remove-Item -ErrorAction Ignore Env:AWS_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_DEFAULT_PROFILE
Remove-Item -ErrorAction Ignore Env:AWS_SECURITY_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWSUME_PROFILE
Remove-Item -ErrorAction Ignore Env:AWSUME_EXPIRATION
Remove-Item -ErrorAction Ignore Env:AWS_SESSION_TOKEN
Remove-Item -ErrorAction Ignore Env:AWS_CREDENTIAL_EXPIRATION
$env:AWS_VAULT = 'weird'
$env:AWS_REGION = 'eu-west-1 it''s ‘‘q’’ ‚‚l‛‛ "d" $x $(y) `t a;b ''# \ {z}'
$env:AWS_DEFAULT_REGION = 'eu-west-1 it''s ‘‘q’’ ‚‚l‛‛ "d" $x $(y) `t a;b ''# \ {z}'
$env:AWS_ACCESS_KEY_ID = 'AKIAVAULTSHELLTEST01'
$env:AWS_SECRET_ACCESS_KEY = '<volatile>'
