"""VNC Authentication in front of Qt's VNC plugin (installer.medium.vnc)."""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from installer.medium import vnc

PASSWORD = "pa55word"


def test_vnc_key_matches_vncdotool() -> None:
    rfb = pytest.importorskip("vncdotool.rfb")
    assert vnc.vnc_key(PASSWORD) == rfb._vnc_des(PASSWORD)
    challenge = bytes(range(16))
    assert vnc.expected_response(PASSWORD, challenge) == rfb.des_encrypt(rfb._vnc_des(PASSWORD), challenge)


def test_des_known_answer() -> None:
    # FIPS 81 / classic test vector: key 133457799BBCDFF1, plain 0123456789ABCDEF
    out = vnc.des_encrypt(bytes.fromhex("133457799BBCDFF1"), bytes.fromhex("0123456789ABCDEF"))
    assert out.hex().upper() == "85E813540F0AB405"


def _client(sock: socket.socket, password: str, minor: int = 8) -> int:
    assert sock.recv(12) == b"RFB 003.008\n"
    sock.sendall(b"RFB 003.%03d\n" % minor)
    if minor == 3:
        (sec,) = struct.unpack(">I", sock.recv(4))
    else:
        n = sock.recv(1)[0]
        types = sock.recv(n)
        sec = types[0]
        sock.sendall(bytes([sec]))
    if sec == vnc.SEC_VNC:
        challenge = sock.recv(16)
        sock.sendall(vnc.expected_response(password, challenge))
    if sec == vnc.SEC_NONE and minor != 8:
        return 0
    (result,) = struct.unpack(">I", sock.recv(4))
    return int(result)


@pytest.mark.parametrize("minor", [3, 7, 8])
@pytest.mark.parametrize(("given", "ok"), [(PASSWORD, True), ("wrong!!", False)])
def test_handshake(minor: int, given: str, ok: bool) -> None:
    a, b = socket.socketpair()
    got: list[bool] = []
    t = threading.Thread(target=lambda: got.append(vnc.serve_client_handshake(a, PASSWORD, fail_delay=0)))
    t.start()
    result = _client(b, given, minor)
    t.join()
    assert got == [ok]
    assert result == (0 if ok else 1)
    a.close()
    b.close()


def test_noauth_is_security_none() -> None:
    a, b = socket.socketpair()
    t = threading.Thread(target=vnc.serve_client_handshake, args=(a, None, 0))
    t.start()
    assert _client(b, "", 8) == 0
    t.join()


def test_refusal() -> None:
    assert vnc.refusal(vnc.parse("inst.vnc")) is not None
    assert vnc.refusal(vnc.parse("inst.vnc inst.vnc.noauth")) is None
    assert vnc.refusal(vnc.parse(f"inst.vncpassword={PASSWORD}")) is None
    assert vnc.refusal(vnc.parse("inst.vnc inst.vncport=99999")) is not None
    assert vnc.parse(f"inst.vncpassword={PASSWORD} inst.vncport=5999").port == 5999


@pytest.fixture
def qt_vnc(tmp_path: Path) -> Iterator[int]:
    """Qt's own VNC platform plugin serving a label (the installer's role), on a free port."""
    pytest.importorskip("PySide6")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ, QT_QPA_PLATFORM=vnc.qt_platform(port, "320x200"))
    code = (
        "from PySide6.QtWidgets import QApplication, QLabel; a = QApplication([]); "
        "w = QLabel('installer'); w.resize(320, 200); w.show(); a.exec()"
    )
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert vnc.wait_inner(lambda: socket.create_connection(("127.0.0.1", port), 2), 60, lambda: proc.poll() is None)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def test_proxy_with_qt_and_vncdotool(qt_vnc: int, tmp_path: Path) -> None:
    api = pytest.importorskip("vncdotool.api")
    proxy = vnc.AuthProxy(
        PASSWORD, lambda: socket.create_connection(("127.0.0.1", qt_vnc), 5), bind="127.0.0.1", port=0, fail_delay=0
    )
    proxy.start()
    try:
        client = api.connect(f"127.0.0.1::{proxy.port}", password=PASSWORD, timeout=30)
        client.captureScreen(str(tmp_path / "shot.png"))
        client.disconnect()
        assert (tmp_path / "shot.png").stat().st_size > 0
        with pytest.raises(Exception, match=r"(?i)auth"):
            bad = api.connect(f"127.0.0.1::{proxy.port}", password="wrong!!", timeout=30)
            bad.captureScreen(str(tmp_path / "bad.png"))
        assert not (tmp_path / "bad.png").exists()
        for _ in range(50):  # the handler thread counts after it answered the client
            if proxy.failures:
                break
            time.sleep(0.1)
        assert proxy.failures == 1 and proxy.accepted == 1
    finally:
        api.shutdown()
        proxy.close()
