"""Background jobs that outlive a request: upload captures on a PostgreSQL queue."""
