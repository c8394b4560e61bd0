"""Finish: what to do next (reboot, power off, stay) and saving the answer file that reproduces
this install (without secrets)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from installer.backend.answers.native import dump_yaml
from installer.backend.flow import to_config
from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named

CHOICES = (("reboot", "&Restart now and remove the installation medium"), ("poweroff", "&Power off"),
           ("none", "&Stay in the installer environment"))


class FinishPage(Page):
    page_id = "finish"
    title = "Azure Linux is installed"
    subtitle = "Your new system is ready. Choose what happens when you click Finish."
    next_label = "&Finish"

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        card = self.card()
        lay = QVBoxLayout(card)
        lay.setContentsMargins(20, 16, 20, 16)
        self.group = QButtonGroup(self)
        self.radios: dict[str, QRadioButton] = {}
        for action, text in CHOICES:
            r = named(QRadioButton(text), text.replace("&", ""))
            self.group.addButton(r)
            self.radios[action] = r
            lay.addWidget(r)
            r.toggled.connect(self._store)
        self.body.addWidget(card)
        row = QHBoxLayout()
        self.save_btn = named(QPushButton("Save the &answer file…"), "Save answer file",
                              "An answer file installs the same system again, unattended (secrets excluded)")
        self.saved = named(QLabel(""), "Answer file status")
        row.addWidget(self.save_btn)
        row.addWidget(self.saved, 1)
        self.body.addLayout(row)
        hint = QLabel("The answer file installs the same system again without questions "
                      "(azl-installer install FILE). Passwords are kept only as hashes; the disk "
                      "passphrase is never written to it.")
        hint.setWordWrap(True)
        hint.setProperty("role", "hint")
        self.body.addWidget(hint)
        self.save_btn.clicked.connect(self._save_dialog)

    def load(self) -> None:
        cfg = self.ctx.config
        self.ctx.finish = cfg.finish if cfg is not None else self.ctx.finish
        self.radios[self.ctx.finish].setChecked(True)

    def _store(self) -> None:
        for action, r in self.radios.items():
            if r.isChecked():
                self.ctx.finish = action

    def answer_text(self) -> str:
        cfg = self.ctx.config or to_config(self.ctx.state)
        return dump_yaml(cfg.model_copy(update={"finish": self.ctx.finish}))

    def save_to(self, path: str) -> None:
        p = Path(path)
        fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(self.answer_text())
        self.saved.setText(f"Saved to {p}")

    def _save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save the answer file",
                                              str(Path.home() / "azl-answers.yaml"), "YAML (*.yaml *.yml)")
        if path:
            try:
                self.save_to(path)
            except OSError as exc:
                self.saved.setText(f"Could not save: {exc.strerror}")
