"""The outbound firewall: nothing leaves for an immigration authority that the law forbids."""
