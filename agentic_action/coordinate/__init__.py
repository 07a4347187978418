"""Coordination of many agents: shards across matrix jobs, merging shard outputs, waves."""
