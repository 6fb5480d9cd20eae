"""Support for the tests and benchmarks: readers of the public reference data (the IEEE European
LV feeder, SimBench LV grids) and the benchmarks' baseline passes. Pure numpy, no Django; never
imported by the running app (``tests/test_architecture.py`` checks it)."""
