"""System configuration of the target: pure file generators and checks (the step writes them)."""
