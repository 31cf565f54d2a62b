"""A TCP stand-in for a database server, for tests of a database that stops answering.

It listens on a port of its own and, as the test switches it, forwards to a real server,
accepts connections and never answers (a server that hangs), or refuses them (a server that
is down). Switching away from forwarding cuts the connections it was carrying, as a restart
of the server would.
"""

import socket
import threading
from contextlib import suppress

FORWARD, SILENT, REFUSE = "forward", "silent", "refuse"


class DatabaseStandIn:
    def __init__(self, mode: str = SILENT, target: tuple[str, int] | None = None):
        self.target = target
        self.mode = REFUSE
        self.accepted = 0  # connections accepted, whatever the mode
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        self._listener: socket.socket | None = None
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.switch(mode)

    def url(self, database: str = "passage") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def switch(self, mode: str) -> None:
        assert mode in (FORWARD, SILENT, REFUSE)
        assert mode != FORWARD or self.target is not None
        with self._lock:
            previous, self.mode = self.mode, mode
            self._close_connections()
            if mode == REFUSE and self._listener is not None:
                self._listener.close()
                self._listener = None
            if previous == REFUSE and mode != REFUSE:
                self._listen()

    def close(self) -> None:
        self.switch(REFUSE)

    def _listen(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(128)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # the listener was closed: the port now refuses
            with self._lock:
                self.accepted += 1
                self._open.append(client)
                if self.mode == FORWARD:
                    self._forward(client)
                # SILENT: keep the socket open and never send a byte

    def _forward(self, client: socket.socket) -> None:
        server = socket.create_connection(self.target)
        self._open.append(server)
        for source, sink in ((client, server), (server, client)):
            threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def _close_connections(self) -> None:
        for sock in self._open:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._open.clear()
