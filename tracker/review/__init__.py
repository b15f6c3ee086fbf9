"""Reviewing claims: assignment, judgements with evidence, quorum, disputes and the queue."""
