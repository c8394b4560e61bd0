"""The interactive flow, shared by the Textual and the Qt installer: page order, defaults,
derived suggestions, per-page validation and the mapping between UI state and InstallConfig.
UIs hold widgets only; every rule lives here (and in validate.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import SecretStr, ValidationError

from installer.backend import validate
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
    random_hostname,
)
from installer.backend.errors import InvalidInput, Issue
from installer.backend.machine import Machine
from installer.backend.sizes import format_size

PAGES: tuple[str, ...] = (
    "welcome",
    "install_type",
    "disk",
    "encryption",
    "hostname",
    "user",
    "summary",
    "progress",
    "finish",
)

KEYBOARDS = ("us", "uk", "de", "fr", "es", "it", "jp106", "dvorak", "se", "no", "dk", "fi", "pl", "cz")
LANGUAGES = ("en_US.UTF-8", "en_GB.UTF-8", "de_DE.UTF-8", "fr_FR.UTF-8", "es_ES.UTF-8", "ja_JP.UTF-8",
             "zh_CN.UTF-8")


@dataclass(frozen=True)
class PackageSetInfo:
    id: Literal["core", "full"]
    title: str
    description: str
    installed_size: int  # bytes, from the payload preflight/manifest when known


# Estimates used until the payload preflight reports the real figure for the chosen repo.
PACKAGE_SETS = (
    PackageSetInfo("core", "Azure Linux Core",
                   "A minimal host: systemd, networking, SSH client, LVM and LUKS tools, GRUB.",
                   900 * 1024**2),
    PackageSetInfo("full", "Azure Linux Full",
                   "Core plus SSH server, developer tools, virtualization host and SELinux policy.",
                   2600 * 1024**2),
)


@dataclass(frozen=True)
class FieldIssue:
    """A validation message for one field of one page: what each UI shows inline."""

    field: str
    result: validate.Result

    @property
    def message(self) -> str:
        return self.result.message

    @property
    def blocking(self) -> bool:
        return not self.result.ok


@dataclass
class ManualPartition:
    mount: str | None
    size: str
    fs: str = "ext4"
    encrypt: bool = False
    label: str | None = None
    vg: str | None = None


@dataclass
class ManualVolume:
    """An LVM logical volume of a manual layout (its group is made from partitions with that vg)."""

    name: str
    vg: str
    mount: str | None
    size: str
    fs: str = "ext4"


@dataclass
class FlowState:
    """Everything the user has chosen so far. Secrets are held as SecretStr."""

    language: str = "en_US.UTF-8"
    keyboard: str = "us"
    package_set: Literal["core", "full"] = "core"
    disk: str | None = None
    layout: Literal["guided", "manual"] = "guided"
    root_fs: Literal["ext4", "xfs"] = "ext4"
    lvm: bool = False
    swap: str = "0"
    separate_home: bool = False
    partitions: list[ManualPartition] = field(default_factory=list)
    volumes: list[ManualVolume] = field(default_factory=list)  # LVM logical volumes (manual layout)
    encrypt: bool = False
    passphrase: SecretStr = field(default_factory=lambda: SecretStr(""))
    passphrase_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    luks_version: Literal["luks2", "luks1"] = "luks2"
    hostname: str = field(default_factory=random_hostname)
    full_name: str = ""
    username: str = ""
    username_edited: bool = False
    password: SecretStr = field(default_factory=lambda: SecretStr(""))
    password_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    password_hash: str | None = None  # from a prefilled answer file
    admin: bool = True
    ssh_key: str = ""
    root_password_hash: str | None = None
    root_locked: bool = True
    timezone: str = "UTC"
    # Root stays locked unless the user asks for a root password (then it is hashed in to_config).
    set_root_password: bool = False
    root_password: SecretStr = field(default_factory=lambda: SecretStr(""))
    root_password_confirm: SecretStr = field(default_factory=lambda: SecretStr(""))
    base: InstallConfig | None = None  # prefilled config: fields the UI does not show are kept

    def set_full_name(self, name: str) -> None:
        """Updating the full name re-derives the username until the user edits it."""
        self.full_name = name
        if not self.username_edited:
            self.username = validate.suggest_username(name) if name.strip() else ""


def default_disk(machine: Machine) -> str | None:
    """The largest disk that is not the installer medium and not read-only."""
    cands = [d for d in machine.disks if not d.is_installer_medium and not d.read_only
             and not d.holds_running_root]
    if not cands:
        return None
    return max(cands, key=lambda d: d.size).path


def new_state(machine: Machine) -> FlowState:
    s = FlowState()
    s.disk = default_disk(machine)
    return s


# ----------------------------------------------------------------------------- validation
def validate_page(page: str, state: FlowState, machine: Machine) -> list[FieldIssue]:
    """Issues for one page; an empty list (or only warnings) means Next may proceed."""
    out: list[FieldIssue] = []
    err = validate.Severity.ERROR
    if page == "disk":
        if not state.disk or machine.disk(state.disk) is None:
            out.append(FieldIssue("disk", validate.Result(validate.Code.EMPTY, "choose a disk", err)))
        if state.layout == "guided":
            out += guided_issues(state)
        if state.layout == "manual":
            try:
                to_config(state).storage  # noqa: B018
            except InvalidInput as exc:
                out += [FieldIssue("partitions", validate.Result(validate.Code.BAD_CHARS, i.message, err))
                        for i in exc.issues]
            if not any(p.mount == "/" for p in state.partitions) and not any(
                    v.mount == "/" for v in state.volumes):
                out.append(FieldIssue("partitions", validate.Result(
                    validate.Code.EMPTY, "the layout needs a partition mounted at /", err)))
    elif page == "encryption" and state.encrypt:
        r = validate.passphrase(state.passphrase.get_secret_value(),
                                state.passphrase_confirm.get_secret_value())
        if r.code != validate.Code.OK:
            out.append(FieldIssue("passphrase", r))
    elif page == "hostname":
        r = validate.hostname(state.hostname)
        if not r.ok:
            out.append(FieldIssue("hostname", r))
    elif page == "user":
        r = validate.username(state.username)
        if not r.ok:
            out.append(FieldIssue("username", r))
        if state.password_hash is None or state.password.get_secret_value():
            pr = validate.passphrase(state.password.get_secret_value(),
                                     state.password_confirm.get_secret_value(), minimum=6)
            if pr.code != validate.Code.OK:
                out.append(FieldIssue("password", pr))
        if state.ssh_key.strip():
            try:
                User(name="x", ssh_keys=[state.ssh_key.strip()])
            except ValidationError:
                out.append(FieldIssue("ssh_key", validate.Result(
                    validate.Code.BAD_CHARS, "an SSH key looks like 'ssh-ed25519 AAAA... comment'", err)))
        if state.set_root_password:
            rr = validate.passphrase(state.root_password.get_secret_value(),
                                     state.root_password_confirm.get_secret_value(), minimum=6)
            if rr.code != validate.Code.OK:
                out.append(FieldIssue("root_password", rr))
    return out


def can_proceed(page: str, state: FlowState, machine: Machine) -> bool:
    return not any(i.blocking for i in validate_page(page, state, machine))


# ----------------------------------------------------------------------------- mapping
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
                                          encrypt=p.encrypt, label=p.label, vg=p.vg)
                            for p in state.partitions],
                volume_groups=_volume_groups(state, base),
                logical_volumes=[LogicalVolume(name=v.name, vg=v.vg, mount=v.mount, size=v.size,
                                               fs=v.fs)
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
        s.partitions = [ManualPartition(p.mount, p.size, p.fs, p.encrypt, p.label, p.vg)
                        for p in st.partitions or []]
        s.volumes = [ManualVolume(lv.name, lv.vg, lv.mount, lv.size, lv.fs) for lv in st.logical_volumes]
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


# ----------------------------------------------------------------------------- display helpers
def disk_rows(machine: Machine) -> list[tuple[str, str, str, str, str]]:
    """(path, size, model, transport, current contents) for a disk table."""
    return [(d.path, format_size(d.size), d.model or "", d.transport or "",
             ("INSTALLER MEDIUM - " if d.is_installer_medium else "") + d.contents())
            for d in machine.disks]


def summary_lines(state: FlowState, machine: Machine) -> list[str]:
    """The summary page's text: every choice, then exactly what will be erased (from the plan)."""
    from installer.backend.plan import make_plan

    cfg = to_config(state)
    plan = make_plan(cfg, machine)
    pset = next(p for p in PACKAGE_SETS if p.id == state.package_set)
    lines = [
        f"Installation type: {pset.title}",
        f"Language: {state.language}   Keyboard: {state.keyboard}   Time zone: {state.timezone}",
        f"Disk: {state.disk} ({state.layout} partitioning"
        + (f", {state.root_fs} root" if state.layout == "guided" else "")
        + (", LVM" if state.lvm and state.layout == "guided" else "") + ")",
        f"Encryption: {'LUKS (' + state.luks_version + ')' if state.encrypt else 'off'}",
        f"Host name: {state.hostname}",
        f"User: {state.username or '(none)'}" + (" (administrator)" if state.admin and state.username else ""),
        "Root account: " + ("locked" if cfg.root.locked else "password set"),
        "",
        *plan.summary,
    ]
    return lines


# ----------------------------------------------------------------------------- helpers for the UIs
def validate_partition(part: ManualPartition) -> list[FieldIssue]:
    """Issues for one partition of a manual layout (the add/edit dialog's live validation)."""
    err = validate.Severity.ERROR
    try:
        PartitionSpec(mount=part.mount or None, size=part.size, fs=part.fs,
                      encrypt=part.encrypt, label=part.label or None, vg=part.vg or None)
    except ValidationError as exc:
        return [FieldIssue(str(e["loc"][0]) if e["loc"] else "partition", validate.Result(
            validate.Code.BAD_CHARS, str(e["msg"]).removeprefix("Value error, "), err))
            for e in exc.errors()]
    if part.fs in ("swap", "biosboot", "none") and part.mount:
        return [FieldIssue("mount", validate.Result(
            validate.Code.BAD_CHARS, f"a {part.fs} partition has no mount point", err))]
    if part.fs not in ("swap", "biosboot", "none") and not part.mount and not part.vg:
        return [FieldIssue("mount", validate.Result(
            validate.Code.EMPTY, "give a mount point (or a volume group for an LVM PV)", err))]
    return []


def confirm_word(state: FlowState) -> str:
    """What the user types on the summary page to consent: the erased disk's name, else 'yes'."""
    if state.disk:
        return state.disk.rsplit("/", 1)[-1]
    return "yes"


def confirmation_ok(state: FlowState, typed: str) -> bool:
    return typed.strip() == confirm_word(state)


def erase_lines(state: FlowState, machine: Machine) -> list[str]:
    """What choosing this disk will destroy, for the disk page (before a plan can be made)."""
    d = machine.disk(state.disk) if state.disk else None
    if d is None:
        return []
    if d.is_installer_medium:
        return [f"{d.path} is the installer medium: it cannot be the target."]
    return [f"{d.describe()} will be ERASED.", f"It holds now: {d.contents()}"]


def guided_issues(state: FlowState) -> list[FieldIssue]:
    """The guided layout's own fields (swap size...), checked by the config model."""
    try:
        Guided(root_fs=state.root_fs, swap=state.swap, lvm=state.lvm, separate_home=state.separate_home)
    except ValidationError as exc:
        return [FieldIssue(str(e["loc"][0]) if e["loc"] else "guided", validate.Result(
            validate.Code.BAD_CHARS, str(e["msg"]).removeprefix("Value error, "), validate.Severity.ERROR))
            for e in exc.errors()]
    return []


def validate_volume(vol: ManualVolume, state: FlowState) -> list[FieldIssue]:
    """Issues for one logical volume (the add/edit dialog's live validation)."""
    err = validate.Severity.ERROR
    try:
        LogicalVolume(name=vol.name, vg=vol.vg, mount=vol.mount or None, size=vol.size,
                      fs=vol.fs)
    except ValidationError as exc:
        return [FieldIssue(str(e["loc"][0]) if e["loc"] else "volume", validate.Result(
            validate.Code.BAD_CHARS, str(e["msg"]).removeprefix("Value error, "), err))
            for e in exc.errors()]
    if vol.vg not in {p.vg for p in state.partitions if p.vg}:
        return [FieldIssue("vg", validate.Result(
            validate.Code.EMPTY, f"no partition is a physical volume of '{vol.vg}' (set its LVM group)", err))]
    if vol.fs != "swap" and not vol.mount:
        return [FieldIssue("mount", validate.Result(validate.Code.EMPTY, "give a mount point", err))]
    return []
