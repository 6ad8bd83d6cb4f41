"""Los Angeles Unified School District board resolutions (2016, 2017, 2024)."""
