"""Performance tooling: the large synthetic data set and the benchmark floor route."""
