"""Remote graphical install over VNC (``inst.vnc``, ``inst.vncpassword=``, ``inst.vnc.noauth``).

Qt's own VNC platform plugin (``QT_QPA_PLATFORM=vnc``) draws the installer into a VNC server
but cannot authenticate clients, and it listens on every interface. So the installer runs in a
private network namespace (``unshare --net``: only ``lo`` exists there, nothing outside can
reach it) and :class:`AuthProxy` in the live system's namespace is the only way in: it speaks
RFB's *VNC Authentication* (the DES challenge of RFC 6143 7.2.2, which every VNC client
supports) to the client, and only after the right password connects it to Qt's server inside
the namespace and relays bytes.

No VNC service runs without a password unless the kernel command line says ``inst.vnc.noauth``
explicitly. The password is never printed, logged or passed in argv (it reaches the proxy from
/proc/cmdline, like Anaconda's ``inst.vncpassword=``).
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import hmac
import os
import socket
import struct
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from installer.medium.cmdline import split_cmdline

DEFAULT_PORT = 5900
INNER_PORT = 5901
"""The port of Qt's VNC server inside the installer's private network namespace."""
MIN_PASSWORD, MAX_PASSWORD = 6, 8
"""VNC Authentication uses at most 8 characters; fewer than 6 are refused (as Anaconda does)."""
FAIL_DELAY = 1.0
"""Seconds before a failed client is disconnected (slows down guessing)."""

SEC_NONE, SEC_VNC = 1, 2


@dataclass(frozen=True)
class VncOptions:
    """The VNC part of the kernel command line."""

    requested: bool = False
    password: str | None = None
    noauth: bool = False
    port: int = DEFAULT_PORT
    errors: tuple[str, ...] = ()

    def __repr__(self) -> str:  # never show the password
        pw = "set" if self.password else "unset"
        return f"VncOptions(requested={self.requested}, password={pw}, noauth={self.noauth}, port={self.port})"

    __str__ = __repr__


def parse(cmdline: str) -> VncOptions:
    """``inst.vnc`` (serve the installer over VNC), ``inst.vncpassword=`` (6-8 characters),
    ``inst.vnc.noauth`` (explicitly serve without a password), ``inst.vncport=`` (default 5900).
    A password implies ``inst.vnc``."""
    requested = noauth = False
    password: str | None = None
    port = DEFAULT_PORT
    errors: list[str] = []
    for word in split_cmdline(cmdline):
        key, eq, value = word.partition("=")
        if key == "inst.vnc" and not eq:
            requested = True
        elif key == "inst.vnc.noauth":
            noauth = requested = True
        elif key == "inst.vncpassword" and eq:
            password, requested = value, True
        elif key == "inst.vncport" and eq:
            try:
                port = int(value)
                if not 1 <= port <= 65535:
                    raise ValueError(value)
            except ValueError:
                errors.append(f"inst.vncport={value}: want a TCP port number")
    if password is not None and not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        errors.append(
            f"inst.vncpassword must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long "
            f"(VNC authentication uses at most {MAX_PASSWORD})"
        )
    if password is not None and not password.isascii():
        errors.append("inst.vncpassword must be plain ASCII (VNC clients send it as bytes)")
    if password is not None and noauth:
        errors.append("inst.vncpassword and inst.vnc.noauth contradict each other: choose one")
    return VncOptions(requested, password, noauth, port, tuple(errors))


def refusal(opts: VncOptions) -> str | None:
    """Why VNC must not start with these options, or None when it may."""
    if opts.errors:
        return "; ".join(opts.errors)
    if opts.password is None and not opts.noauth:
        return (
            "inst.vnc needs a password: add inst.vncpassword=<6-8 characters> to the kernel command line "
            "(or inst.vnc.noauth to serve the installer to anyone who can reach this machine)"
        )
    return None


# --- VNC Authentication (DES) -----------------------------------------------------------------


def vnc_key(password: str) -> bytes:
    """RFB's DES key: the password's first 8 bytes, zero padded, each byte's bits reversed."""
    raw = password.encode("ascii", "replace")[:8].ljust(8, b"\0")
    return bytes(int(f"{b:08b}"[::-1], 2) for b in raw)


def _libcrypto_des(key: bytes, data: bytes) -> bytes:
    name = ctypes.util.find_library("crypto") or "libcrypto.so.3"
    lib = ctypes.CDLL(name)
    schedule = ctypes.create_string_buffer(128)
    kbuf = ctypes.create_string_buffer(key, 8)
    lib.DES_set_key_unchecked(kbuf, schedule)
    out = bytearray()
    for i in range(0, len(data), 8):
        src = ctypes.create_string_buffer(data[i : i + 8], 8)
        dst = ctypes.create_string_buffer(8)
        lib.DES_ecb_encrypt(src, dst, schedule, 1)
        out += dst.raw
    return bytes(out)


def des_encrypt(key: bytes, data: bytes) -> bytes:
    """Single DES in ECB mode (what RFB specifies), from the system's libcrypto."""
    if len(key) != 8 or len(data) % 8:
        raise ValueError("DES wants an 8-byte key and whole 8-byte blocks")
    try:
        return _libcrypto_des(key, data)
    except (OSError, AttributeError):
        from cryptography.hazmat.decrepit.ciphers.algorithms import TripleDES
        from cryptography.hazmat.primitives.ciphers import Cipher, modes

        enc = Cipher(TripleDES(key * 3), modes.ECB()).encryptor()
        return enc.update(data) + enc.finalize()


def expected_response(password: str, challenge: bytes) -> bytes:
    return des_encrypt(vnc_key(password), challenge)


# --- the proxy --------------------------------------------------------------------------------


class HandshakeError(Exception):
    pass


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray()
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise HandshakeError("peer closed the connection")
        buf += chunk
    return bytes(buf)


def _minor(version: bytes) -> int:
    if not (version.startswith(b"RFB ") and version.endswith(b"\n") and len(version) == 12):
        raise HandshakeError("not an RFB client")
    try:
        major, minor = int(version[4:7]), int(version[8:11])
    except ValueError:
        raise HandshakeError("bad RFB version") from None
    if major != 3:
        raise HandshakeError("unsupported RFB version")
    return 3 if minor < 7 else (7 if minor == 7 else 8)


def serve_client_handshake(sock: socket.socket, password: str | None, fail_delay: float = FAIL_DELAY) -> bool:
    """Be the RFB server up to SecurityResult. True when the client may go on."""
    sock.sendall(b"RFB 003.008\n")
    minor = _minor(_recv_exact(sock, 12))
    sec = SEC_NONE if password is None else SEC_VNC
    if minor == 3:
        sock.sendall(struct.pack(">I", sec))
    else:
        sock.sendall(bytes([1, sec]))
        if _recv_exact(sock, 1)[0] != sec:
            raise HandshakeError("client chose another security type")
    if sec == SEC_NONE:
        if minor == 8:
            sock.sendall(struct.pack(">I", 0))
        return True
    challenge = os.urandom(16)
    sock.sendall(challenge)
    response = _recv_exact(sock, 16)
    if hmac.compare_digest(response, expected_response(password or "", challenge)):
        sock.sendall(struct.pack(">I", 0))
        return True
    time.sleep(fail_delay)
    reason = b"Authentication failed"
    sock.sendall(struct.pack(">I", 1) + (struct.pack(">I", len(reason)) + reason if minor == 8 else b""))
    return False


def upstream_handshake(sock: socket.socket) -> None:
    """Be an RFB client of Qt's VNC server (security type None) up to ClientInit."""
    minor = _minor(_recv_exact(sock, 12))
    sock.sendall(b"RFB 003.%03d\n" % minor)
    if minor == 3:
        (sec,) = struct.unpack(">I", _recv_exact(sock, 4))
        if sec != SEC_NONE:
            raise HandshakeError(f"the inner VNC server wants security type {sec}")
        return
    types = _recv_exact(sock, _recv_exact(sock, 1)[0])
    if SEC_NONE not in types:
        raise HandshakeError("the inner VNC server offers no security type None")
    sock.sendall(bytes([SEC_NONE]))
    if minor == 8 and struct.unpack(">I", _recv_exact(sock, 4))[0] != 0:
        raise HandshakeError("the inner VNC server refused")


def _pump(src: socket.socket, dst: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while True:
            data = src.recv(65536)
            if not data:
                break
            dst.sendall(data)
    with contextlib.suppress(OSError):
        dst.shutdown(socket.SHUT_WR)


def relay(a: socket.socket, b: socket.socket) -> None:
    t = threading.Thread(target=_pump, args=(b, a), daemon=True)
    t.start()
    _pump(a, b)
    t.join()


class AuthProxy:
    """Listen on ``bind:port``; authenticate each client; then relay it to ``connect_inner()``."""

    def __init__(
        self,
        password: str | None,
        connect_inner: Callable[[], socket.socket],
        bind: str = "0.0.0.0",
        port: int = DEFAULT_PORT,
        fail_delay: float = FAIL_DELAY,
        log: Callable[[str], None] = lambda s: None,
    ) -> None:
        self.password = password
        self.connect_inner = connect_inner
        self.fail_delay = fail_delay
        self.log = log
        self.failures = 0
        self.accepted = 0
        self.listener = socket.create_server((bind, port), reuse_port=False)
        self.port = self.listener.getsockname()[1]
        self._stop = threading.Event()

    def handle(self, client: socket.socket, peer: str) -> None:
        with client:
            try:
                client.settimeout(30)
                if not serve_client_handshake(client, self.password, self.fail_delay):
                    self.failures += 1
                    self.log(f"VNC: refused {peer}: wrong password")
                    return
                client.settimeout(None)
                inner = self.connect_inner()
            except (HandshakeError, OSError) as exc:
                self.log(f"VNC: dropped {peer}: {exc}")
                return
            with inner:
                try:
                    upstream_handshake(inner)
                except (HandshakeError, OSError) as exc:
                    self.log(f"VNC: the installer's display is not answering: {exc}")
                    return
                self.accepted += 1
                self.log(f"VNC: {peer} connected")
                relay(client, inner)

    def serve_forever(self) -> None:
        self.listener.settimeout(0.5)
        while not self._stop.is_set():
            try:
                client, addr = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                break
            threading.Thread(target=self.handle, args=(client, str(addr[0])), daemon=True).start()

    def start(self) -> threading.Thread:
        t = threading.Thread(target=self.serve_forever, name="vnc-proxy", daemon=True)
        t.start()
        return t

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self.listener.close()


# --- network namespace of the installer --------------------------------------------------------

CLONE_NEWNET = 0x40000000


def setns(fd: int) -> None:
    fn = getattr(os, "setns", None)
    if fn is not None:
        fn(fd, CLONE_NEWNET)
        return
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def netns_connector(pid: int, port: int = INNER_PORT) -> Callable[[], socket.socket]:
    """Connect to 127.0.0.1:port inside the network namespace of process ``pid``.

    setns() on a network namespace changes only the calling thread, so the connecting thread
    moves into the installer's namespace, opens the socket and moves back."""

    def connect() -> socket.socket:
        own = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
        theirs = os.open(f"/proc/{pid}/ns/net", os.O_RDONLY)
        try:
            setns(theirs)
            try:
                return socket.create_connection(("127.0.0.1", port), timeout=10)
            finally:
                setns(own)
        finally:
            os.close(own)
            os.close(theirs)

    return connect


def isolated_argv(argv: list[str]) -> list[str]:
    """Run ``argv`` in a new network namespace with only a loopback interface."""
    return ["unshare", "--net", "--", "sh", "-c", 'ip link set lo up && exec "$@"', "sh", *argv]


def qt_platform(port: int = INNER_PORT, size: str = "1024x768") -> str:
    return f"vnc:size={size}:port={port}:depth=32"


def addresses() -> list[str]:
    """The live system's global IPv4 addresses (for 'connect to ...' on the console)."""
    try:
        out = subprocess.run(
            ["ip", "-4", "-o", "addr", "show", "scope", "global"], capture_output=True, text=True, check=False
        ).stdout
    except OSError:
        return []
    return [line.split()[3].split("/")[0] for line in out.splitlines() if len(line.split()) > 3]


def wait_inner(connect: Callable[[], socket.socket], timeout: float, alive: Callable[[], bool]) -> bool:
    """Wait until Qt's VNC server answers inside the namespace (Qt starts in 30-60 s under TCG)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            connect().close()
            return True
        except OSError:
            time.sleep(1.0)
    return False
