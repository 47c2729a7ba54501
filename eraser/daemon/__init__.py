"""`eraser serve`: the worker that executes tickets (worker), the scheduled jobs and the leader that runs them
(jobs), the HTTP intake (api, api_models, api_docs, access, intake), what /readyz says (health), the process's
signals (serve_control) and the process itself (serve)."""
