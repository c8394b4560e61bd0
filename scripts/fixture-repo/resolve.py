#!/usr/bin/python3
"""Resolve Azure Linux names against a repository with dnf's Python API (run with Debian's
/usr/bin/python3, where the dnf and rpm bindings live). Prints JSON:
{"packages": [...], "installed_size": N, "download_size": N, "providers": {name: pkg}, "error": ""}

    /usr/bin/python3 resolve.py REPO_DIR WORK_DIR NAME...
"""
import json
import os
import sys

import dnf
import dnf.exceptions


def main() -> int:
    repo, work, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    base = dnf.Base()
    conf = base.conf
    conf.installroot = os.path.join(work, "root")
    conf.cachedir = os.path.join(work, "cache")
    conf.persistdir = os.path.join(work, "persist")
    conf.logdir = work
    conf.reposdir = []
    conf.install_weak_deps = False
    conf.gpgcheck = False
    conf.substitutions["releasever"] = "3.0"
    conf.substitutions["basearch"] = "x86_64"
    base.repos.add_new_repo("fixture", conf, baseurl=["file://" + os.path.abspath(repo)])
    base.fill_sack(load_system_repo=False)
    out = {"packages": [], "installed_size": 0, "download_size": 0, "providers": {}, "error": ""}
    q = base.sack.query().available()
    missing = []
    for n in names:
        prov = q.filter(provides=n)
        if not prov:
            missing.append(n)
            continue
        out["providers"][n] = sorted({p.name for p in prov})
    if missing:
        out["error"] = "nothing provides: " + " ".join(missing)
        print(json.dumps(out))
        return 0
    try:
        for n in names:
            base.install(n)
        base.resolve()
    except dnf.exceptions.Error as e:
        out["error"] = str(e)
        print(json.dumps(out))
        return 0
    pkgs = sorted(base.transaction.install_set, key=lambda p: p.name)
    out["packages"] = [p.name for p in pkgs]
    out["installed_size"] = sum(p.installsize for p in pkgs)
    out["download_size"] = sum(p.downloadsize for p in pkgs)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
