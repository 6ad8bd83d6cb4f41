"""Comparison regime: a county jail under a 287(g) Jail Enforcement Model agreement."""
