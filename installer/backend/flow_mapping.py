"""The mapping between the flow's UI state and InstallConfig, both ways."""

from __future__ import annotations

from pydantic import SecretStr, ValidationError

from installer.backend.config import (
    DiskRef,
    Encryption,
    Guided,
    InstallConfig,
    LogicalVolume,
    Packages,
    PartitionSpec,
    Root,
    Storage,
    SystemSettings,
    User,
    VolumeGroup,
)
from installer.backend.errors import InvalidInput, Issue
from installer.backend.flow_state import FlowState, ManualPartition, ManualVolume, new_state
from installer.backend.machine import Machine


def to_config(state: FlowState) -> InstallConfig:
    """Build the InstallConfig these choices mean. Raises InvalidInput with field paths."""
    base = state.base or InstallConfig()
    try:
        enc = Encryption(
            enabled=state.encrypt,
            passphrase=state.passphrase if state.encrypt else None,
            luks_version=state.luks_version,
        ) if state.encrypt else Encryption()
        if state.layout == "guided":
            storage = Storage(
                disks=[DiskRef(path=state.disk)] if state.disk else base.storage.disks,
                firmware=base.storage.firmware,
                table=base.storage.table,
                guided=Guided(root_fs=state.root_fs, swap=state.swap, lvm=state.lvm,
                              separate_home=state.separate_home),
                encryption=enc,
            )
        else:
            storage = Storage(
                disks=[DiskRef(path=state.disk)] if state.disk else base.storage.disks,
                firmware=base.storage.firmware,
                table=base.storage.table,
                partitions=[PartitionSpec(mount=p.mount, size=p.size, fs=p.fs,
                                          encrypt=p.encrypt, label=p.label, vg=p.vg, max_size=p.max_size)
                            for p in state.partitions],
                volume_groups=_volume_groups(state, base),
                logical_volumes=[LogicalVolume(name=v.name, vg=v.vg, mount=v.mount, size=v.size,
                                               fs=v.fs, max_size=v.max_size)
                                 for v in state.volumes],
                encryption=enc,
            )
        users: list[User] = []
        if state.username:
            pw = state.password.get_secret_value()
            users.append(User(
                name=state.username,
                full_name=state.full_name,
                password=SecretStr(pw) if pw else None,
                password_hash=None if pw else state.password_hash,
                admin=state.admin,
                ssh_keys=[state.ssh_key.strip()] if state.ssh_key.strip() else [],
                groups=_groups_of(base, state.username),
            ))
        system = SystemSettings(**{
            **base.system.model_dump(exclude={"hostname", "locale", "keyboard", "timezone"}),
            "hostname": state.hostname, "locale": state.language, "keyboard": state.keyboard,
            "timezone": state.timezone,
        })
        packages = Packages(**{**base.packages.model_dump(exclude={"set"}), "set": state.package_set})
        root_pw = state.root_password.get_secret_value() if state.set_root_password else ""
        if root_pw:
            root = Root(password=SecretStr(root_pw), lock=False, ssh_keys=base.root.ssh_keys)
        else:
            root = Root(password_hash=state.root_password_hash, lock=state.root_locked
                        if state.root_password_hash else None, ssh_keys=base.root.ssh_keys)
        return InstallConfig(
            storage=storage, packages=packages, system=system, users=users, root=root,
            bootloader=base.bootloader, scripts=base.scripts, finish=base.finish,
        )
    except ValidationError as exc:
        raise InvalidInput([
            Issue(".".join(str(p) for p in e["loc"]), str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()
        ]) from None


def _volume_groups(state: FlowState, base: InstallConfig) -> list[VolumeGroup]:
    """The answer file's groups, plus one for each vg named by a partition (in order)."""
    names = [g.name for g in base.storage.volume_groups]
    names += [p.vg for p in state.partitions if p.vg and p.vg not in names]
    return [VolumeGroup(name=n) for n in dict.fromkeys(names)]


def _groups_of(base: InstallConfig, name: str) -> list[str]:
    u = next((u for u in base.users if u.name == name), None)
    return list(u.groups) if u else []


def from_config(config: InstallConfig, machine: Machine) -> FlowState:
    """Prefill the flow from an answer file (`--answers FILE --interactive`)."""
    s = new_state(machine)
    s.base = config
    st = config.storage
    if st.disks and st.disks[0].path:
        s.disk = st.disks[0].path
    if st.guided is not None:
        s.layout = "guided"
        s.root_fs, s.lvm, s.swap, s.separate_home = (st.guided.root_fs, st.guided.lvm, st.guided.swap,
                                                     st.guided.separate_home)
    else:
        s.layout = "manual"
        s.partitions = [ManualPartition(p.mount, p.size, p.fs, p.encrypt, p.label, p.vg, p.max_size)
                        for p in st.partitions or []]
        s.volumes = [ManualVolume(lv.name, lv.vg, lv.mount, lv.size, lv.fs, lv.max_size)
                     for lv in st.logical_volumes]
    s.encrypt = st.encryption.enabled
    if st.encryption.passphrase is not None:
        s.passphrase = s.passphrase_confirm = st.encryption.passphrase
    s.luks_version = st.encryption.luks_version
    s.package_set = "full" if config.packages.set == "full" else "core"
    s.hostname = config.system.hostname
    s.language, s.keyboard, s.timezone = config.system.locale, config.system.keyboard, config.system.timezone
    if config.users:
        u = config.users[0]
        s.username, s.username_edited, s.full_name = u.name, True, u.full_name
        s.password_hash, s.admin = u.password_hash, u.admin
        s.ssh_key = u.ssh_keys[0] if u.ssh_keys else ""
    s.root_password_hash = config.root.password_hash
    s.root_locked = config.root.locked
    return s
