"""A passphrase strength meter fed by validate.strength (0..4), in text so it reads on serial."""

from __future__ import annotations

from textual.widgets import Static

WORDS = ("none", "weak", "fair", "good", "strong")


class StrengthMeter(Static):
    def __init__(self, id: str | None = None) -> None:
        super().__init__("", id=id, classes="strength", markup=False)
        self.score = -1

    def set_score(self, score: int) -> None:
        if score == self.score:
            return
        self.score = score
        self.update(f"Strength: [{'#' * score}{'.' * (4 - score)}] {WORDS[score]}")
        for i in range(5):
            self.set_class(i == score, f"-s{i}")
