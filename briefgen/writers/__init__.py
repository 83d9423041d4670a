"""Writers: one resolved note → the bytes of one output format."""
