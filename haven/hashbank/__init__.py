"""The national image-hash database: hashing, records, matching and hash lists. Hashes, never images."""
