"""Load benchmark for the SCIM API: gunicorn + wrk over loopback, ratios to a baseline.

Run with `make bench` (or `python -m bench --help`). See README.md, "Performance".
"""
