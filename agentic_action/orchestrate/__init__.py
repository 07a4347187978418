"""Above one run: waves of agents, focuses, ownership, stopping, shard merge, queue workers."""
