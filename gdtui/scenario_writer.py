"""A Scenario back to TOML, in the format scenario.py reads (the app's `s` key).

Only the few value types a scenario holds are written: strings (as TOML basic
strings, whose escapes JSON's also are), booleans, integers, finite floats,
lists of numbers and inline tables.
"""

from __future__ import annotations

import json

from .core.batches import FULL
from .core.optimizers import FLAGS, RULES
from .scenario import Scenario


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _float(x) -> float:
    return float(x)


def dumps(sc: Scenario) -> str:
    lines = [f"title = {_value(sc.title)}", f"description = {_value(sc.description)}",
             f"seed = {sc.seed}", f"{'epochs' if sc.clock == 'epoch' else 'steps'} = {sc.length}",
             f"tolerance = {_value(_float(sc.tolerance))}", f"speed = {sc.speed}"]
    if sc.compat:
        lines.append(f"compat = {_value(sc.compat)}")
    lines += ["", "[problem]", f"type = {_value(sc.problem_type)}"]
    if sc.problem_name:
        lines.append(f"name = {_value(sc.problem_name)}")
    for key, value in sc.problem_params.items():
        lines.append(f"{key} = {_value(value)}")
    if sc.start is not None:
        lines.append(f"start = {_value([_float(x) for x in sc.start])}")
    if sc.view is not None:
        (x0, x1), (y0, y1) = sc.view
        lines += ["", "[view]", f"x = {_value([_float(x0), _float(x1)])}", f"y = {_value([_float(y0), _float(y1)])}"]
    for run in sc.runs:
        lines += ["", "[[runs]]", f"name = {_value(run.name)}", f"optimizer = {_value(run.rule)}",
                  f"lr = {_value(_float(run.lr))}",
                  f"batch = {_value(run.batch if run.batch == FULL else int(run.batch))}"]
        for key in RULES[run.rule].hyper:
            if key in run.hyper:
                value = run.hyper[key]
                lines.append(f"{key} = {_value(bool(value) if key in FLAGS else _float(value))}")
        if run.schedule.get("type", "constant") != "constant":
            lines.append(f"schedule = {_value(run.schedule)}")
    names = [r.name for r in sc.runs]
    for event in sc.events:
        lines += ["", "[[events]]", f"at = {event.at}"]
        if event.say:
            lines.append(f"say = {_value(event.say)}")
        if event.pause:
            lines.append("pause = true")
        if event.set:
            change = {"run": names[event.set["run"]]}
            change.update({k: (bool(v) if k in FLAGS else _float(v))
                           for k, v in event.set.items() if k != "run"})
            lines.append(f"set = {_value(change)}")
        if event.speed:
            lines.append(f"speed = {event.speed}")
        if event.focus is not None:
            lines.append(f"focus = {_value(names[event.focus])}")
        if event.spotlight is not None:
            lines.append(f"spotlight = {_value(event.spotlight)}")
        if event.view:
            (x0, x1), (y0, y1) = event.view
            lines.append(f"view = {_value({'x': [_float(x0), _float(x1)], 'y': [_float(y0), _float(y1)]})}")
    return "\n".join(lines) + "\n"
