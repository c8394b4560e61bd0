"""The Azure Linux Image Customizer's configuration (YAML) as an answer-file format.

load.py reads it (one module per section: storage.py, os_*.py, scripts.py, buildonly.py, over the
shared context in common.py); writer.py writes one from any InstallConfig (`convert --to
imagecustomizer`). docs/azure.md has the key table.
"""
