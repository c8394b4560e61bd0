"""Qt item models adapting backend state (Machine, the manual partition list, plan steps)."""
