"""Operations: health checks and Prometheus metrics (docs/operations.md)."""
