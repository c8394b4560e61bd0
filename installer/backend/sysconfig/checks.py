"""Checks of timezone, locale and keymap names, at plan time (pure apart from reading the host's
zoneinfo names, which are the same IANA names the target's tzdata carries)."""

from __future__ import annotations

import os
import re

ZONEINFO = "/usr/share/zoneinfo"
_LOCALE = re.compile(r"^(C|POSIX|C\.UTF-8|C\.utf8|[a-z]{2,3}(_[A-Z]{2})?(\.(UTF-8|utf8|ISO-8859-\d+|GB18030|EUC-JP))?"
                     r"(@[a-z]+)?)$")
# kbd's console keymaps that Azure Linux's kbd package ships (i386 qwerty/qwertz/azerty/dvorak/colemak)
_KEYMAP_NAMES = """us us-acentos uk gb de de-latin1 de-latin1-nodeadkeys de-nodeadkeys de_CH-latin1 ch fr fr-latin1
    fr-latin9 fr-pc fr_CH fr_CH-latin1 be-latin1 es es-cp850 it it2 it-ibm pt-latin1 pt-latin9 br-abnt2
    br-abnt br-latin1-abnt2 br-latin1-us nl nl2 dk dk-latin1 no no-latin1 se-latin1 se-lat6 fi fi-latin1
    is-latin1 pl pl2 cz cz-qwerty cz-us-qwertz sk-qwerty sk-qwertz hu hu101 ro ro_win ru ru1 ru2 ru-ms
    ru_win ua ua-utf by bg_bds-utf8 bg_pho-utf8 gr gr-pc il jp106 kr106 tr_q-latin5 trq trf et lt lt.baltic
    lv mk-utf sr-cy slovene croat ba la-latin1 ca cf dvorak dvorak-l dvorak-r colemak us-intl emacs
    emacs2 sv-latin1 nl-latin9"""
KEYMAPS = frozenset(_KEYMAP_NAMES.split())


def timezone_error(tz: str, zoneinfo: str = ZONEINFO) -> str | None:
    if tz in ("UTC", "Etc/UTC"):
        return None
    if not re.fullmatch(r"[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*", tz) or ".." in tz:
        return f"'{tz}' is not a timezone name such as Europe/Berlin"
    if os.path.isdir(zoneinfo) and not os.path.isfile(os.path.join(zoneinfo, tz)):
        return f"unknown timezone '{tz}' (not in {zoneinfo}); use a name such as Europe/Berlin or UTC"
    return None


def locale_error(locale: str) -> str | None:
    if not _LOCALE.match(locale):
        return f"'{locale}' is not a locale such as en_US.UTF-8"
    return None


KEYMAP_DIRS = ("/usr/lib/kbd/keymaps", "/usr/share/kbd/keymaps", "/usr/share/keymaps")


def _host_keymap(keymap: str, dirs: tuple[str, ...] = KEYMAP_DIRS) -> bool:
    """A keymap file of that name in the host's kbd data (the same names the target's kbd has)."""
    if not re.fullmatch(r"[A-Za-z0-9_.+-]+", keymap):
        return False
    for d in dirs:
        for _dirpath, _dirs, names in os.walk(d):
            if any(n.split(".map", 1)[0] == keymap for n in names if ".map" in n):
                return True
    return False


def keymap_error(keymap: str) -> str | None:
    if keymap not in KEYMAPS and not _host_keymap(keymap):
        return f"unknown keyboard layout '{keymap}'; use a console keymap such as us, de or fr"
    return None
