"""Per-page and per-item validation of the interactive flow (what each UI shows inline)."""

from __future__ import annotations

from pydantic import ValidationError

from installer.backend import grammar, validate
from installer.backend.config import Guided, LogicalVolume, PartitionSpec, User
from installer.backend.errors import InvalidInput
from installer.backend.flow_mapping import to_config
from installer.backend.flow_state import FieldIssue, FlowState, ManualPartition, ManualVolume
from installer.backend.machine import Machine


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
        gecos = grammar.gecos_problem(state.full_name)
        if gecos:
            out.append(FieldIssue("full_name", validate.Result(validate.Code.BAD_CHARS, gecos, err)))
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
