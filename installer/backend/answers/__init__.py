"""Answer files <-> InstallConfig: native YAML/JSON, kickstart, Azure Linux 3.0 image config."""
