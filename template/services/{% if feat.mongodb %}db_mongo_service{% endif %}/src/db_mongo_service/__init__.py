"""MongoDB data service: the audit log, reached only over HTTP."""
