"""Benchmarks: `make bench` (`python -m bench [name ...]`).

Every module in this package other than `harness` is a benchmark. A benchmark module has a
docstring (its first line is shown by `python -m bench --list`) and a function
`run(ctx: bench.harness.Context) -> None` that measures with `ctx.measure(...)` and prints with
`ctx.report(...)`. The harness prepares PostgreSQL and the demo data set once for all of them.
Benchmarks print figures and ratios to their targets; they never assert on time.
"""
