"""The installer backend: config, validation, planning, engine. No UI imports here."""
