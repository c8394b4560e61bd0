"""InstallConfig's system section: host name, locale, services, network and firewall."""

from __future__ import annotations

import secrets as _random
from typing import Literal

from pydantic import Field, field_validator, model_validator

from installer.backend import validate
from installer.backend.config_base import _Model


class Interface(_Model):
    name: str = Field(description="Interface name or glob, e.g. eth0 or en*.")
    dhcp: bool = True
    addresses: list[str] = Field(default_factory=list, description="CIDR, e.g. 192.0.2.10/24.")
    gateway: str | None = None
    dns: list[str] = Field(default_factory=list)
    onboot: bool = Field(True, description="Bring the interface up at boot (kickstart network --onboot).")

    @model_validator(mode="after")
    def _static(self) -> Interface:
        import ipaddress

        for a in self.addresses:
            try:
                ipaddress.ip_interface(a)
            except ValueError as exc:
                raise ValueError(f"'{a}' is not an address with prefix (e.g. 192.0.2.10/24)") from exc
            if "/" not in a:
                raise ValueError(f"'{a}' needs a prefix length, e.g. {a}/24")
        for g in [self.gateway, *self.dns]:
            if g is not None:
                try:
                    ipaddress.ip_address(g)
                except ValueError as exc:
                    raise ValueError(f"'{g}' is not an IP address") from exc
        if not self.dhcp and not self.addresses:
            raise ValueError("a static interface (dhcp: false) needs at least one address")
        return self


def _default_interfaces() -> list[Interface]:
    return [Interface(name="en*"), Interface(name="eth*")]


class Network(_Model):
    interfaces: list[Interface] = Field(default_factory=_default_interfaces)


class Firewall(_Model):
    enabled: bool = True
    services: list[str] = Field(default_factory=list, description="e.g. ssh, http, https.")
    ports: list[str] = Field(default_factory=list, description="e.g. 8080/tcp, 53/udp.")

    @field_validator("ports")
    @classmethod
    def _ports(cls, v: list[str]) -> list[str]:
        import re

        for p in v:
            m = re.fullmatch(r"(\d{1,5})(?:-(\d{1,5}))?/(tcp|udp)", p)
            if not m or not 0 < int(m.group(1)) <= 65535 or (
                m.group(2) and not int(m.group(1)) <= int(m.group(2)) <= 65535
            ):
                raise ValueError(f"'{p}' is not a port such as 8080/tcp or 6000-6010/udp")
        return v


class Services(_Model):
    enable: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)


def random_hostname() -> str:
    """A default like Azure Linux's own installer: azurelinux-xxxx."""
    return "azurelinux-" + "".join(_random.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(4))


class SystemSettings(_Model):
    hostname: str = Field(default_factory=random_hostname)

    @field_validator("hostname")
    @classmethod
    def _hostname(cls, v: str) -> str:
        r = validate.hostname(v)
        if not r.ok:
            raise ValueError(r.message)
        return v
    timezone: str = "UTC"
    locale: str = "en_US.UTF-8"
    keyboard: str = "us"
    selinux: Literal["enforcing", "permissive", "disabled"] | None = Field(
        None, description="Default: as the package set ships it (full: permissive)."
    )
    fips: bool = Field(
        False, description="FIPS mode: fips=1 (and boot= for a separate /boot) on the kernel command line, "
        "dracut's fips module in the initramfs, the FIPS package set (dracut-fips).",
    )
    services: Services = Field(default_factory=Services)
    network: Network = Field(default_factory=Network)
    firewall: Firewall = Field(default_factory=Firewall)
