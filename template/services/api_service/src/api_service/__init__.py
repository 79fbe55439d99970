"""Business API: the public HTTP interface and the business rules; it owns no database."""
