"""Comparison regime: CA SB 554 (2025), a failed bill that would have made 7282.5 cooperation a duty."""
