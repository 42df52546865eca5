#!/usr/bin/env python3
"""In-process timing of C Argon2id implementations, driven by `compare-c`.

Reads one JSON request per line on stdin and answers one JSON line on stdout:

    {"impl": "native", "m": 19456, "t": 2, "p": 1, "n": 3}
    -> {"ns": [t1, t2, t3]}            (nanoseconds per hash, perf_counter_ns)
    -> {"error": "..."}                (when the implementation is not available)

Each hash is timed inside this process around the library call only, so neither process
start-up nor the pipe is counted. Implementations:

- ``cffi``:   argon2-cffi from PyPI (its wheel bundles libargon2 built for SSE2)
- ``native``: libargon2 built by build-native-libargon2.sh (opt.c, -march=native),
              loaded with ctypes; path in $ARGON2_NATIVE_LIB
- ``debian``: Debian's libargon2.so.1 (the portable reference build), loaded with ctypes

Every implementation produces an encoded PHC string with a 16-byte salt and a 32-byte
output, like the Rust hasher.
"""

import ctypes
import json
import os
import sys
import time

PASSWORD = b"correct horse battery staple"
SALT = b"0123456789abcdef"
HASH_LEN = 32
ARGON2_OK = 0


def ctypes_impl(path):
    lib = ctypes.CDLL(path)
    fn = lib.argon2id_hash_encoded
    fn.restype = ctypes.c_int
    fn.argtypes = [
        ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32,
        ctypes.c_void_p, ctypes.c_size_t,
        ctypes.c_void_p, ctypes.c_size_t,
        ctypes.c_size_t, ctypes.c_char_p, ctypes.c_size_t,
    ]
    encoded = ctypes.create_string_buffer(256)

    def run(m, t, p):
        rc = fn(t, m, p, PASSWORD, len(PASSWORD), SALT, len(SALT), HASH_LEN, encoded, len(encoded))
        if rc != ARGON2_OK:
            raise RuntimeError(f"argon2id_hash_encoded returned {rc}")
        return encoded.value

    return run


def cffi_impl():
    from argon2.low_level import Type, hash_secret

    def run(m, t, p):
        return hash_secret(PASSWORD, SALT, t, m, p, HASH_LEN, Type.ID)

    return run


def load(name):
    if name == "cffi":
        return cffi_impl()
    if name == "native":
        return ctypes_impl(os.environ.get("ARGON2_NATIVE_LIB", "target/libargon2-native.so"))
    if name == "debian":
        return ctypes_impl("libargon2.so.1")
    raise ValueError(f"unknown implementation {name!r}")


def main():
    impls = {}
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        try:
            req = json.loads(line)
            name = req["impl"]
            if name not in impls:
                impls[name] = load(name)
            run = impls[name]
            times = []
            for _ in range(int(req["n"])):
                start = time.perf_counter_ns()
                run(int(req["m"]), int(req["t"]), int(req["p"]))
                times.append(time.perf_counter_ns() - start)
            answer = {"ns": times}
        except Exception as e:  # reported to the driver, which says what is missing
            answer = {"error": f"{type(e).__name__}: {e}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
