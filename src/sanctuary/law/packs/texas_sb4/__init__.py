"""Comparison regime: Texas SB 4 (2017) applied to the same facts."""
