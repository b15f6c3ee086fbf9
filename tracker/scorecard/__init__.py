"""The public scorecard: scoring (pure), running sums, the scorecard pages, feeds, exports."""
