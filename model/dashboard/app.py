"""The workshop page (Solara): change levers, run against the baseline, read, keep.

Each browser session has its own state (Solara keeps module-level reactive
variables per session); what sessions share, the run queue and its cache,
lives in :func:`model.dashboard.server.workshop`. The left column holds the
controls in the order a workshop uses them (scenario, run, keep); the right
column the key numbers, the map and the report's figures.
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import solara
import solara.lab
from solara.server import kernel_context

from model.dashboard import library, state, views
from model.dashboard.controls import (
    Control,
    cooperation_control,
    label,
    new_strategy,
    run_controls,
    strategy_class,
    strategy_controls,
)
from model.dashboard.runs import Job, scenario_key
from model.dashboard.server import Workshop, workshop
from model.dashboard.state import BASELINE_FILE, Draft
from model.inputs.errors import InputError
from model.inputs.strategies import STRATEGY_TYPES

MAX_COMPARED = 5
CSS = """
.v-application { font-size: 15px; }
.regionsim-hint { display: block; color: #555; font-size: 0.82em; line-height: 1.3; margin: 2px 0 6px 0; }
.regionsim-error { display: block; color: #b00020; font-size: 0.85em; line-height: 1.3; margin: 2px 0 6px 0; }
.regionsim-step { font-weight: 600; font-size: 1.15em; margin: 4px 0; }
.regionsim-keys table { border-collapse: collapse; font-size: 1.0em; margin: 4px 0 8px 0; }
.regionsim-keys th, .regionsim-keys td { border: 1px solid #ccc; padding: 4px 9px; text-align: right;
                                          white-space: nowrap; font-size: 1.1em; }
.regionsim-interval { color: #666; font-size: 0.75em; }
.regionsim-keys th:first-child, .regionsim-keys td:first-child { text-align: left; }
.regionsim-keys th { background: #f2f2f2; }
.regionsim-swatch { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.4em; border-radius: 2px;
                    vertical-align: middle; }
.regionsim-caption { color: #333; font-size: 0.95em; margin: 2px 0 14px 0; }
.regionsim-figure img { width: 100%; }
"""

# Per browser session (Solara keeps one value per session).
draft: solara.Reactive[Draft | None] = solara.reactive(None)
mode = solara.reactive("edit")
chosen: solara.Reactive[list[str]] = solara.reactive([])
new_type = solara.reactive(STRATEGY_TYPES[0])
result: solara.Reactive[views.Views | None] = solara.reactive(None)
job: solara.Reactive[Job | None] = solara.reactive(None)
status = solara.reactive("")
blocked: solara.Reactive[dict[str, list[str]]] = solara.reactive({})
notice: solara.Reactive[tuple[str, str] | None] = solara.reactive(None)
confirm = solara.reactive(False)
map_year: solara.Reactive[int | None] = solara.reactive(None)
map_scenario: solara.Reactive[str | None] = solara.reactive(None)


def session_id() -> str:
    """This browser session's id (runs are queued fairly between sessions)."""
    return kernel_context.get_current_context().id


def _on_session_start() -> Callable[[], None]:
    session = session_id()

    def cleanup() -> None:
        try:
            workshop().queue.cancel_session(session)
        except RuntimeError:  # no server (the module imported elsewhere)
            pass

    return cleanup


solara.lab.on_kernel_start(_on_session_start)


def initial(place: Workshop) -> Draft:
    """The draft a new session opens on: the baseline."""
    return state.draft_from(place.library.baseline, BASELINE_FILE)


def current() -> Draft:
    """This session's draft."""
    return draft.value or initial(workshop())


def edit(change: Callable[[Draft], Draft]) -> None:
    """Apply one edit to this session's draft (earlier reasons not to run are then out of date)."""
    draft.set(change(current()))
    blocked.set({})


def start_run(place: Workshop, session: str, edited: Draft, compare: tuple[str, ...] = ()) -> Job | dict:
    """Validate and queue a run; returns the job, or the schema's messages and queues nothing.

    Without `compare` the edited scenario runs against the baseline, with it
    the named saved scenarios do (at most five).
    """
    if len(compare) > MAX_COMPARED:
        return {"": [f"choose at most {MAX_COMPARED} scenarios to compare (chosen: {len(compare)})"]}
    missing = [name for name in compare if name not in place.library.scenarios]
    if missing:
        return {"": [f"{', '.join(missing)}: not in {place.folder.name}/ any more (or not valid there)"]}
    planned = state.plan(edited, place.folder, place.library.scenarios, compare)
    if isinstance(planned, dict):
        return planned
    return place.queue.submit(session, planned, planned[0].replicates)


@solara.lab.task
def follow(running: Job) -> views.Views | None:
    """Wait for a job while showing its progress, then make its figures (a thread: the page stays live)."""
    place = workshop()
    while not running.over:
        place.queue.wait(running, 0.5)
        if not follow.is_current():
            place.queue.cancel(running)
            return None
        follow.progress = round(100 * running.fraction)
        status.set(_describe(running, place))
    if running.state == "failed":
        status.set("")
        raise RuntimeError(running.error)
    if running.state == "cancelled":
        status.set("Cancelled.")
        return None
    status.set("Making the figures ...")
    made = views.build(place.cache.comparison(running.scenarios, running.replicates), place.region)
    result.set(made)
    status.set("")
    return made


def _describe(running: Job, place: Workshop) -> str:
    busy, waiting = place.queue.waiting()
    text = f"{running.done} of {running.total} replicates done"
    if running.state == "queued":
        text += f"; waiting for the executor ({busy} replicates running, {waiting} waiting, from all sessions)"
    return text


@solara.component
def Field(control: Control, value: Any, error: str, on_value: Callable[[Any], None]) -> None:
    """One control: a text field for numbers, a menu for choices; the schema's message in red beside it."""
    if control.kind == "choice":
        values = list(control.choices)
        if value is not None and value not in values:
            values.append(value)
        with solara.Tooltip(control.help or control.label):
            with solara.Div():  # a menu keeps hover events to itself; its box shows the help
                solara.Select(control.label, values=values, value=value, on_value=on_value)
        solara.Text(error or control.hint, classes=["regionsim-error" if error else "regionsim-hint"])
        return
    placeholder = None if control.required or control.default is not None else "default"
    with solara.Tooltip(control.help or control.label):
        solara.InputText(
            control.label,
            value=state.shown(value),
            on_value=lambda text: on_value(state.parse(text)),
            error=error or False,
            message=control.hint,
            continuous_update=True,  # on blur alone, fast typing could lose the last keys
            placeholder=placeholder,
        )


@solara.component
def StrategyCard(index: int, strategy: dict[str, Any], checked: state.Checked) -> None:
    """One strategy: its fields from the schema, its messages, and a button to remove it."""
    place = workshop()
    kind = strategy.get("type", "")
    examples = solara.use_memo(lambda: library.examples(place.library), dependencies=[id(place.library)])
    here = f"levers.strategies[{index}]"
    with solara.Card(margin=0, style={"margin-bottom": "10px", "background": "#fafafa"}):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.HTML(
                tag="div",
                unsafe_innerHTML=f"<b>{index + 1}. {html.escape(label(kind))}</b>: "
                f"{html.escape(strategy_class(kind).__doc__.strip())}",
                style="max-width: 75%",
            )
            solara.Button(
                "Remove",
                icon_name="mdi-delete",
                text=True,
                on_click=lambda: edit(lambda d: state.remove_strategy(d, index)),
            )
        general = "; ".join(m for key in (here, f"{here}.type") for m in checked.problems.get(key, []))
        if general:
            solara.Text(general, classes=["regionsim-error"])
        fields = strategy_controls(kind, place.region, examples.get(kind))
        with solara.Div(style={"display": "grid", "grid-template-columns": "1fr 1fr", "column-gap": "16px"}):
            for control in fields:
                with solara.Div():
                    Field(
                        control,
                        strategy.get(control.key, control.default),
                        checked.at(f"{here}.{control.key}"),
                        lambda value, key=control.key: edit(lambda d: state.set_strategy_value(d, index, key, value)),
                    )


def _switch(value: str) -> None:
    mode.set(value)
    blocked.set({})


def _choose(files: list[str]) -> None:
    chosen.set(files)
    blocked.set({})


@solara.component
def ScenarioPanel(edited: Draft, checked: state.Checked) -> None:
    """Step 1: the base scenario, cooperation and strategies, or the saved scenarios to compare."""
    place = workshop()
    files = list(place.library.scenarios)
    with solara.Card(margin=0, style={"margin-bottom": "12px"}):
        with solara.Row(justify="space-between", style={"align-items": "center"}):
            solara.Text("1 · Scenario", classes=["regionsim-step"])
            with solara.ToggleButtonsSingle(value=mode.value, on_value=_switch, dense=True):
                solara.Button("Edit levers", value="edit")
                solara.Button("Compare saved", value="compare")
        if mode.value == "compare":
            others = [f.removesuffix(".yaml") for f in files if f != BASELINE_FILE]
            solara.SelectMultiple(
                f"Saved scenarios to compare with the baseline (up to {MAX_COMPARED})",
                values=chosen.value,
                all_values=others,
                on_value=_choose,
            )
            solara.Text(
                "Each runs as saved, with the window and replicates below; the figures put them side by side.",
                classes=["regionsim-hint"],
            )
            return
        solara.Select(
            "Start from",
            values=[f.removesuffix(".yaml") for f in files],
            value=edited.base.removesuffix(".yaml"),
            on_value=lambda stem: edit(
                lambda d: state.draft_from(place.library.scenarios[f"{stem}.yaml"], f"{stem}.yaml", run=d)
            ),
        )
        base = place.library.scenarios.get(edited.base)
        description = base.description.strip() if base else f"{edited.base} is no longer in the library."
        solara.Text(" ".join(description.split()), classes=["regionsim-hint"])
        cooperation = cooperation_control()
        Field(
            cooperation,
            edited.cooperation,
            checked.at("levers.cooperation"),
            lambda value: edit(lambda d: replace(d, cooperation=value)),
        )
        for index, strategy in enumerate(edited.strategies):
            StrategyCard(index, strategy, checked)
        if not edited.strategies:
            solara.Text("No strategy: add one below.", classes=["regionsim-hint"])
        with solara.Row(style={"align-items": "center"}):
            solara.Select("Strategy type", values=list(STRATEGY_TYPES), value=new_type)
            solara.Button(
                "Add strategy",
                icon_name="mdi-plus",
                outlined=True,
                on_click=lambda: edit(
                    lambda d: state.add_strategy(d, new_strategy(new_type.value, library.examples(place.library)))
                ),
            )


@solara.component
def RunPanel(edited: Draft, checked: state.Checked) -> None:
    """Step 2: replicates and window, Run and Cancel, progress, and every reason a run cannot start."""
    place = workshop()
    settings = {"replicates": edited.replicates, "years.start": edited.start, "years.end": edited.end}
    fields = {"replicates": "replicates", "years.start": "start", "years.end": "end"}
    running = follow.pending
    run_disabled = bool(
        running
        or (mode.value == "edit" and not checked.ok)
        or (mode.value == "compare" and not 0 < len(chosen.value) <= MAX_COMPARED)
    )

    def run() -> None:
        if run_disabled:  # the button shows disabled; a client that sends its click anyway gets nothing
            return
        notice.set(None)
        compare = tuple(f"{stem}.yaml" for stem in chosen.value) if mode.value == "compare" else ()
        if mode.value == "compare" and not compare:
            blocked.set({"": ["choose one or more saved scenarios to compare"]})
            return
        outcome = start_run(place, session_id(), current(), compare)
        if isinstance(outcome, dict):
            blocked.set(outcome)
            return
        blocked.set({})
        job.set(outcome)
        status.set(_describe(outcome, place))
        follow(outcome)

    def cancel() -> None:
        if job.value is not None:
            place.queue.cancel(job.value)

    with solara.Card(margin=0, style={"margin-bottom": "12px"}):
        solara.Text("2 · Run against the baseline", classes=["regionsim-step"])
        with solara.Div(style={"display": "grid", "grid-template-columns": "1fr 1fr 1fr", "column-gap": "16px"}):
            for control in run_controls():
                attribute = fields[control.key]
                with solara.Div():
                    Field(
                        control,
                        settings[control.key],
                        checked.at(control.key) or (checked.at("years") if control.key == "years.end" else ""),
                        lambda value, attribute=attribute: edit(lambda d: replace(d, **{attribute: value})),
                    )
        settings_only = mode.value == "compare"  # saved scenarios run as saved: only the run settings matter
        problems = [
            f"{key}: {m}" if key else m
            for key, ms in checked.problems.items()
            if not settings_only or key.startswith(("replicates", "years"))
            for m in ms
        ]
        problems += [f"{key}: {m}" if key else m for key, ms in blocked.value.items() for m in ms]
        for note in checked.warnings:
            solara.Warning(note, dense=True)
        with solara.Row():
            solara.Button(
                "Run",
                icon_name="mdi-play",
                color="primary",
                on_click=run,
                disabled=run_disabled,
            )
            if running:
                solara.Button("Cancel", icon_name="mdi-stop", outlined=True, on_click=cancel)
        if problems:
            solara.Error("Fix before running: " + "; ".join(dict.fromkeys(problems)), dense=True)
        if running:
            solara.ProgressLinear(follow.progress if follow.progress else True)
        if status.value:
            solara.Text(status.value, classes=["regionsim-hint"])
        if follow.error:
            solara.Error(f"The run failed: {follow.exception}", dense=True)
        solara.Text(
            f"Runs on {place.queue.choice.describe()}, shared fairly by everyone using this page; "
            "results are kept, so asking again is instant.",
            classes=["regionsim-hint"],
        )


def _shown_path(path: Path) -> str:
    """A saved file as the user would type it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return str(path) if relative.startswith("..") else relative


@solara.component
def KeepPanel(edited: Draft, checked: state.Checked) -> None:
    """Step 3: save the scenario as a YAML overlay (asking before replacing), download the report."""
    place = workshop()
    name_error = checked.at("name") or ("" if library.NAME.fullmatch(edited.display_name) else library.NAME_HINT)
    save_disabled = not checked.ok or mode.value == "compare" or bool(name_error)

    def save(overwrite: bool = False) -> None:
        # What the page shows disabled does nothing here either: a save needs a valid, named scenario, and a
        # replacement needs the dialog that asked for it to be open.
        if save_disabled or (overwrite and not confirm.value):
            return
        confirm.set(False)
        name = current().display_name
        try:
            path = library.save(current(), place.folder, name, overwrite=overwrite)
        except FileExistsError:
            confirm.set(True)
            return
        except InputError as error:
            notice.set(("error", "; ".join(p.message + (f" ({p.hint})" if p.hint else "") for p in error.problems)))
            return
        place.reload()
        notice.set(
            (
                "success",
                f"Saved {_shown_path(path)}. Run it with: regionsim run {_shown_path(path)}",
            )
        )

    with solara.Card(margin=0, style={"margin-bottom": "12px"}):
        solara.Text("3 · Keep the scenario", classes=["regionsim-step"])
        solara.InputText(
            "Name (the file is scenarios/<name>.yaml)",
            value=edited.display_name,
            on_value=lambda text: edit(lambda d: replace(d, name=(text or "").strip())),
            error=name_error or False,
            continuous_update=True,  # on blur alone, fast typing could lose the last keys
        )
        solara.InputTextArea(
            "Description (what the scenario asks)",
            value=edited.description,
            on_value=lambda text: edit(lambda d: replace(d, description=text or "")),
            rows=2,
        )
        with solara.Row():
            solara.Button(
                "Save as scenario",
                icon_name="mdi-content-save",
                color="primary",
                outlined=True,
                on_click=save,
                disabled=save_disabled,
            )
            shown = result.value
            if shown is not None:
                solara.FileDownload(
                    lambda: views.report(shown, place.queue.choice).read_bytes(),
                    filename=f"report-{'-'.join(shown.names)}.html".replace(" ", "_"),
                    label="Download report",
                    mime_type="text/html",
                )
        if notice.value is not None:
            kind, text = notice.value
            (solara.Success if kind == "success" else solara.Error)(text, dense=True)
        solara.lab.ConfirmationDialog(
            confirm,
            title="Replace the saved scenario?",
            content=f"{place.folder.name}/{edited.display_name}.yaml exists. Replace it with this scenario?",
            ok="Replace",
            on_ok=lambda: save(overwrite=True),
        )


@solara.component
def KeyNumbers(shown: views.Views) -> None:
    """The report's key numbers at the horizon, with the palette's colours and intervals under the values."""
    table = shown.key_numbers
    head = "".join(f"<th>{html.escape(column)}</th>" for column in table.columns)
    rows = []
    for record in table.itertuples(index=False):
        name, *values = record
        swatch = f"<span class='regionsim-swatch' style='background:{shown.colours[name]}'></span>"
        cells = [f"<td>{swatch}{html.escape(name)}</td>"]
        for value in values:
            main, _, interval = str(value).partition(" (")
            below = f"<div class='regionsim-interval'>{html.escape(interval.rstrip(')'))}</div>" if interval else ""
            cells.append(f"<td>{html.escape(main)}{below}</td>")
        rows.append(f"<tr>{''.join(cells)}</tr>")
    horizon = shown.ensemble.scenarios[0].years.end
    markup = (
        f"<table><tr>{head}</tr>{''.join(rows)}</table><div class='regionsim-hint'>In {horizon}, the horizon; "
        "small print: the 90 % interval over replicates. Net: against the baseline, replicate by replicate.</div>"
    )
    solara.HTML(tag="div", unsafe_innerHTML=markup, classes=["regionsim-keys"])


@solara.component
def MapView(shown: views.Views) -> None:
    """The region on a map with a year slider (and a scenario menu when several are compared)."""
    first, last = shown.years
    year = map_year.value if map_year.value is not None and first <= map_year.value <= last else last
    others = shown.names[1:] or shown.names
    scenario = map_scenario.value if map_scenario.value in others else others[-1]
    picture = solara.use_memo(
        lambda: views.map_png(shown, year, scenario), dependencies=[shown.ensemble.key, year, scenario]
    )
    with solara.Row(style={"align-items": "center", "padding-top": "22px"}):
        with solara.Column(style={"min-width": "60%"}):
            solara.SliderInt(f"Year {year}", value=year, min=first, max=last, on_value=map_year.set, thumb_label=True)
        if len(others) > 1:
            solara.Select("Scenario on the map", values=others, value=scenario, on_value=map_scenario.set)
    solara.Image(picture, width="100%", classes=["regionsim-map"])
    solara.Text(
        "Circles: residents of each municipality (area) and their difference to the baseline (colour, persons); "
        "lines: commuters between two places, both directions (width). Outside places stand in their direction.",
        classes=["regionsim-caption"],
    )


@solara.component
def Figures(shown: views.Views, headings: list[str]) -> None:
    """Some of the report's figures, each with its caption."""
    for heading in headings:
        if heading in shown.figures:
            path, caption = shown.figures[heading]
            solara.Text(heading, classes=["regionsim-step"])
            with solara.Div(classes=["regionsim-figure"]):
                solara.Image(str(path), width="100%")
            solara.Text(caption, classes=["regionsim-caption"])


@solara.component
def Results(checked: state.Checked) -> None:
    """The right column: what the numbers say, on a map and the report's figures."""
    shown = result.value
    if shown is None:
        if follow.pending:
            solara.Info("Running the scenario and the baseline; the figures appear here when they are done.")
        else:
            solara.Info(
                "Change a lever on the left (or start from another scenario), then press Run: the scenario and the "
                "baseline run with the same seeds, and the difference appears here and on the map."
            )
        return
    first = shown.ensemble.scenarios[0]
    replicates = len(shown.ensemble.complete_replicates())
    solara.HTML(
        tag="div",
        unsafe_innerHTML=f"<b>{html.escape(' · '.join(shown.names))}</b>: {replicates} replicates each, run "
        f"{shown.years[0]}–{shown.years[1]}, reporting window {first.years.start}–{first.years.end}; "
        "intervals and bands are 90 % over replicates with common random numbers (chance only).",
    )
    if (
        mode.value == "edit"
        and checked.ok
        and scenario_key(checked.scenario) not in {scenario_key(s) for s in shown.ensemble.scenarios}
    ):
        solara.Warning("The levers have changed since this run: press Run to see the edited scenario.", dense=True)
    KeyNumbers(shown)
    with solara.lab.Tabs(lazy=True):
        with solara.lab.Tab("Map"):
            MapView(shown)
        with solara.lab.Tab("Difference"):
            Figures(shown, ["Population against the baseline", "Jobs against the baseline"])
        with solara.lab.Tab("Net jobs & cost"):
            Figures(shown, ["Net jobs and cost per job"])
        with solara.lab.Tab("Population & jobs"):
            Figures(shown, ["Population", "Jobs"])
        with solara.lab.Tab("Jobs by sector"):
            Figures(shown, ["Jobs by sector"])
        with solara.lab.Tab("Age structure"):
            Figures(shown, ["Age structure"])


@solara.component
def Page() -> None:
    """The dashboard."""
    place = workshop()
    edited = current()
    text = state.overlay_yaml(edited, edited.base)
    checked = solara.use_memo(
        lambda: state.check(edited, place.folder, reserved=(place.library.baseline.name,)),
        dependencies=[text, id(place.library)],
    )
    solara.Title(f"regionsim · {place.region.name}")
    solara.Style(CSS)
    with solara.Column(style={"padding": "10px 20px"}):
        solara.HTML(tag="h2", unsafe_innerHTML=f"{html.escape(place.region.name)}: what if …?")
        solara.HTML(
            tag="div",
            unsafe_innerHTML="Change a lever, press <b>Run</b>, read the difference to the baseline on the map and the "
            "charts, and keep the scenario. Hover over a field for its full description.",
            style="margin-bottom: 10px",
        )
        with solara.Columns([6, 10]):
            with solara.Column(gap="0px"):
                ScenarioPanel(edited, checked)
                RunPanel(edited, checked)
                KeepPanel(edited, checked)
            with solara.Column():
                Results(checked)
