#!/usr/bin/env python3
"""A minimal SOCKS5 proxy (RFC 1928, no authentication, CONNECT only) for SmuggleWatch fetcher tests.

Listens on 127.0.0.1 with an ephemeral port and prints `PORT <n>` as the first stdout line. Host
names ending in `.socks.test` resolve to 127.0.0.1 here, inside the proxy, so a request for such a
name can only succeed when the client lets the proxy resolve it (socks5h). Exits when stdin
closes.
"""
import socket, struct, sys, threading


def pipe(src, dst):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("client closed")
        data += chunk
    return data


def handle(conn):
    try:
        version, nmethods = recv_exact(conn, 2)
        methods = recv_exact(conn, nmethods)
        if version != 5 or 0 not in methods:
            conn.sendall(b"\x05\xff")
            return
        conn.sendall(b"\x05\x00")
        version, cmd, _, atyp = recv_exact(conn, 4)
        if atyp == 1:
            host = socket.inet_ntoa(recv_exact(conn, 4))
        elif atyp == 3:
            host = recv_exact(conn, recv_exact(conn, 1)[0]).decode("ascii", "replace")
        else:
            conn.sendall(b"\x05\x08\x00\x01" + b"\x00" * 6)  # address type not supported
            return
        port = struct.unpack("!H", recv_exact(conn, 2))[0]
        if cmd != 1:
            conn.sendall(b"\x05\x07\x00\x01" + b"\x00" * 6)  # command not supported
            return
        target = "127.0.0.1" if host.endswith(".socks.test") else host
        try:
            upstream = socket.create_connection((target, port), timeout=5)
        except OSError:
            conn.sendall(b"\x05\x05\x00\x01" + b"\x00" * 6)  # connection refused
            return
        conn.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + struct.pack("!H", port))
        threading.Thread(target=pipe, args=(upstream, conn), daemon=True).start()
        pipe(conn, upstream)
    except (OSError, ConnectionError):
        pass
    finally:
        conn.close()


def main():
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    print(f"PORT {server.getsockname()[1]}", flush=True)

    def accept():
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    sys.stdin.read()  # the test closes stdin (or exits) to stop the proxy


if __name__ == "__main__":
    main()
