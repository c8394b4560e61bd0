"""The payload: package sets, repositories, preflight and the one install transaction."""
