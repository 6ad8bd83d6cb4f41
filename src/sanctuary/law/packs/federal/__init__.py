"""Federal layer: what compels (judicial warrants, court orders) and what federal law says about
sharing immigration status (8 U.S.C. 1373, 1644)."""
