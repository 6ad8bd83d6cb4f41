"""City of Los Angeles: Ordinance 188441, LAPD Special Order 40 / Manual 4/264.50, Mayor ED 12 and ED 17."""
