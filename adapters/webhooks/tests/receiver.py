"""A webhook receiver for the tests of auth-webhooks, on 127.0.0.1 at a free port.

Every request is checked with the `standardwebhooks` package (the reference Python
implementation of Standard Webhooks), not with this project's code. Arguments: the
secret (`whsec_...`) and how many attempts of each webhook-id sent to `/flaky` to answer
503 before verifying one.
Prints one JSON line with the port, then one JSON line per request: its path, the
webhook-id, the status answered, whether the signature verified and the parsed body.
Answers 204 to a verified request and 400 to one that does not verify.
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET = sys.argv[1]
FLAKY_FAILURES = int(sys.argv[2])
VERIFIER = Webhook(SECRET)
LOCK = threading.Lock()
SEEN = {}


def report(record):
    with LOCK:
        print(json.dumps(record), flush=True)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        record = {"path": self.path, "id": self.headers.get("webhook-id")}
        refuse = False
        if self.path == "/flaky":
            with LOCK:
                key = record["id"]
                SEEN[key] = SEEN.get(key, 0) + 1
                refuse = SEEN[key] <= FLAKY_FAILURES
        if refuse:
            status = 503
            record["verified"] = None
        else:
            try:
                record["body"] = VERIFIER.verify(body, dict(self.headers.items()))
                record["verified"] = True
                status = 204
            except WebhookVerificationError as error:
                record["verified"] = False
                record["error"] = str(error)
                status = 400
        record["status"] = status
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()
        report(record)

    def log_message(self, *args):
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
report({"port": server.server_address[1]})
server.serve_forever()
