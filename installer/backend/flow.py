"""The interactive flow, shared by the Textual and the Qt installer: page order, defaults,
derived suggestions, per-page validation and the mapping between UI state and InstallConfig.
UIs hold widgets only; every rule lives here (and in validate.py).

The flow is split along its seams: ``flow_state`` (pages, choices, FlowState), ``flow_mapping``
(FlowState <-> InstallConfig), ``flow_validate`` (per-page and per-item checks) and
``flow_display`` (text for tables and the summary). Everything is re-exported here, so UIs
keep importing ``installer.backend.flow``.
"""

from __future__ import annotations

from installer.backend import validate  # re-exported: UIs use flow.validate
from installer.backend.flow_display import (
    confirm_word,
    confirmation_ok,
    disk_rows,
    erase_lines,
    summary_lines,
)
from installer.backend.flow_mapping import from_config, to_config
from installer.backend.flow_state import (
    KEYBOARDS,
    LANGUAGES,
    PACKAGE_SETS,
    PAGES,
    FieldIssue,
    FlowState,
    ManualPartition,
    ManualVolume,
    PackageSetInfo,
    default_disk,
    new_state,
)
from installer.backend.flow_validate import (
    can_proceed,
    guided_issues,
    validate_page,
    validate_partition,
    validate_volume,
)

__all__ = [
    "KEYBOARDS",
    "LANGUAGES",
    "PACKAGE_SETS",
    "PAGES",
    "FieldIssue",
    "FlowState",
    "ManualPartition",
    "ManualVolume",
    "PackageSetInfo",
    "can_proceed",
    "confirm_word",
    "confirmation_ok",
    "default_disk",
    "disk_rows",
    "erase_lines",
    "from_config",
    "guided_issues",
    "new_state",
    "summary_lines",
    "to_config",
    "validate",
    "validate_page",
    "validate_partition",
    "validate_volume",
]
