"""The first user: full name, user name (suggested from the full name), password, admin, SSH key."""

from __future__ import annotations

from pydantic import SecretStr
from PySide6.QtWidgets import QCheckBox, QFormLayout, QLabel, QLineEdit, QWidget

from installer.gui.context import GuiContext
from installer.gui.pages.base import Page
from installer.gui.widgets.a11y import named


class UserPage(Page):
    page_id = "user"
    title = "Create your account"
    subtitle = ("This account can administer the system with sudo. The root account stays locked "
                "unless you also set a root password.")

    def __init__(self, ctx: GuiContext, parent: QWidget | None = None) -> None:
        super().__init__(ctx, parent)
        card = self.card()
        form = QFormLayout(card)
        form.setContentsMargins(20, 16, 20, 16)
        form.setVerticalSpacing(8)
        self.full_name = named(QLineEdit(), "Full name")
        self.username = named(QLineEdit(), "User name", "Lowercase letters, digits, '_' and '-'")
        self.password = named(QLineEdit(), "Password", "At least 6 characters")
        self.confirm = named(QLineEdit(), "Confirm password")
        for e in (self.password, self.confirm):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        self.admin = named(QCheckBox("Make this user an &administrator (sudo)"), "Administrator")
        self.ssh_key = named(QLineEdit(), "SSH public key", "Optional: ssh-ed25519 AAAA... comment")
        self.ssh_key.setPlaceholderText("optional: ssh-ed25519 AAAA... you@example")
        self.kept = QLabel("A password from the answer file is kept unless you type a new one.")
        self.kept.setProperty("role", "hint")
        form.addRow(self.label("&Full name", self.full_name), self.full_name)
        form.addRow(self.label("&User name", self.username), self.username)
        form.addRow("", self.message("username"))
        form.addRow(self.label("&Password", self.password), self.password)
        form.addRow(self.label("&Confirm", self.confirm), self.confirm)
        form.addRow("", self.kept)
        form.addRow("", self.message("password"))
        form.addRow("", self.admin)
        form.addRow(self.label("&SSH key", self.ssh_key), self.ssh_key)
        form.addRow("", self.message("ssh_key"))
        self.body.addWidget(card)
        self.root_box = named(QCheckBox("Also set a &root password (otherwise root stays locked)"),
                              "Set a root password")
        self.body.addWidget(self.root_box)
        self.root_card = self.card()
        rform = QFormLayout(self.root_card)
        rform.setContentsMargins(20, 12, 20, 12)
        self.root_pw = named(QLineEdit(), "Root password")
        self.root_confirm = named(QLineEdit(), "Confirm root password")
        for e in (self.root_pw, self.root_confirm):
            e.setEchoMode(QLineEdit.EchoMode.Password)
        rform.addRow(self.label("R&oot password", self.root_pw), self.root_pw)
        rform.addRow(self.label("Con&firm", self.root_confirm), self.root_confirm)
        rform.addRow("", self.message("root_password"))
        self.body.addWidget(self.root_card)
        self.root_box.toggled.connect(self._root_toggled)
        self.root_pw.textEdited.connect(lambda _t: self._root_edited())
        self.root_confirm.textEdited.connect(lambda _t: self._root_edited())

        self.full_name.textEdited.connect(self._name_edited)
        self.username.textEdited.connect(self._user_edited)
        self.password.textEdited.connect(lambda _t: self._pw_edited())
        self.confirm.textEdited.connect(lambda _t: self._pw_edited())
        self.admin.toggled.connect(self._admin)
        self.ssh_key.textEdited.connect(self._key_edited)

    def load(self) -> None:
        s = self.ctx.state
        self.full_name.setText(s.full_name)
        self.username.setText(s.username)
        self.password.setText(s.password.get_secret_value())
        self.confirm.setText(s.password_confirm.get_secret_value())
        self.admin.setChecked(s.admin)
        self.ssh_key.setText(s.ssh_key)
        self.kept.setVisible(s.password_hash is not None)
        self.root_box.setChecked(s.set_root_password)
        self.root_pw.setText(s.root_password.get_secret_value())
        self.root_confirm.setText(s.root_password_confirm.get_secret_value())
        self.root_card.setVisible(s.set_root_password)

    def _name_edited(self, text: str) -> None:
        self.ctx.state.set_full_name(text)  # re-derives the user name until it is edited
        self.username.setText(self.ctx.state.username)
        if self.ctx.state.username:
            self.touched.add("username")
        self.changed.emit()

    def _user_edited(self, text: str) -> None:
        self.ctx.state.username = text.strip()
        self.ctx.state.username_edited = True
        self.touch("username")

    def _pw_edited(self) -> None:
        s = self.ctx.state
        s.password = SecretStr(self.password.text())
        s.password_confirm = SecretStr(self.confirm.text())
        if self.confirm.text():
            self.touched.add("password")
        self.changed.emit()

    def _admin(self, on: bool) -> None:
        if self.loading:
            return
        self.ctx.state.admin = on
        self.changed.emit()

    def _key_edited(self, text: str) -> None:
        self.ctx.state.ssh_key = text
        self.touch("ssh_key")

    def _root_toggled(self, on: bool) -> None:
        if self.loading:
            return
        self.ctx.state.set_root_password = on
        self.root_card.setVisible(on)
        self.changed.emit()

    def _root_edited(self) -> None:
        s = self.ctx.state
        s.root_password = SecretStr(self.root_pw.text())
        s.root_password_confirm = SecretStr(self.root_confirm.text())
        if self.root_confirm.text():
            self.touched.add("root_password")
        self.changed.emit()
