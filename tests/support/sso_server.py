"""A stand-in for IAM Identity Center's OIDC and portal APIs on 127.0.0.1, until stdin closes.

Run as `sso_server.py [PORT]` (0 or none: a free port); it prints `ready PORT` once listening.

moto has no SSO services, so the SSO tests point AWS_ENDPOINT_URL_SSO_OIDC and
AWS_ENDPOINT_URL_SSO here. It speaks the REST-JSON shapes aws-sdk-ssooidc and aws-sdk-sso use:

  POST /client/register         RegisterClient
  POST /device_authorization    StartDeviceAuthorization
  POST /token                   CreateToken (device_code, authorization_code with PKCE, or
                                refresh_token: the authorization code's tokens come with a
                                refresh token, used once: each refresh answers a new one)
  GET  /authorize               the authorization code flow's browser page: checks the client,
                                its registered loopback redirect and the S256 challenge, then
                                redirects (302) to redirect_uri?code=..&state=.. at once, as if
                                the user approved (the tests' browsers follow it)
  GET  /federation/credentials  GetRoleCredentials (x-amz-sso_bearer_token header)
  GET  /assignment/accounts     ListAccounts (paged: SSO_PAGE_SIZE a page)
  GET  /assignment/roles        ListAccountRoles (paged likewise)

and, for the tests only:

  GET  /__stats                 how many times each operation was called (JSON)
  POST /__revoke                forget every issued access token (as a sign-out would)
  POST /__revoke_refresh        forget every issued refresh token (expired or revoked)
  GET  /__refresh_tokens        every refresh token ever issued (JSON list), for the tests
                                that look for them where they must not be
  POST /__accounts              replace the accounts and roles (the JSON body, as SSO_ACCOUNTS)

Behaviour, from the environment:
  SSO_MODE        ok (default): CreateToken answers authorization_pending SSO_PENDING times,
                  then a token; deny: AccessDeniedException; expire: ExpiredTokenException;
                  never: authorization_pending forever; hostile: like ok, but each
                  secretAccessKey ends in a line break and a forged `[profile evil]` section
  SSO_PENDING     pending answers before the token (default 2)
  SSO_INTERVAL    polling interval given to the client, seconds (default 1)
  SSO_EXPIRES_IN  lifetime of a device authorization, seconds (default 600)
  SSO_TOKEN_TTL   lifetime of an access token, seconds (default 28800)
  SSO_REFRESHED_TTL  lifetime of an access token from a refresh token (default SSO_TOKEN_TTL)
  SSO_VERIFICATION_URI  the verification page to answer, as given (a hostile endpoint's:
                  file:///..., with control characters...); default an https:// page on this
                  server (never fetched: the tests' browsers only record what they are given)
  SSO_USER_CODE   the user code to answer (default a random ABCD-EFGH)
  SSO_ACCOUNTS    the accounts ListAccounts answers, JSON: [{"id", "name", "email", "roles":
                  [...]}] (default one account, 111122223333 "dev" with role Developer)
  SSO_PAGE_SIZE   accounts or roles a page at most (default 2, so listings are paged)
  SSO_REVOKE_AT   the Nth listing call (ListAccounts and ListAccountRoles counted together)
                  first forgets every access token, once: a sign-in that ends mid-listing
  SSO_STATE       ok (default); wrong: /authorize redirects with a state that is not the one
                  it was given (as a forged callback would); deny: it redirects with
                  error=access_denied
"""
import base64
import hashlib
import json
import os
import secrets
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MODE = os.environ.get("SSO_MODE", "ok")
PENDING = int(os.environ.get("SSO_PENDING", "2"))
INTERVAL = int(os.environ.get("SSO_INTERVAL", "1"))
EXPIRES_IN = int(os.environ.get("SSO_EXPIRES_IN", "600"))
TOKEN_TTL = int(os.environ.get("SSO_TOKEN_TTL", "28800"))
REFRESHED_TTL = int(os.environ.get("SSO_REFRESHED_TTL") or TOKEN_TTL)
VERIFICATION_URI = os.environ.get("SSO_VERIFICATION_URI")
USER_CODE = os.environ.get("SSO_USER_CODE")
ACCOUNTS = [json.loads(os.environ.get("SSO_ACCOUNTS") or
            '[{"id": "111122223333", "name": "dev", "email": "dev@example.com", "roles": ["Developer"]}]')]
PAGE_SIZE = int(os.environ.get("SSO_PAGE_SIZE", "2"))
REVOKE_AT = int(os.environ.get("SSO_REVOKE_AT", "0"))
STATE_MODE = os.environ.get("SSO_STATE", "ok")
LISTINGS = [0]

LOCK = threading.Lock()
STATS = {
    "RegisterClient": 0,
    "StartDeviceAuthorization": 0,
    "CreateToken": 0,
    "RefreshToken": 0,  # the CreateToken calls with grant_type=refresh_token
    "GetRoleCredentials": 0,
    "Authorize": 0,
    "ListAccounts": 0,
    "ListAccountRoles": 0,
}
CLIENTS = {}  # client id -> secret
GRANTS = {}  # client id -> (grant types, redirect uris) it registered
CODES = {}  # authorization code -> (client id, redirect uri, challenge)
DEVICES = {}  # device code -> polls so far
TOKENS = set()
REFRESH = {}  # refresh token -> the client id it was issued to (until used or revoked)
ISSUED_REFRESH = []  # every refresh token ever issued
KEYS = [0]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # keep the test output clean
        pass

    def reply(self, status, body, error_type=None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if error_type:
            self.send_header("x-amzn-ErrorType", error_type)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, error_type, error, description):
        self.reply(
            status,
            {"error": error, "error_description": description, "message": description},
            error_type,
        )

    def body(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        return json.loads(raw or b"{}")

    def do_POST(self):
        path = urlparse(self.path).path
        body = self.body()
        with LOCK:
            if path == "/client/register":
                STATS["RegisterClient"] += 1
                if not body.get("clientName") or body.get("clientType") != "public":
                    return self.error(400, "InvalidClientMetadataException", "invalid_client_metadata", "clientName and a public clientType are required")
                client_id = "client-" + secrets.token_hex(6)
                CLIENTS[client_id] = "secret-" + secrets.token_hex(12)
                GRANTS[client_id] = (body.get("grantTypes") or [], body.get("redirectUris") or [])
                if "authorization_code" in GRANTS[client_id][0] and (
                        not body.get("issuerUrl") or body.get("scopes") != ["sso:account:access"]):
                    return self.error(400, "InvalidRequestException", "invalid_request", "issuerUrl and scopes are required")
                now = int(time.time())
                return self.reply(200, {
                    "clientId": client_id,
                    "clientSecret": CLIENTS[client_id],
                    "clientIdIssuedAt": now,
                    "clientSecretExpiresAt": now + 90 * 86400,
                })
            if path == "/device_authorization":
                STATS["StartDeviceAuthorization"] += 1
                if CLIENTS.get(body.get("clientId")) != body.get("clientSecret"):
                    return self.error(400, "InvalidClientException", "invalid_client", "unknown client")
                if not body.get("startUrl"):
                    return self.error(400, "InvalidRequestException", "invalid_request", "startUrl is required")
                device_code = "device-" + secrets.token_hex(8)
                DEVICES[device_code] = 0
                user_code = USER_CODE or "%s-%s" % (secrets.token_hex(2).upper(), secrets.token_hex(2).upper())
                # AWS's pages are https; so is this one, though nothing serves it.
                base = "https://%s:%d/device" % self.server.server_address[:2]
                complete = base + "?user_code=" + user_code
                if VERIFICATION_URI is not None:
                    base = complete = VERIFICATION_URI
                return self.reply(200, {
                    "deviceCode": device_code,
                    "userCode": user_code,
                    "verificationUri": base,
                    "verificationUriComplete": complete,
                    "expiresIn": EXPIRES_IN,
                    "interval": INTERVAL,
                })
            if path == "/token":
                STATS["CreateToken"] += 1
                if CLIENTS.get(body.get("clientId")) != body.get("clientSecret"):
                    return self.error(400, "InvalidClientException", "invalid_client", "unknown client")
                if body.get("grantType") == "authorization_code":
                    return self.authorization_code(body)
                if body.get("grantType") == "refresh_token":
                    return self.refresh(body)
                if body.get("grantType") != "urn:ietf:params:oauth:grant-type:device_code":
                    return self.error(400, "UnsupportedGrantTypeException", "unsupported_grant_type", "device_code grant expected")
                code = body.get("deviceCode")
                if code not in DEVICES:
                    return self.error(400, "InvalidGrantException", "invalid_grant", "unknown device code")
                DEVICES[code] += 1
                if MODE == "deny":
                    return self.error(400, "AccessDeniedException", "access_denied", "the user denied the request")
                if MODE == "expire":
                    return self.error(400, "ExpiredTokenException", "expired_token", "the device code expired")
                if MODE == "never" or DEVICES[code] <= PENDING:
                    return self.error(400, "AuthorizationPendingException", "authorization_pending", "not approved yet")
                del DEVICES[code]
                token = "sso-token-" + secrets.token_hex(16)
                TOKENS.add(token)
                return self.reply(200, {"accessToken": token, "tokenType": "Bearer", "expiresIn": TOKEN_TTL})
            if path == "/__revoke":
                TOKENS.clear()
                return self.reply(200, {})
            if path == "/__revoke_refresh":
                REFRESH.clear()
                return self.reply(200, {})
            if path == "/__accounts":
                ACCOUNTS[0] = body
                return self.reply(200, {})
        self.error(404, "NotFound", "not_found", path)

    def authorization_code(self, body):
        """CreateToken for the code /authorize gave: the same client and redirect, and the
        verifier whose S256 hash is the challenge (RFC 7636 section 4.6)."""
        grant = CODES.pop(body.get("code"), None)
        if grant is None:
            return self.error(400, "InvalidGrantException", "invalid_grant", "unknown or used code")
        client_id, redirect_uri, challenge = grant
        if body.get("clientId") != client_id or body.get("redirectUri") != redirect_uri:
            return self.error(400, "InvalidGrantException", "invalid_grant", "another client or redirect")
        verifier = body.get("codeVerifier") or ""
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if len(verifier) < 43 or digest != challenge:
            return self.error(400, "InvalidGrantException", "invalid_grant", "the code verifier does not match")
        return self.tokens(client_id, TOKEN_TTL)

    def refresh(self, body):
        """CreateToken for a refresh token this client was given and has not used yet."""
        STATS["RefreshToken"] += 1
        if REFRESH.get(body.get("refreshToken") or "") != body.get("clientId"):
            return self.error(400, "InvalidGrantException", "invalid_grant", "the refresh token is expired, revoked or not this client's")
        del REFRESH[body["refreshToken"]]
        return self.tokens(body["clientId"], REFRESHED_TTL)

    def tokens(self, client_id, ttl):
        """A new access token and refresh token for `client_id`."""
        token = "sso-token-" + secrets.token_hex(16)
        TOKENS.add(token)
        refresh = "refresh-" + secrets.token_hex(16)
        REFRESH[refresh] = client_id
        ISSUED_REFRESH.append(refresh)
        return self.reply(200, {"accessToken": token, "tokenType": "Bearer", "expiresIn": ttl,
                                "refreshToken": refresh})

    def authorize(self, query):
        STATS["Authorize"] += 1
        one = lambda k: (query.get(k) or [""])[0]
        client_id, redirect_uri, state = one("client_id"), one("redirect_uri"), one("state")
        grants, uris = GRANTS.get(client_id, ([], []))
        loopback = urlparse(redirect_uri)
        registered = "%s://%s%s" % (loopback.scheme, loopback.hostname, loopback.path)
        if "authorization_code" not in grants or registered not in uris or not state:
            return self.error(400, "InvalidRequestException", "invalid_request", "unknown client or redirect")
        if one("response_type") != "code" or one("code_challenge_method") != "S256" \
                or not one("code_challenge") or one("scopes") != "sso:account:access":
            return self.error(400, "InvalidRequestException", "invalid_request", "a PKCE S256 code request expected")
        code = "code-" + secrets.token_hex(8)
        CODES[code] = (client_id, redirect_uri, one("code_challenge"))
        if STATE_MODE == "wrong":
            state += "-forged"
        answer = ("error=access_denied" if STATE_MODE == "deny" else "code=" + code) + "&state=" + state
        self.send_response(302)
        self.send_header("Location", redirect_uri + "?" + answer)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def listing(self, operation, query):
        """One page of `operation`, after the bearer token is checked (and maybe revoked)."""
        STATS[operation] += 1
        LISTINGS[0] += 1
        if LISTINGS[0] == REVOKE_AT:
            TOKENS.clear()
        if self.headers.get("x-amz-sso_bearer_token") not in TOKENS:
            return self.error(401, "UnauthorizedException", "unauthorized", "Session token not found or invalid")
        if operation == "ListAccounts":
            items = [{"accountId": a["id"], "accountName": a["name"], "emailAddress": a.get("email", "")}
                     for a in ACCOUNTS[0]]
            key = "accountList"
        else:
            account_id = (query.get("account_id") or [""])[0]
            account = [a for a in ACCOUNTS[0] if a["id"] == account_id]
            if not account:
                return self.error(400, "InvalidRequestException", "invalid_request", "unknown account")
            items = [{"roleName": r, "accountId": account_id} for r in account[0]["roles"]]
            key = "roleList"
        start = int((query.get("next_token") or ["0"])[0].removeprefix("page-") or 0)
        size = min(PAGE_SIZE, int((query.get("max_result") or [PAGE_SIZE])[0]))
        page = {key: items[start:start + size]}
        if start + size < len(items):
            page["nextToken"] = "page-%d" % (start + size)
        return self.reply(200, page)

    def do_GET(self):
        url = urlparse(self.path)
        with LOCK:
            if url.path == "/__stats":
                return self.reply(200, STATS)
            if url.path == "/__refresh_tokens":
                return self.reply(200, ISSUED_REFRESH)
            if url.path == "/authorize":
                return self.authorize(parse_qs(url.query))
            if url.path == "/assignment/accounts":
                return self.listing("ListAccounts", parse_qs(url.query))
            if url.path == "/assignment/roles":
                return self.listing("ListAccountRoles", parse_qs(url.query))
            if url.path == "/federation/credentials":
                STATS["GetRoleCredentials"] += 1
                query = parse_qs(url.query)
                if self.headers.get("x-amz-sso_bearer_token") not in TOKENS:
                    return self.error(401, "UnauthorizedException", "unauthorized", "Session token not found or invalid")
                if not query.get("role_name") or not query.get("account_id"):
                    return self.error(400, "InvalidRequestException", "invalid_request", "role_name and account_id are required")
                KEYS[0] += 1
                secret = secrets.token_hex(20)
                if MODE == "hostile":
                    secret += "\n[profile evil]\ncredential_process = sh -c 'touch /tmp/pwned'"
                return self.reply(200, {"roleCredentials": {
                    "accessKeyId": "ASIASSO%013d" % KEYS[0],
                    "secretAccessKey": secret,
                    "sessionToken": "sso-%s-%s-%s" % (query["account_id"][0], query["role_name"][0], secrets.token_hex(8)),
                    "expiration": int((time.time() + 3600) * 1000),
                }})
        self.error(404, "NotFound", "not_found", url.path)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print("ready %d" % server.server_address[1], flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
