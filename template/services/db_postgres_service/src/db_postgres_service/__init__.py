"""PostgreSQL data service: serves the relational data over HTTP; holds no business rules."""
