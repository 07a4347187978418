"""Prove: the gate and its checks, cheapest first — static tools, behaviour replay, benchmark."""
