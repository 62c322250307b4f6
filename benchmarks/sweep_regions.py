"""Every BA region of the data set built by `region create` and run for one year: failures and times.

For each BA region: build its folder and baseline scenario into a temporary
folder (timed), run the baseline one year from 1 January of the last
population year in this process (timed), check the population balance of the
region, and record any error. Prints the failures, the slowest regions and the
totals, and writes benchmarks/sweep_regions.json.

    .venv/bin/python benchmarks/sweep_regions.py [--only 018 106 ...]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
from pathlib import Path

from model.inputs.municipal.create import create_region, list_regions
from model.inputs.scenario import Scenario, Years
from model.simulation.region_model import RegionModel

HERE = Path(__file__).resolve().parent


def sweep_one(code: str, folder: Path) -> dict:
    """Build and run one BA region; its times and any failure."""
    row: dict = {"ba": code}
    try:
        begin = time.perf_counter()
        created = create_region(f"ba{code}", folder, ba_regions=[code])
        row["seconds_build"] = round(time.perf_counter() - begin, 2)
        row["name"] = created.built.name
        row["municipalities"] = len(created.built.codes)
        scenario = Scenario.from_yaml(created.scenario)
        year = created.built.last_year
        begin = time.perf_counter()
        model = RegionModel(scenario.model_copy(update={"years": Years(start=year, end=year + 1)}), replicate=0)
        row["persons"] = int(model.persons.home.size)
        model.run()
        row["seconds_run"] = round(time.perf_counter() - begin, 2)
        first, second = model.recorder.rows[0], model.recorder.rows[1]
        change = first["births"] - first["deaths"] + first["in_migrants"] - first["out_migrants"]
        if not (abs(second["population"] - (first["population"] + change)) < 0.5).all():
            row["failure"] = "population balance does not hold"
    except Exception as error:  # a sweep records every failure and goes on
        row["failure"] = f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"
        row["trace"] = traceback.format_exc(limit=3)
    return row


def main() -> None:
    """Sweep every BA region (or those named) and report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", help="BA region codes (default: all)")
    args = parser.parse_args()
    codes = args.only or list_regions()["baregion_code"]
    rows = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as scratch:
        for code in codes:
            rows.append(sweep_one(code, Path(scratch)))
            done = rows[-1]
            print(
                f"{code} {done.get('name', '?'):<28} {done.get('persons', 0):>9} persons "
                f"build {done.get('seconds_build', '-')} s run {done.get('seconds_run', '-')} s "
                f"{done.get('failure', '')}",
                flush=True,
            )
    failed = [r for r in rows if "failure" in r]
    ran = [r for r in rows if "seconds_run" in r and "failure" not in r]
    slowest = sorted(ran, key=lambda r: r["seconds_build"] + r["seconds_run"], reverse=True)[:5]
    summary = {
        "regions": len(rows),
        "built_and_ran": len(ran),
        "failed": len(failed),
        "seconds_total": round(time.perf_counter() - started, 1),
        "slowest": [{k: r[k] for k in ("ba", "name", "persons", "seconds_build", "seconds_run")} for r in slowest],
        "failures": [{k: r.get(k) for k in ("ba", "name", "failure")} for r in failed],
        "rows": rows,
    }
    print(json.dumps({k: v for k, v in summary.items() if k != "rows"}, indent=1, ensure_ascii=False))
    (HERE / "sweep_regions.json").write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
