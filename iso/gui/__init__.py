"""The graphical layer of the installer medium (PySide6 trimmed + the libraries it needs)."""
