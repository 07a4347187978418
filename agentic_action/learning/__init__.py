"""Agents that learn: the selector that estimates, per function, the chance and cost of each
method, rule family and model from the run ledger's history and maintainers' verdicts, and
chooses the order of functions, the method (``--method auto``), the model and the rule order.

``store`` keeps the history in ``state/learning.json``; ``ledger_source`` reads the ledger;
``features`` describes functions; ``selector`` estimates and chooses (Thompson sampling);
``session`` is one run's use of it all; ``report`` makes the report's ``learning`` section.
"""
