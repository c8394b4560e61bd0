"""InstallConfig's system section: host name, locale, services, network and firewall."""

from __future__ import annotations

import secrets as _random
from typing import Literal

from pydantic import Field, field_validator, model_validator

from installer.backend import grammar, validate
from installer.backend.config_base import _Model
from installer.backend.config_fields import FirewallService, InterfaceName, Keymap, Locale, Port, Timezone, UnitName


class Interface(_Model):
    name: InterfaceName = Field(description="Interface name or glob, e.g. eth0 or en*.")
    dhcp: bool = True
    addresses: list[str] = Field(default_factory=list, description="CIDR, e.g. 192.0.2.10/24.")
    gateway: str | None = None
    dns: list[str] = Field(default_factory=list)
    onboot: bool = Field(True, description="Bring the interface up at boot (kickstart network --onboot).")

    @model_validator(mode="after")
    def _static(self) -> Interface:
        import ipaddress

        for v in [*self.addresses, *self.dns, *([self.gateway] if self.gateway else [])]:
            if grammar.has_control(v) or any(c.isspace() for c in v):
                raise ValueError(f"{grammar.show(v)} is not an IP address (spaces or control characters)")
            scope = v.partition("%")[2].partition("/")[0]
            if "%" in v and grammar.interface_problem(scope):
                raise ValueError(f"{grammar.show(v)}: the zone after '%' must be an interface name")
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
    services: list[FirewallService] = Field(default_factory=list, description="e.g. ssh, http, https.")
    ports: list[Port] = Field(default_factory=list, description="e.g. 8080/tcp, 53/udp.")


class Services(_Model):
    enable: list[UnitName] = Field(default_factory=list)
    disable: list[UnitName] = Field(default_factory=list)


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
    timezone: Timezone = "UTC"
    locale: Locale = "en_US.UTF-8"
    keyboard: Keymap = "us"
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
