"""Scenario events applied to a race as its clock reaches them.

Shared by the app and the headless commands, so that `gdtui run` computes the
same numbers the app shows: an event at tick k takes effect before the update
that leads to tick k+1.
"""

from __future__ import annotations

from .core.race import Race
from .scenario import Event


def events_at(events: list[Event], tick: int) -> list[Event]:
    return [e for e in events if e.at == tick]


def apply_changes(race: Race, events: list[Event]):
    """The `set` part of events: new hyperparameters for a run from the next update on."""
    for event in events:
        if event.set:
            run = event.set["run"]
            for name, value in event.set.items():
                if name != "run":
                    race.set_hyper(run, name, value)


def narration_at(events: list[Event], tick: int) -> Event | None:
    """The last narration whose step has been reached: what the caption shows at `tick`."""
    said = [e for e in events if e.say and e.at <= tick]
    return said[-1] if said else None


def play_headless(race: Race, events: list[Event], length: int, observe=None, until_done: bool = False):
    """Step `race` to tick `length`, applying every event on the way; `observe(race, end)` is
    called at every tick, `end` true at the last (after that tick's events: it sees the rates of
    the next update). `until_done`: the end comes early once every run has stopped (no event can
    move a converged or diverged run again)."""
    while True:
        if race.tick < length:
            apply_changes(race, events_at(events, race.tick))
        end = race.tick >= length or (until_done and race.done)
        if end and race.tick < length:   # the settings the later events make are still reported
            for event in events:
                if race.tick < event.at < length:
                    apply_changes(race, [event])
        if observe is not None:
            observe(race, end)
        if end:
            break
        race.step()
