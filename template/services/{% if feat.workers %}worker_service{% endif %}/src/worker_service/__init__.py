"""Worker service: consumes the API's events and runs periodic jobs."""
