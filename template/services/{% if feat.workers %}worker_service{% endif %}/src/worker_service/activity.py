"""What the worker has seen: event ids (to drop redeliveries), changes since the last digest."""

from collections import Counter
from collections import OrderedDict
from typing import Protocol
from uuid import UUID


class SeenEvents:
    """The most recent `capacity` event ids, oldest forgotten first."""

    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._ids: OrderedDict[UUID, None] = OrderedDict()

    def first_time(self, event_id: UUID) -> bool:
        """True the first time an id is offered (and remembers it), False for a repeat."""
        if event_id in self._ids:
            self._ids.move_to_end(event_id)
            return False
        self._ids[event_id] = None
        if len(self._ids) > self._capacity:
            self._ids.popitem(last=False)
        return True


class Activity:
    """Changes per event type since they were last taken."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()

    def record(self, event_type: str) -> None:
        self._counts[event_type] += 1

    def peek(self) -> dict[str, int]:
        return dict(self._counts)

    def take(self, taken: dict[str, int]) -> None:
        """Forget what a digest has reported (and only that: events may arrive meanwhile)."""
        self._counts.subtract(taken)
        self._counts = +self._counts


class Observer(Protocol):
    def event_handled(self, event_type: str, outcome: str) -> None: ...

    def job_ran(self, job: str, outcome: str, duration_s: float) -> None: ...


class Unobserved:
    def event_handled(self, event_type: str, outcome: str) -> None:
        """Nothing measures events at this level."""

    def job_ran(self, job: str, outcome: str, duration_s: float) -> None:
        """Nothing measures jobs at this level."""
