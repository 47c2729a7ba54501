"""The destroy-and-verify kernel, in the order an erasure runs through it.

schema (the configured tables and relations of one database, checked against its live schema) -> locate (a
subject's rows) -> plan (a decision per row) -> execute (one transaction per database) -> verify (inside it,
before commit) -> residual (the scan of free text that ends every verification). Beside them: anonymize
(replacement values), retention and holds (what must be kept, and until when), conditional and serialized
(text rewritten only where it still holds what was read, inside its structure), terms (what the scan looks
for), derived (materialized views), files (files the rows refer to).

Nothing here imports the proof, the state store's users, the daemon or the CLI.
"""
