"""The command line: every mode goes through the same backend and engine."""
