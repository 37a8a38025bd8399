"""A TCP relay in front of a server that a test can take down and bring back on the same port.

Down means what a host whose WinRM service stopped (or that is rebooting) looks like from the
network: open connections are cut and new ones are refused. Up listens again on the same port
and relays to the same target, so a client that keeps its URI can recover on its own.

    with TcpRelay(sim_host.port) as relay:
        uri = sim_host.uri.replace(f":{sim_host.port}/", f":{relay.port}/")
        relay.down()   # connections refused
        relay.up()     # back

It runs on threads (blocking sockets), so sync and async tests can use it alike.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading


class TcpRelay:
    def __init__(self, target_port: int, target_host: str = "127.0.0.1", host: str = "127.0.0.1") -> None:
        self.target = (target_host, target_port)
        self.host = host
        self.port = 0
        self._listener: socket.socket | None = None
        self._sockets: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    def up(self) -> TcpRelay:
        """Listen (again, on the same port once it has one) and relay every connection."""
        if self._listener is not None:
            return self
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((self.host, self.port))
        listener.listen(64)
        self.port = listener.getsockname()[1]
        self._listener = listener
        thread = threading.Thread(target=self._accept, args=(listener,), name="tcp-relay", daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def down(self) -> None:
        """Refuse new connections and cut the open ones (with a reset, as a dead host would)."""
        listener, self._listener = self._listener, None
        if listener is not None:
            with contextlib.suppress(OSError):
                listener.shutdown(socket.SHUT_RDWR)
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> TcpRelay:
        return self.up()

    def __exit__(self, *exc: object) -> None:
        self.down()
        for thread in self._threads:
            thread.join(2)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed by down()
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            for sock in (client, upstream):  # relay each write at once, as a direct connection would
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            with self._lock:
                self._sockets |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sink.shutdown(socket.SHUT_WR)
            with self._lock:
                self._sockets.discard(source)
            source.close()
