"""7. Summary: every choice and the plan's destructive actions; a deliberate confirmation
(typing the disk's name) before anything is written."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Static

from installer.backend import flow
from installer.backend.errors import InstallerError
from installer.tui.screens.base import PageScreen


class SummaryScreen(PageScreen):
    PAGE = "summary"
    TITLE = "Summary"
    NEXT_LABEL = "Install"
    BODY_FOCUS = True

    def body(self) -> ComposeResult:
        yield Static("", id="summary", markup=False)

    def fixed(self) -> ComposeResult:
        yield Static("", id="confirm-help", classes="warning", markup=False)
        with Grid(classes="form"):
            yield Label("Confirm")
            yield Input(id="confirm", compact=True)

    def load(self) -> None:
        self.plan_error = ""
        try:
            lines = flow.summary_lines(self.state, self.machine)
        except InstallerError as exc:
            self.plan_error = str(exc)
            lines = ["This configuration cannot be installed:", str(exc)]
        self.query_one("#summary", Static).update("\n".join(lines))
        word = flow.confirm_word(self.state)
        what = f"Type {word} to erase it and install" if word != "yes" else "Type yes to install"
        self.query_one("#confirm-help", Static).update(f"{what}. Back changes any choice; Shift+Tab and "
                                                       "arrows scroll the summary.")

    def first_focus(self):  # type: ignore[no-untyped-def]
        return self.query_one("#confirm", Input)

    def issues(self) -> list[flow.FieldIssue]:
        err = flow.validate.Severity.ERROR
        if self.plan_error:
            return [flow.FieldIssue("summary", flow.validate.Result(flow.validate.Code.BAD_CHARS,
                                                                    self.plan_error, err))]
        return []

    def action_next(self) -> None:
        if self.plan_error:
            self.app.bell()
            return
        typed = self.query_one("#confirm", Input).value
        if not flow.confirmation_ok(self.state, typed):
            self.app.bell()
            self.query_one("#confirm-help").add_class("-error")
            self.query_one("#confirm", Input).focus()
            return
        self.flow_app.next_page(self.PAGE)
