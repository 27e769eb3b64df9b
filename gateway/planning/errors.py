"""The planner's one error."""


class PlanningError(Exception):
    """The operation cannot be planned on this supergraph (a composition gap)."""
