"""The demo's records as TOML files, one per subject (README.md here: the format).
tracker.demo.records.reader reads and checks them; `manage.py check_demo_records [FILE]`
checks files from the command line."""
