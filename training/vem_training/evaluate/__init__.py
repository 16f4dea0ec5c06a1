"""Evaluation: the shipped models on held-out data, the benchmark and its metrics."""
