"""Field types of InstallConfig for every value that becomes a command argument or a line in a
file: the one validation layer that all answer-file formats and both UIs pass through (the
grammars are in installer/backend/grammar.py; docs/security.md lists them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator

from installer.backend import grammar


def _checked(problem: Callable[[str], str | None]) -> AfterValidator:
    def check(value: str) -> str:
        p = problem(value)
        if p:
            raise ValueError(p)
        return value

    return AfterValidator(check)


PackageName = Annotated[str, _checked(grammar.package_problem)]
ReleaseVer = Annotated[str, _checked(grammar.releasever_problem)]
RepoURL = Annotated[str, _checked(grammar.url_problem)]
KeyLocation = Annotated[str, _checked(grammar.key_location_problem)]
KernelArgs = Annotated[str, _checked(grammar.kernel_args_problem)]
InterfaceName = Annotated[str, _checked(grammar.interface_problem)]
Port = Annotated[str, _checked(grammar.port_problem)]
FirewallService = Annotated[str, _checked(grammar.firewall_service_problem)]
UnitName = Annotated[str, _checked(grammar.unit_problem)]
GroupName = Annotated[str, _checked(grammar.group_problem)]
FullName = Annotated[str, _checked(grammar.gecos_problem)]
PasswordHash = Annotated[str, _checked(grammar.hash_problem)]
SshKey = Annotated[str, _checked(grammar.ssh_key_problem)]
AbsPath = Annotated[str, _checked(grammar.path_problem)]
MountPoint = Annotated[str, _checked(lambda v: grammar.path_problem(v, "the mount point"))]
HomeDir = Annotated[str, _checked(lambda v: grammar.path_problem(v, "the home directory"))]
DevPath = Annotated[str, _checked(lambda v: grammar.path_problem(v, "the disk path"))]
ByIdName = Annotated[str, _checked(lambda v: grammar.name_problem(v.removeprefix("/dev/disk/by-id/"),
                                                                    "a /dev/disk/by-id name"))]
MountOptions = Annotated[str, _checked(grammar.mount_options_problem)]
Label = Annotated[str, _checked(grammar.label_problem)]
Timezone = Annotated[str, _checked(grammar.timezone_problem)]
Locale = Annotated[str, _checked(grammar.locale_problem)]
Keymap = Annotated[str, _checked(grammar.keymap_problem)]
DeviceSpec = Annotated[str, _checked(grammar.device_spec_problem)]
CommandOptions = Annotated[str, _checked(grammar.options_problem)]
Cipher = Annotated[str, _checked(grammar.cipher_problem)]
