"""The front end: source text → tokens → parse tree → syntax tree, checked (names, types, units, boundary words)."""
