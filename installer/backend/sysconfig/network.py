"""Network configuration as systemd-networkd .network files (how Azure Linux configures it).

An interface with ``onboot: false`` (kickstart ``network --onboot=no``, Azure ``OnBoot: false``)
still gets its file, so its addresses are ready and no distribution default .network file claims
it, but with ``[Link] ActivationPolicy=manual``: networkd leaves the link down at boot until
someone brings it up (``networkctl up NAME``), and ``RequiredForOnline=no`` keeps
systemd-networkd-wait-online from waiting for it.
"""

from __future__ import annotations

import re

from installer.backend.config import Interface
from installer.backend.grammar import require_safe

NETWORK_DIR = "/etc/systemd/network"


def file_name(index: int, iface: Interface) -> str:
    safe = re.sub(r"[^A-Za-z0-9]+", "-", iface.name).strip("-") or "all"
    return f"{10 + index:02d}-azl-{safe}.network"


def network_file(iface: Interface) -> str:
    """The .network file; every value is checked again (defence in depth behind the config
    model): a line break in a name or address would otherwise add sections and settings."""
    require_safe(iface.name, "the interface name", extra=" ")
    for v in [*iface.addresses, *iface.dns, *([iface.gateway] if iface.gateway else [])]:
        require_safe(v, "the address", extra=" ")
    lines = ["# written by azl-installer", "[Match]", f"Name={iface.name}", ""]
    if not iface.onboot:
        lines += ["[Link]", "ActivationPolicy=manual", "RequiredForOnline=no", ""]
    lines.append("[Network]")
    lines.append(f"DHCP={'yes' if iface.dhcp else 'no'}")
    lines += [f"Address={a}" for a in iface.addresses]
    if iface.gateway:
        lines.append(f"Gateway={iface.gateway}")
    lines += [f"DNS={d}" for d in iface.dns]
    if iface.dhcp:
        lines += ["", "[DHCPv4]", "UseDomains=true"]
    return "\n".join(lines) + "\n"


def network_files(interfaces: list[Interface]) -> dict[str, str]:
    """File name -> content, in the order networkd matches them."""
    return {file_name(i, iface): network_file(iface) for i, iface in enumerate(interfaces)}
