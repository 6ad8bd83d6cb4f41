"""Los Angeles County: Sensitive Locations policy (2017), the Board motion of Sept 1, 2020, LASD policy."""
