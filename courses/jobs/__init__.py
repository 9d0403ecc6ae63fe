"""Background jobs: long work (bulk printing, imports, exports) run outside the request,
on RQ workers when REDIS_URL is set, else in a thread of the app process."""
