"""The firewall as an nftables ruleset: drop inbound except the allowed services and ports."""

from __future__ import annotations

import re

from installer.backend.config import Firewall

# service name -> ports (what firewalld's service definitions open)
SERVICES: dict[str, list[str]] = {
    "ssh": ["22/tcp"],
    "http": ["80/tcp"],
    "https": ["443/tcp"],
    "dns": ["53/tcp", "53/udp"],
    "ntp": ["123/udp"],
    "dhcp": ["67/udp"],
    "dhcpv6-client": ["546/udp"],
    "cockpit": ["9090/tcp"],
    "nfs": ["2049/tcp"],
    "mdns": ["5353/udp"],
    "smtp": ["25/tcp"],
    "imaps": ["993/tcp"],
    "postgresql": ["5432/tcp"],
    "mysql": ["3306/tcp"],
    "kube-apiserver": ["6443/tcp"],
    "vnc-server": ["5900-5903/tcp"],
    "wireguard": ["51820/udp"],
}
DEFAULT_PATHS = ("/etc/sysconfig/nftables.conf", "/etc/nftables.conf")


def unknown_services(fw: Firewall) -> list[str]:
    return [s for s in fw.services if s not in SERVICES]


def _rule(port: str, comment: str) -> str:
    num, proto = port.split("/")
    return f'        {proto} dport {num} accept comment "{comment}"'


def ruleset(fw: Firewall) -> str:
    rules = []
    for s in fw.services:
        rules += [_rule(p, s) for p in SERVICES[s]]
    rules += [_rule(p, p) for p in fw.ports]
    body = "\n".join(rules)
    return f"""#!/usr/sbin/nft -f
# written by azl-installer: inbound traffic is dropped except what is listed here
flush ruleset

table inet filter {{
    chain input {{
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        ct state invalid drop
        iifname "lo" accept
        meta l4proto {{ icmp, ipv6-icmp }} accept
        ip6 saddr fe80::/10 udp dport 546 accept comment "dhcpv6-client"
{body}
    }}

    chain forward {{
        type filter hook forward priority filter; policy drop;
    }}

    chain output {{
        type filter hook output priority filter; policy accept;
    }}
}}
""".replace("\n\n    }\n\n    chain forward", "\n    }\n\n    chain forward")


def ruleset_path(unit_text: str | None) -> str:
    """Where the target's nftables.service loads its ruleset from (Azure Linux: /etc/sysconfig)."""
    if unit_text:
        m = re.search(r"nft\s+(?:-\S+\s+)*-f\s+(\S+)", unit_text)
        if m and m.group(1).startswith("/"):
            return m.group(1)
    return DEFAULT_PATHS[0]
