"""Run moto's server (the STS/IAM emulator) on 127.0.0.1:PORT until stdin closes.

The test harness starts this with a pipe on stdin; when the test process exits, the pipe
closes and the server stops, so no emulator outlives its test run.
"""
import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    print("ready", flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
