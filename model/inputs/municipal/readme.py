"""The README of a built region: what each file is, where it comes from, which rules made the estimates."""

from __future__ import annotations

from model.inputs.municipal import nodes as node_rule
from model.inputs.municipal import sector_split, travel
from model.inputs.municipal.build import (
    BUSINESS_LAND_HA_PER_1000_JOBS,
    NEW_DWELLINGS_SHARE,
    PERSONS_PER_DWELLING,
    BuiltRegion,
)
from model.inputs.sectors import SECTOR_KEYS


def _number(value: float) -> str:
    return f"{value:,.0f}".replace(",", " ")


def region_readme(built: BuiltRegion) -> str:
    """The README.md text."""
    year = built.last_year
    now = built.persons[built.persons["year"] == year].groupby("knr", sort=False)["persons"].sum()
    quarters = sorted(int(q) for q in built.employment["year"].unique())
    last_q = quarters[-1]
    jobs = built.employment[built.employment["year"] == last_q].set_index("knr")["jobs_by_workplace_15_74"]
    rows = "\n".join(
        f"| {code} | {name} | {_number(now[code])} | {_number(jobs[code])} |"
        for code, name in zip(built.codes, built.names, strict=True)
    )
    daily = [n for n in built.nodes if n.kind == "daily"]
    longd = [n for n in built.nodes if n.kind == "long_distance"]
    node_lines = "\n".join(
        f"- **{n.name}** ({n.kind.replace('_', ' ')}): "
        + ("every other code" if n.members == "rest" else ", ".join(n.members))
        + (
            f"; {_number(n.commuters)} commuters to or from the region in the 4th quarter of {last_q}"
            if n.commuters
            else ""
        )
        for n in [*daily, *longd]
    )
    derived = [s for s in built.snapshots if s.quarter is None]
    observed = [s for s in built.snapshots if s.quarter is not None and s.has_persons]
    local = built.local
    local_text = ""
    if local is not None:
        local_text = f"""
## What the region knows locally

The region's own files (`{local.folder.name}`) replace these estimates:
{", ".join(f"`{k}`" for k, v in built.estimated.items() if "local" in v) or "none"}.
{local.description}
"""
        if built.time_error:
            e = built.time_error
            local_text += (
                f"\nThe travel-time rule against the {e['pairs']} hand-made times it replaces: mean absolute error "
                f"{e['mean_absolute_error']:.1f} min, mean error {e['mean_error']:+.1f} min (rule minus hand-made), largest "
                f"{e['largest_error']:+.0f} min.\n"
            )
    look_ahead = ""
    if built.look_ahead:
        look_ahead = f"""
**Look-ahead.** The cut ({year}) lies before the first 4th quarter with employment in the data
({quarters[0]}, the state on 1 January {quarters[0] + 1}). Jobs and commuting therefore come from after
the cut: every result and every score made from this folder is flagged `look-ahead`.
"""
    sectors = ", ".join(f"`{k}`" for k in SECTOR_KEYS)
    return f"""# {built.name} — region data set

Built by `regionsim region create` from the project's municipal data set
(`scenarios/national/norway/municipal/`, SSB counts in the borders of 2024).
The model reads `region.yaml`, which names every file below. Each CSV starts with a
`#` line citing its source; **observed** tables are cut from the data set unchanged,
**estimates** say so in their first line and are explained here, and each can be
replaced by your own table in the same format.
{look_ahead}
| code | municipality | persons 1 January {year} | jobs, 4th quarter {last_q} |
|---|---|---:|---:|
{rows}

| file | kind | what |
|---|---|---|
| `population_age_sex.csv` | observed, SSB 07459 | persons on 1 January {built.persons["year"].min()}-{year} by municipality, sex and single year of age (105 = 105+) |
| `employment.csv` | observed, SSB 11618 | population, jobs by workplace and employed residents aged 15-74, 4th quarter {quarters[0]}-{last_q}; row 0000 is Norway |
| `commuting_od.csv` | observed, SSB 03321 | commuters 15-74 by residence and workplace, every non-zero flow with one end in the region; `9999` the withheld municipalities, `outside_mainland` workplaces off the mainland |
| `jobs_by_sector.csv` | **{built.estimated["jobs_by_sector.csv"]}** | jobs by workplace and sector per municipality and 4th quarter |
| `commuting_times.csv` | **{built.estimated["commuting_times.csv"]}** | car minutes between municipalities and to the daily outside nodes |
| `municipalities.csv` | **{built.estimated["municipalities.csv"]}** | dwellings, new dwellings a year, business land, amenity index, label points |
| `map.geojson` | observed shapes | the municipalities (`in_region: true`) and their neighbours; Municipal borders: Statistics Norway, N5000 illustration map (statisticsnorway/pendling, Apache-2.0) |
| `build.json` | record | the command and the files it wrote (an `--overwrite` replaces only such a folder) |

## Year convention and snapshots

Persons are SSB's counts on 1 January. Employment and commuting are SSB's
4th-quarter register counts; the 4th quarter of *Y* is the state on **1 January
*Y*+1** (the population 15-74 of SSB 11618 in the 4th quarter of *Y* agrees
with the count of 1 January *Y*+1: median difference 0.16 %). So the snapshot of
1 January {observed[0].year if observed else quarters[0] + 1} holds the employment and commuting of the 4th quarter of
{quarters[0]}.

- Observed snapshots: {", ".join(str(s.year) for s in observed) or "none"}.
- Derived snapshots ({len(derived)}): {", ".join(str(s.year) for s in derived)}. Each takes the commuting
  and sector structure of the nearest earlier observed snapshot (the earliest one for years before it)
  and scales every flow by the region's persons aged 15-74 in its year over those of the source year
  (jobs and employed residents follow the working-age population; employment rates held). Each
  snapshot's own rule and number are written beside it in `region.yaml`. The base year of the baseline is
  {year}, the latest persons.

## Outside nodes

{node_lines}

Rule: every municipality outside the region whose label point lies within daily reach (at most
{travel.DAILY_REACH_MINUTES:.0f} minutes one way by the travel-time rule below) of one of the region's is a
candidate; candidates are grouped by BA region and weighed by their commuters to and from the region
(both directions, latest 4th quarter); the heaviest groups become daily nodes, at most
{node_rule.MAX_DAILY_NODES}, each with at least {node_rule.MIN_NODE_SHARE:.0%} of the region's commuting across its border. A
group of one municipality is a municipality node; a node's times and position are those of its member with
most jobs. Everything else is long distance, held as fixed shares.

## Commuting times (estimate)

minutes = {travel.ACCESS_MINUTES:.2f} + {travel.MINUTES_PER_KM:.4f} x great-circle km between SSB's label points (the
centre of each municipality's largest part, where people live; area centroids can lie far off),
fitted by least squares to the BA classification's travel times to the region centre
(`ba_travel_time_min`, NIBR 2020; 175 member municipalities, mean absolute error 9.1 min). Inside a
municipality: {travel.INTERNAL_MINUTES:.2f} + {travel.INTERNAL_PER_SQRT_KM2:.4f} x sqrt(area km²), fitted on the centres' own times.
{"Only pairs within daily reach are listed (`commuting_times_within_reach_only`)." if built.within_reach_only else ""}
Only changes of these times move commuting in the model (the base-year flows are reproduced exactly).

## Jobs by sector (estimate)

The sources hold no industry table per municipality. The sectors that serve residents
(retail and hospitality, public services, health and care) get what the municipality's residents would
need at Norway's rates: Norway's jobs of the sector (NAV/SSB by SN2007 group, 2016) per person it serves,
times the municipality's persons (health and care weighs persons 67-79 three times and 80+ ten times;
public services weigh ages 6-19 four times), at most {sector_split.LOCAL_CAP:.0%} of its jobs. The
other sectors share the rest in Norway's proportions. Rows are rounded by largest remainders to the
observed jobs. Your own table (columns `year, knr, municipality, {sectors}`,
`year` the 4th quarter) replaces it; the model scales each row to the job total and refuses rows that
differ from it by more than 1 %.

## Housing, business land, amenity (estimate)

`dwellings` = persons on 1 January {year} / {PERSONS_PER_DWELLING} per dwelling (SSB 06265, 2017);
`dwellings_built_per_year` = {NEW_DWELLINGS_SHARE:.1%} of the stock (the most dwellings ordinary construction
completes in a year: it builds what the residents need, up to this); `business_land_ha` =
{BUSINESS_LAND_HA_PER_1000_JOBS:.0f} ha per 1 000 jobs; `amenity_index` = 1.0. Replace any column with the
municipality's own figures (SSB 06265 for dwellings, 05940 for completions).
{local_text}
## Sources and caveats

SSB tables 07459, 11618 and 03321 via niphr/csdata and statisticsnorway/pendling (NLOD 2.0); BA regions
NIBR 2020; label points and borders SSB N5000. See `scenarios/national/norway/municipal/README.md` for
the border mapping, the estimated splits (Ålesund/Haram, Tysfjord, Snillfjord), Rindal 2019 and the
border adjustments the data cannot correct.
"""
