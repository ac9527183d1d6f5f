"""The commands built on the pipeline: build, fmt, calc and explain, batch and Spark, coverage,
schemas, the service and the language server."""
