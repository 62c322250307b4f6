"""The referee's measurements of the strategy effects, run again: what the model does with a job shock and a strategy.

Gjovikregionen's baseline, common random numbers throughout:

- a permanent block of basic jobs (`add_fixed_employer`, 1 000 manufacturing
  positions in Vestre Toten from the base year 2026): per job, the change of
  jobs (the multiplier), in-commuters, employed residents, out-commuters and
  residents after 2, 5, 10 and 24 years (to 2050);
- a closure (the largest manufacturing firms of Vestre Toten, at least
  1 046 positions, closed on 1 January 2026): per lost job, the same changes;
- `housing_pull` 0, 3 and 6: the population of 2050;
- the baseline itself to 2050: the vacancy rate (unfilled over all positions)
  and the unemployment rate (unemployed over employed residents and unemployed)
  in 2026, 2035 and 2050;
- every strategy overlay of scenarios/ against the same scenario without
  strategies at 2036: net jobs, their gross direct, deadweight, displaced and
  indirect parts, the in-commuters' share and MNOK per net job.

Prints the tables and writes benchmarks/strategy_effects.json.

    .venv/bin/python benchmarks/strategy_effects.py [--replicates 12] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from model.experiments.comparison import versus_counterfactual
from model.experiments.ensemble import run_ensemble
from model.inputs.region import cached_region
from model.inputs.scenario import Scenario, Years
from model.inputs.sectors import SECTOR_INDEX
from model.simulation.region_model import RegionModel

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BASE, END = 2026, 2050
HORIZONS = (2, 5, 10, 24)
SHOCK = ("Vestre Toten", "manufacturing", 1000)
CLOSURE = ("Vestre Toten", "manufacturing", 1046)
HOUSING_PULLS = (0.0, 3.0, 6.0)
VARIABLES = ("jobs", "in_commuters", "employed_residents", "out_commuters", "population", "unemployed", "vacancies")
STRATEGIES = (
    "attract_businesses",
    "commercialise_rnd",
    "business_services",
    "restructure_industry",
    "growth_culture",
    "housing",
    "infrastructure",
    "byregion_strategy",
    "byregion_fragmented",
)


def long_baseline() -> Scenario:
    """The shipped baseline run on to 2050."""
    scenario = Scenario.from_yaml(ROOT / "scenarios" / "baseline.yaml")
    return scenario.model_copy(update={"base_year": BASE, "years": Years(start=BASE, end=END)})


def shock_pair(replicate: int) -> dict:
    """Region stocks by year of the baseline and of the baseline with the block of jobs, one replicate."""
    result = {}
    for shocked in (False, True):
        model = RegionModel(long_baseline(), replicate=replicate)
        if shocked:
            model.add_fixed_employer(*SHOCK)
        model.run()
        result[shocked] = [{v: float(row[v][-1]) for v in VARIABLES} for row in model.recorder.rows]
        model.release()
    return result


def close_largest(model: RegionModel, municipality: str, sector: str, positions: int) -> int:
    """Close the largest firms of a sector in a municipality until at least `positions` are gone."""
    firms = model.firms
    index, code = model.region.municipality(municipality), SECTOR_INDEX[sector]
    rows = np.flatnonzero(firms.alive & (firms.municipality == index) & (firms.sector == code))
    rows = rows[np.argsort(-firms.positions[rows], kind="stable")]
    chosen = rows[: int(np.searchsorted(np.cumsum(firms.positions[rows]), positions)) + 1]
    closed = int(firms.positions[chosen].sum())
    model.close_firms(chosen)
    return closed


def closure_pair(replicate: int) -> dict:
    """Region stocks by year of the baseline and of the baseline with the closure, one replicate."""
    result = {}
    for closed in (False, True):
        model = RegionModel(long_baseline(), replicate=replicate)
        if closed:
            result["positions"] = close_largest(model, *CLOSURE)
        model.run()
        result[closed] = [{v: float(row[v][-1]) for v in VARIABLES} for row in model.recorder.rows]
        model.release()
    return result


def housing_pull_run(task: tuple[float, int]) -> list[float]:
    """Population per municipality and region in 2050 at one housing pull, one replicate."""
    pull, replicate = task
    model = RegionModel(long_baseline().with_overrides(housing_pull=pull), replicate=replicate)
    model.run()
    population = [float(x) for x in model.recorder.rows[-1]["population"]]
    model.release()
    return population


def per_job(pairs: list[dict], size: float, record: dict, label: str) -> None:
    """Print and record the changes per job of paired runs at each horizon."""
    for horizon in HORIZONS:
        change = {
            v: float(np.mean([p[True][horizon][v] - p[False][horizon][v] for p in pairs])) / size for v in VARIABLES
        }
        record[horizon] = {v: round(x, 3) for v, x in change.items()}
        print(f"  {label} {horizon:>2} years: " + ", ".join(f"{v} {x:+.2f}" for v, x in change.items()))


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replicates", type=int, default=12)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with ProcessPoolExecutor(args.workers) as pool:
        pairs = list(pool.map(shock_pair, range(args.replicates)))
        closures = list(pool.map(closure_pair, range(args.replicates)))
        pulls = [(pull, r) for pull in HOUSING_PULLS for r in range(args.replicates)]
        populations = list(pool.map(housing_pull_run, pulls))
    record: dict = {"replicates": args.replicates, "shock": {}, "closure": {}, "housing_pull": {}, "baseline": {}}
    record["strategies"] = {}
    print(f"+{SHOCK[2]} {SHOCK[1]} jobs in {SHOCK[0]} from {BASE}: change per job (mean of {args.replicates} pairs)")
    per_job(pairs, SHOCK[2], record["shock"], "+")
    lost = float(np.mean([p["positions"] for p in closures]))
    print(f"closure of {lost:.0f} {CLOSURE[1]} positions in {CLOSURE[0]} in {BASE}: change per lost position")
    per_job(closures, lost, record["closure"], "-")
    names = [*cached_region(Path(long_baseline().region_folder)).municipalities, "region"]
    for k, pull in enumerate(HOUSING_PULLS):
        mean = np.mean(populations[k * args.replicates : (k + 1) * args.replicates], axis=0)
        record["housing_pull"][pull] = {name: round(float(x)) for name, x in zip(names, mean, strict=True)}
        cells = ", ".join(f"{n} {x:,.0f}" for n, x in record["housing_pull"][pull].items())
        print(f"housing_pull {pull}: population {END} {cells}")
    for year in (BASE, 2035, END):
        rows = [p[False][year - BASE] for p in pairs]
        vacancy = np.mean([r["vacancies"] / (r["jobs"] + r["vacancies"]) for r in rows])
        unemployment = np.mean([r["unemployed"] / (r["employed_residents"] + r["unemployed"]) for r in rows])
        record["baseline"][year] = {
            "vacancy_rate": round(float(vacancy), 4),
            "unemployment_rate": round(float(unemployment), 4),
        }
        print(f"baseline {year}: vacancy rate {vacancy:.1%}, unemployment rate {unemployment:.1%}")
    print(f"\nStrategies against no strategies, 2036 ({args.replicates} replicates)")
    cells = ["net_jobs", "gross_direct_jobs", "deadweight_jobs", "indirect_jobs", "displaced_jobs",
             "displaced_basic_jobs", "net_in_commuters", "in_commuter_share_of_net_jobs", "net_population",
             "budget_mnok", "mnok_per_net_job"]  # fmt: skip
    with tempfile.TemporaryDirectory() as folder:
        for name in STRATEGIES:
            scenario = Scenario.from_yaml(ROOT / "scenarios" / f"{name}.yaml")
            pair = [scenario, scenario.without_strategies()]
            ensemble = run_ensemble(pair, replicates=args.replicates, out=Path(folder) / name, workers=args.workers)
            versus = versus_counterfactual(scenario, ensemble.outcomes(pair[0].name), ensemble.outcomes(pair[1].name))
            region = versus[versus["municipality"] == cached_region(Path(scenario.region_folder)).name].iloc[0]
            record["strategies"][name] = {
                c: None if region[c] != region[c] else round(float(region[c]), 3) for c in cells
            }
            print(f"  {name}: " + ", ".join(f"{c} {region[c]:.2f}" for c in cells))
    (HERE / "strategy_effects.json").write_text(json.dumps(record, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
