#!/usr/bin/env python3
"""A real SMTP server (aiosmtpd) for the auth-smtp tests.

Listens on 127.0.0.1 on a free port (or on --port) and prints `READY <port>` on stdout once it accepts
connections. Every message received is written into --out-dir as NNNN.eml (the raw
DATA) and, after it, NNNN.json (envelope and session facts: mail_from, rcpt_tos,
whether the session was under TLS, the authenticated login), both via a temporary name
and a rename so the test never reads half a file.

Options:
  --port PORT            listen on this port (a test that starts the server late, after
                         pointing its client at the port)
  --auth USER:PASSWORD   offer AUTH PLAIN/LOGIN and require it; wrong credentials get 535
  --refuse ADDRESS=REPLY answer RCPT TO:<ADDRESS> with REPLY (e.g. "550 5.1.1 No such user")
  --starttls             offer STARTTLS (needs --cert/--key)
  --implicit-tls         TLS from the first byte (needs --cert/--key)
  --cert/--key           PEM files of the server certificate and key

It exits when its standard input closes or on SIGTERM/SIGKILL from the test.
"""

import argparse
import asyncio
import json
import logging
import os
import signal
import socket
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Handler:
    def __init__(self, out_dir, refusals):
        self.out_dir = out_dir
        self.refusals = refusals
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = self.refusals.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out_dir, f"{self.count:04d}")
        transport = server.transport
        tls = transport is not None and transport.get_extra_info("ssl_object") is not None
        login = None
        if session.authenticated and isinstance(session.auth_data, LoginPassword):
            login = session.auth_data.login.decode("utf-8", "replace")
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "tls": tls,
            "login": login,
        }
        write_atomically(base + ".eml", envelope.original_content)
        write_atomically(base + ".json", json.dumps(meta).encode("utf-8"))
        return "250 Message accepted for delivery"


def write_atomically(path, data):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def make_authenticator(expected_user, expected_password):
    def authenticator(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == expected_user.encode("utf-8")
            and auth_data.password == expected_password.encode("utf-8")
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    return authenticator


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth")
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--starttls", action="store_true")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--cert")
    parser.add_argument("--key")
    args = parser.parse_args()
    # Refused handshakes are expected in the negative tests; keep their tracebacks quiet.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)

    tls_context = None
    if args.starttls or args.implicit_tls:
        tls_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls_context.load_cert_chain(args.cert, args.key)

    smtp_kwargs = {"hostname": "smtp.test", "enable_SMTPUTF8": True}
    if args.starttls:
        smtp_kwargs["tls_context"] = tls_context
        smtp_kwargs["require_starttls"] = True
    if args.auth:
        user, _, password = args.auth.partition(":")
        smtp_kwargs["authenticator"] = make_authenticator(user, password)
        smtp_kwargs["auth_required"] = True
        # With STARTTLS, AUTH is offered only after the upgrade. aiosmtpd does not know
        # an implicit-TLS connection is encrypted, so AUTH is offered from the start
        # there, as it is for the plain (no TLS) tests.
        smtp_kwargs["auth_require_tls"] = bool(args.starttls)

    refusals = dict(r.split("=", 1) for r in args.refuse)
    handler = Handler(args.out_dir, refusals)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]

    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    server = loop.run_until_complete(
        loop.create_server(
            lambda: SMTP(handler, **smtp_kwargs),
            sock=sock,
            ssl=tls_context if args.implicit_tls else None,
        )
    )

    def stop(*_):
        loop.stop()

    loop.add_signal_handler(signal.SIGTERM, stop)
    loop.add_reader(sys.stdin.fileno(), lambda: stop() if not sys.stdin.buffer.read1(4096) else None)

    print(f"READY {port}", flush=True)
    try:
        loop.run_forever()
    finally:
        server.close()


if __name__ == "__main__":
    main()
