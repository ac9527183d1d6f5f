"""Emitters: IR → Python calculators (and, later, explanations and tests)."""
