"""Write items the way aws-vault's file backend does: python3 aws_vault_file.py DIR < SPEC.

SPEC is JSON: {"passphrase": "...", "items": {"NAME": {credentials JSON}, ...}}. Each item becomes
one file in DIR, named after the item with '%' and '/' percent-encoded, holding a JWE compact
token (PBES2-HS256+A128KW, A256GCM, made by jwcrypto) of the keyring library's item JSON, whose
Data field is the credentials JSON in base64 -- as 99designs/keyring's file backend writes them.
"""
import base64
import json
import os
import sys
import time

try:
    from jwcrypto import jwe, jwk
except ImportError:
    sys.exit("jwcrypto is required for the import tests (pip install jwcrypto)")


def file_name(item: str) -> str:
    out = []
    for c in item:
        if c in "%/":
            out.extend(f"%{b:02X}" for b in c.encode())
        else:
            out.append(c)
    return "".join(out)


def main() -> None:
    directory = sys.argv[1]
    spec = json.load(sys.stdin)
    key = jwk.JWK.from_password(spec["passphrase"])
    os.makedirs(directory, mode=0o700, exist_ok=True)
    for name, creds in spec["items"].items():
        data = json.dumps(creds, separators=(",", ":")).encode()
        item = {
            "Key": name,
            "Data": base64.b64encode(data).decode(),
            "Label": f"aws-vault ({name})",
            "Description": "",
            "KeychainNotTrustApplication": True,
            "KeychainNotSynchronizable": False,
        }
        header = {
            "alg": "PBES2-HS256+A128KW",
            "enc": "A256GCM",
            "p2c": 8192,
            "created": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        token = jwe.JWE(json.dumps(item, separators=(",", ":")).encode(), protected=json.dumps(header))
        token.add_recipient(key)
        path = os.path.join(directory, file_name(name))
        with open(path, "w") as f:
            f.write(token.serialize(compact=True))
        os.chmod(path, 0o600)


if __name__ == "__main__":
    main()
