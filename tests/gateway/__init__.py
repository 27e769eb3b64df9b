"""The gateway test suite (fixture subgraphs, differential tests against Hive Gateway)."""
