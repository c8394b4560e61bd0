"""The PySide6 graphical installer: pages over the shared flow (installer.backend.flow).

Widgets only: page order, defaults, suggestions and validation live in the backend."""
