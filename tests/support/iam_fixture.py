"""IAM set-up for the rotate tests, against a moto server: python3 iam_fixture.py URL CMD ARGS.

  create-user NAME            create the user and a first access key; print {"id":..,"secret":..}
  create-key NAME             one more access key for the user; print {"id":..,"secret":..}
  list-keys NAME [ID SECRET]  print the user's access key ids as a JSON list (signed with ID/SECRET)
  whoami ID SECRET            print the ARN GetCallerIdentity answers for that key
  deny-delete NAME            let NAME do everything but iam:DeleteAccessKey, then make the server
                              enforce IAM permissions from now on
"""
import json
import sys

import boto3
import requests


def client(url, service, key_id="testing", secret="testing"):
    return boto3.client(
        service,
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=key_id,
        aws_secret_access_key=secret,
    )


def main() -> None:
    url, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    if command in ("create-user", "create-key"):
        iam = client(url, "iam")
        if command == "create-user":
            iam.create_user(UserName=args[0])
        key = iam.create_access_key(UserName=args[0])["AccessKey"]
        print(json.dumps({"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}))
    elif command == "list-keys":
        iam = client(url, "iam", *args[1:3])
        keys = iam.list_access_keys(UserName=args[0])["AccessKeyMetadata"]
        print(json.dumps(sorted(k["AccessKeyId"] for k in keys)))
    elif command == "whoami":
        print(client(url, "sts", args[0], args[1]).get_caller_identity()["Arn"])
    elif command == "deny-delete":
        policy = {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Deny", "Action": "iam:DeleteAccessKey", "Resource": "*"},
            ],
        }
        client(url, "iam").put_user_policy(
            UserName=args[0], PolicyName="no-delete", PolicyDocument=json.dumps(policy)
        )
        requests.post(f"{url}/moto-api/reset-auth", data=b"0", timeout=10).raise_for_status()
    else:
        sys.exit(f"unknown command {command}")


if __name__ == "__main__":
    main()
