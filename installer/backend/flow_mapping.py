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
from installer.backend.storage.select import resolve_one


def to_config(state: FlowState) -> InstallConfig:
    """Build the InstallConfig these choices mean. Raises InvalidInput with field paths."""
    base = state.base or InstallConfig()
    bst = base.storage
    try:
        # What the UI does not show (pbkdf, cipher, key size; other disks; wipe_in_use; further users
        # and keys) is carried over from a prefilled answer file, so an interactive edit loses nothing.
        if state.encrypt:
            keep = {"enabled", "passphrase", "luks_version"}
            if state.luks_version != bst.encryption.luks_version:  # the KDF choice belongs to the version
                keep |= {"pbkdf", "pbkdf_memory_kib", "pbkdf_iterations"}
            enc = Encryption(**{**bst.encryption.model_dump(exclude=keep), "enabled": True,
                                "passphrase": state.passphrase, "luks_version": state.luks_version})
        else:
            enc = Encryption()
        # The disk picked in the UI replaces the first; a manual layout's partitions on further disks
        # (disk: 1, ...) keep theirs. A guided layout never gains a disk the user did not pick.
        multi = state.layout == "manual" and any(p.disk > 0 for p in state.partitions)
        if not state.disk:
            disks = bst.disks
        elif state.disk == state.initial_disk and bst.disks:  # still the answer file's pick: keep its rule
            disks = [bst.disks[0], *(bst.disks[1:] if multi else [])]
        else:
            disks = [DiskRef(path=state.disk), *(bst.disks[1:] if multi else [])]
        if state.layout == "guided":
            storage = Storage(
                disks=disks,
                firmware=bst.firmware,
                table=bst.table,
                guided=Guided(root_fs=state.root_fs, swap=state.swap, lvm=state.lvm,
                              separate_home=state.separate_home),
                encryption=enc,
                wipe_in_use=bst.wipe_in_use,
            )
        else:
            storage = Storage(
                disks=disks,
                firmware=bst.firmware,
                table=bst.table,
                partitions=[PartitionSpec(mount=p.mount, size=p.size, fs=p.fs, encrypt=p.encrypt, label=p.label,
                                          vg=p.vg, max_size=p.max_size, disk=p.disk,
                                          mount_options=p.mount_options, grow=p.grow)
                            for p in state.partitions],
                volume_groups=_volume_groups(state, base),
                logical_volumes=[LogicalVolume(name=v.name, vg=v.vg, mount=v.mount, size=v.size,
                                               fs=v.fs, max_size=v.max_size, label=v.label, grow=v.grow)
                                 for v in state.volumes],
                existing=list(bst.existing),  # kept partitions: not shown, never lost
                remove=list(bst.remove),
                encryption=enc,
                wipe_in_use=bst.wipe_in_use,
            )
        users = _users(state, base)
        system = SystemSettings(**{
            **base.system.model_dump(exclude={"hostname", "locale", "keyboard", "timezone"}),
            "hostname": state.hostname, "locale": state.language, "keyboard": state.keyboard,
            "timezone": state.timezone,
        })
        packages = Packages(**{**base.packages.model_dump(exclude={"set"}), "set": state.package_set})
        root_pw = state.root_password.get_secret_value() if state.set_root_password else ""
        kept = base.root.model_dump(exclude={"password", "password_hash", "lock"})
        if root_pw:
            root = Root(**kept, password=SecretStr(root_pw), lock=False)
        elif (state.root_password_hash, state.root_locked) == (base.root.password_hash, base.root.locked):
            root = base.root  # unchanged: keep it exactly as the answer file said it
        else:
            root = Root(**kept, password_hash=state.root_password_hash,
                        lock=state.root_locked if state.root_password_hash else None)
        return InstallConfig(
            storage=storage, packages=packages, system=system, users=users, root=root,
            bootloader=base.bootloader, scripts=base.scripts, finish=base.finish, groups=base.groups,
        )
    except ValidationError as exc:
        raise InvalidInput([
            Issue(".".join(str(p) for p in e["loc"]), str(e["msg"]).removeprefix("Value error, "))
            for e in exc.errors()
        ]) from None


def _users(state: FlowState, base: InstallConfig) -> list[User]:
    """The user the UI edits first, then the answer file's other users unchanged."""
    others = [u for u in base.users if u.name != state.username]
    if not state.username:
        return others
    prev = next((u for u in base.users if u.name == state.username), None)
    pw = state.password.get_secret_value()
    key = state.ssh_key.strip()
    keys = [key] if key else []
    if prev is not None:  # the UI shows the first key; keep the others
        keys += [k for k in prev.ssh_keys[1:] if k not in keys]
    first = User(
        name=state.username,
        full_name=state.full_name,
        password=SecretStr(pw) if pw else None,
        password_hash=None if pw else state.password_hash,
        admin=state.admin,
        ssh_keys=keys,
        groups=list(prev.groups) if prev else [],
        uid=prev.uid if prev else None,
        shell=prev.shell if prev else "/bin/bash",
        primary_group=prev.primary_group if prev else None,  # not shown by the UI: kept
        home=prev.home if prev else None,
        password_max_days=prev.password_max_days if prev else None,
    )
    return [first, *others]


def _volume_groups(state: FlowState, base: InstallConfig) -> list[VolumeGroup]:
    """The answer file's groups, plus one for each vg named by a partition (in order)."""
    names = [g.name for g in base.storage.volume_groups]
    names += [p.vg for p in state.partitions if p.vg and p.vg not in names]
    return [VolumeGroup(name=n) for n in dict.fromkeys(names)]


def from_config(config: InstallConfig, machine: Machine) -> FlowState:
    """Prefill the flow from an answer file (`--answers FILE --interactive`)."""
    s = new_state(machine)
    s.base = config
    st = config.storage
    if st.disks:  # the disk the answer file's first entry picks (path, by-id or match rule)
        try:
            s.disk = resolve_one(st.disks[0], machine, "storage.disks[0]").path
        except InvalidInput:
            s.disk = st.disks[0].path or s.disk
    s.initial_disk = s.disk
    if st.guided is not None:
        s.layout = "guided"
        s.root_fs, s.lvm, s.swap, s.separate_home = (st.guided.root_fs, st.guided.lvm, st.guided.swap,
                                                     st.guided.separate_home)
    else:
        s.layout = "manual"
        s.partitions = [ManualPartition(p.mount, p.size, p.fs, p.encrypt, p.label, p.vg, p.max_size, p.disk,
                                        p.mount_options, p.grow)
                        for p in st.partitions or []]
        s.volumes = [ManualVolume(lv.name, lv.vg, lv.mount, lv.size, lv.fs, lv.max_size, lv.label, lv.grow)
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
