"""Anaconda-generated files carry cdrom/eula/firstboot/skipx: accepted, no effect."""

from __future__ import annotations

from installer.backend.answers.load import load_text


def test_anaconda_boilerplate_is_accepted_without_effect() -> None:
    base = "autopart --type=plain\nclearpart --all --initlabel\nrootpw --lock\n"
    plain = load_text(base, "a.ks").config
    noisy = load_text("cdrom\neula --agreed\nfirstboot --disable\nskipx\n" + base, "b.ks").config
    assert noisy.model_dump(exclude={"system": {"hostname"}}) == plain.model_dump(exclude={"system": {"hostname"}})
