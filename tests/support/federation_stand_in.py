"""A stand-in for the AWS console federation endpoint, for the pytest suites (no emulator
exists for it): every getSigninToken request gets `token`, and each request's query is kept."""
import contextlib
import http.server
import json
import threading
import urllib.parse


@contextlib.contextmanager
def federation(token: str):
    """Serve on a free loopback port; yields (endpoint URL, the list of parsed queries)."""
    requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query))
            body = json.dumps({"SigninToken": token}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/federation", requests
    finally:
        server.shutdown()
