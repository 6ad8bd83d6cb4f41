"""California state law: Values Act, TRUST Act, TRUTH Act and place-specific statutes."""
