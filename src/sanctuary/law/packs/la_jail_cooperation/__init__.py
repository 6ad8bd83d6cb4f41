"""Comparison regime: the public-debate proposal of cooperation "within the confines of jails"."""
