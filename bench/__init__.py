"""`make bench`: a load benchmark of the real site, reported as ratios to a baseline view.

bench.data builds the realistic database, bench.run serves it with gunicorn and drives it with
wrk, bench.report writes bench/results.md. See bench/run.py for the whole sequence.
"""
