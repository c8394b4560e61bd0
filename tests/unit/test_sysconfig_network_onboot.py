"""system.network.interfaces[].onboot: false -> the .network file keeps the link down at boot
(ActivationPolicy=manual), from the native format, kickstart and Azure image configs alike."""

from __future__ import annotations

import dataclasses
import json
import threading

from installer.backend.answers.azure import load_azure
from installer.backend.answers.kickstart import load_kickstart
from installer.backend.config import InstallConfig, Interface
from installer.backend.machine import Machine
from installer.backend.plan import make_plan
from installer.backend.sysconfig import network
from installer.backend.system import RecordingSystem

MANUAL = "[Link]\nActivationPolicy=manual\nRequiredForOnline=no\n"


def test_onboot_false_static_file_exactly() -> None:
    got = network.network_file(Interface(name="eth1", dhcp=False, addresses=["192.0.2.10/24"], onboot=False))
    assert got == ("# written by azl-installer\n[Match]\nName=eth1\n\n"
                   "[Link]\nActivationPolicy=manual\nRequiredForOnline=no\n\n"
                   "[Network]\nDHCP=no\nAddress=192.0.2.10/24\n")


def test_onboot_false_dhcp_keeps_its_dhcp_settings() -> None:
    got = network.network_file(Interface(name="eth2", onboot=False))
    assert MANUAL in got and "DHCP=yes" in got and "[DHCPv4]\nUseDomains=true" in got


def test_onboot_true_is_unchanged_and_has_no_link_section() -> None:
    got = network.network_file(Interface(name="eth0"))
    assert "[Link]" not in got and "ActivationPolicy" not in got
    assert got == "# written by azl-installer\n[Match]\nName=eth0\n\n[Network]\nDHCP=yes\n\n[DHCPv4]\nUseDomains=true\n"


def test_kickstart_onboot_no_reaches_the_file() -> None:
    ks = ("network --device=eth0 --bootproto=dhcp\n"
          "network --device=eth1 --bootproto=static --ip=192.0.2.5 --netmask=255.255.255.0 --onboot=no\n")
    ifaces = load_kickstart(ks, "n.ks").config.system.network.interfaces
    files = network.network_files(ifaces)
    assert list(files) == ["10-azl-eth0.network", "11-azl-eth1.network"]
    assert MANUAL not in files["10-azl-eth0.network"]
    assert MANUAL in files["11-azl-eth1.network"] and "Address=192.0.2.5/24" in files["11-azl-eth1.network"]


def test_azure_onboot_false_reaches_the_file() -> None:
    doc = {"SystemConfigs": [{"Name": "s", "Networks": [
        {"Device": "eth0", "BootProto": "dhcp"},
        {"Device": "eth1", "BootProto": "dhcp", "OnBoot": False}]}]}
    ifaces = load_azure(json.dumps(doc), "a.json").config.system.network.interfaces
    assert [(i.name, i.onboot) for i in ifaces] == [("eth0", True), ("eth1", False)]
    files = network.network_files(ifaces)
    assert MANUAL not in files["10-azl-eth0.network"] and MANUAL in files["11-azl-eth1.network"]


def test_sysconfig_step_writes_the_manual_activation_file_in_dry_run() -> None:
    from installer.backend import engine

    cfg = InstallConfig.model_validate({"version": 1, "system": {"hostname": "h", "network": {"interfaces": [
        {"name": "eth0"}, {"name": "eth1", "dhcp": False, "addresses": ["198.51.100.7/24"], "onboot": False}]}}})
    plan = make_plan(cfg, Machine(virtualization="microsoft"), target_root="/t", directory=True)
    plan = dataclasses.replace(plan, steps=[s for s in plan.steps if s.id == "sysconfig"])
    assert plan.steps, "the directory plan has a sysconfig step"
    sysm = RecordingSystem()
    res = engine.apply(plan, cfg, Machine(virtualization="microsoft"), sysm, lambda e: None, threading.Event())
    assert res.ok, res
    eth1 = sysm.files.get("/t/etc/systemd/network/11-azl-eth1.network")
    eth0 = sysm.files.get("/t/etc/systemd/network/10-azl-eth0.network")
    assert eth1 is not None and eth0 is not None, sorted(sysm.files)
    assert MANUAL in eth1.decode() and "Address=198.51.100.7/24" in eth1.decode()
    assert "[Link]" not in eth0.decode()


def test_plan_summary_says_which_interface_stays_down() -> None:
    cfg = InstallConfig.model_validate({"version": 1, "system": {"hostname": "h", "network": {"interfaces": [
        {"name": "eth0"}, {"name": "eth1", "onboot": False}]}}})
    plan = make_plan(cfg, Machine(virtualization="microsoft"), target_root="/t", directory=True)
    step = next(s for s in plan.steps if s.id == "sysconfig")
    line = next(x for x in step.summary if x.startswith("network: "))
    assert line == "network: eth0 dhcp, eth1 dhcp (down at boot)"
