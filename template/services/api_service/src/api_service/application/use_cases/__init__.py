"""Use cases: one public async function per thing a client can do."""
