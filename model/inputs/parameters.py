"""Behavioural parameters: every one named, with unit, default, plausible range and reason.

These are the *parameters* of a scenario (behaviour of agents, estimated and
calibrated by researchers), apart from its *context* (exogenous trends) and
*levers* (strategies). None applies to a single municipality or year:
differences between municipalities come from their data and the mechanisms.
The table in ``docs/ODD.md`` is generated from this module
(``python -m model.report.odd``) and a test keeps the two in step.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, model_validator

from model.inputs.validation import Strict


def param(
    default: float,
    unit: str,
    plausible: tuple[float, float],
    why: str,
    *,
    ge: float | None = None,
    le: float | None = None,
) -> Any:
    """A documented parameter field.

    Args:
        default: the value used when a scenario does not set it.
        unit: the unit, e.g. ``1/year`` or ``share``.
        plausible: the range a researcher should explore (sensitivity, calibration).
        why: one line of justification or source.
        ge: hard lower bound (validation).
        le: hard upper bound (validation).
    """
    return Field(
        default,
        ge=ge,
        le=le,
        description=why,
        json_schema_extra={"unit": unit, "plausible": list(plausible)},
    )


class Parameters(Strict):
    """Behavioural parameters of the model (see docs/ODD.md)."""

    # --- Labour market -------------------------------------------------------
    initial_unemployment_rate: float = param(
        0.03,
        "share of labour force",
        (0.02, 0.05),
        "Unemployed share of the labour force at the base year; LFS (AKU) 2017 Norway 4.2 %, "
        "registered (NAV) Oppland about 2 %.",
        ge=0,
        le=0.5,
    )
    initial_vacancy_rate: float = param(
        0.025,
        "share of positions",
        (0.015, 0.035),
        "Unfilled positions at the base year, and the normal frictional level against which "
        "firms, migrants and in-commuters judge shortage; SSB's vacancy statistics give about "
        "2-3 % of positions in 2017.",
        ge=0,
        le=0.5,
    )
    job_separation_rate: float = param(
        0.10,
        "1/year",
        (0.06, 0.18),
        "Share of jobs that end each year for reasons other than firm decline (quits, "
        "dismissals); the worker searches. Norwegian job turnover is 15-20 %/year including "
        "job-to-job moves.",
        ge=0,
        le=1,
    )
    search_rounds: int = param(
        3, "rounds/year", (1, 6), "Matching rounds per year: an unsuccessful seeker tries other vacancies.", ge=1, le=12
    )
    application_success_probability: float = param(
        0.5,
        "probability per round",
        (0.3, 0.8),
        "Chance that a seeker's application in a matching round is suitable (skills, health, "
        "timing); with 3 rounds 87.5 % of seekers facing open vacancies find a job within the "
        "year. Sets frictional unemployment (about 3 % of the labour force).",
        ge=0.01,
        le=1,
    )
    hiring_standards_elasticity: float = param(
        0.25,
        "elasticity",
        (0.0, 0.5),
        "Elasticity of the suitability of applications to the region's unfilled-vacancy rate "
        "relative to the base year: employers short of workers accept applicants they would "
        "otherwise turn down, so unemployment falls in a tight market.",
        ge=0,
        le=3,
    )
    participation_elasticity: float = param(
        0.05,
        "elasticity",
        (0.0, 0.15),
        "Elasticity of labour-force participation (every age and sex alike, at most 98 %) to the "
        "region's unfilled-vacancy signal relative to the base year: more people join and stay "
        "in the labour force when employers are short of workers (encouraged workers).",
        ge=0,
        le=1,
    )
    vacancy_fill_probability: float = param(
        0.7,
        "probability per round",
        (0.3, 0.8),
        "Chance that an open vacancy with applicants is filled in a matching round "
        "(recruiting takes time); with 3 rounds 97 % of such vacancies are filled within "
        "the year. Sets the unfilled vacancies at the turn of the year (2-3 %).",
        ge=0.01,
        le=1,
    )
    commute_time_decay_per_min: float = param(
        0.06,
        "1/minute",
        (0.02, 0.12),
        "Decay of commuting with travel time per minute at a 30-minute commute (flatter on longer "
        "trips: (t/t0)^(-30 b)); also weighs movers' choice of home by the commute to their job. "
        "Gravity estimates for Norwegian commuting lie in 0.03-0.10 per minute.",
        ge=0,
        le=1,
    )
    in_commuter_elasticity: float = param(
        0.5,
        "elasticity",
        (0.2, 1.0),
        "Elasticity of each daily outside node's in-commuting potential to the region's "
        "unfilled-vacancy rate relative to the base year (bounded to 1/3-3 times); the potential "
        "also follows the node's own persons aged 20-66. 0.5 makes +1 000 basic jobs in "
        "Gjovikregionen (2026) draw 0.29 in-commuters per job after five years, the slope of "
        "in-commuters on jobs across 148 BA regions 2017-2022 (SSB 03321, se 0.013; the largest "
        "four and the shipped regions' left out; benchmarks/commuting_shares.py), twice their "
        "average share of 0.14.",
        ge=0,
        le=3,
    )
    vacancy_signal_memory: float = param(
        0.9,
        "share",
        (0.85, 0.95),
        "Weight of last year's signal in the vacancy rate that migrants and in-commuters "
        "react to (they learn of openings with a lag). The responses to it empty the vacancies "
        "it reads: a rise in the unfilled rate draws about 8-9 times as much labour the next "
        "year (loop gain G, measured in the baseline), so a memory below G/(1+G), about 0.89, "
        "makes jobs and vacancies alternate from year to year (docs/ODD.md, section 10).",
        ge=0,
        le=0.95,
    )

    # --- Firms ---------------------------------------------------------------
    firm_growth_sd: float = param(
        0.08,
        "1/year",
        (0.03, 0.20),
        "Standard deviation of a firm's yearly growth rate at 10 employees (Gibrat shocks).",
        ge=0,
        le=1,
    )
    firm_growth_size_exponent: float = param(
        -0.25,
        "elasticity",
        (-0.5, 0.0),
        "How growth volatility falls with size: sd ~ (size/10)^x; small firms are more volatile.",
        ge=-2,
        le=0,
    )
    competitiveness_sd: float = param(
        0.02,
        "1/year",
        (0.0, 0.05),
        "Spread of firms' persistent growth advantage (competitiveness) around the national sector trend.",
        ge=0,
        le=0.5,
    )
    exit_hazard_mature: float = param(
        0.04, "1/year", (0.02, 0.08), "Yearly closure probability of an established firm with 10 employees.", ge=0, le=1
    )
    exit_hazard_newborn: float = param(
        0.20,
        "1/year",
        (0.10, 0.35),
        "Extra closure probability in a firm's first year, decaying with age; with the mature "
        "hazard it leaves about 55-65 % of employer start-ups alive after five years (Norway: "
        "71 % of start-ups with 5+ employees; 30-35 % of all start-ups).",
        ge=0,
        le=1,
    )
    exit_hazard_decay_years: float = param(
        3.0,
        "years",
        (1.0, 6.0),
        "Time scale on which the newborn excess hazard fades (liability of newness).",
        ge=0.1,
        le=50,
    )
    exit_hazard_size_exponent: float = param(
        -0.5,
        "elasticity",
        (-0.7, -0.2),
        "Larger firms close less often: hazard ~ (size/10)^x; a 700-employee plant closes "
        "about 0.5 %/year at the default (large plants more often shrink than close).",
        ge=-3,
        le=0,
    )
    exit_competitiveness_effect: float = param(
        10.0,
        "per unit of yearly growth advantage",
        (0.0, 30.0),
        "Hazard multiplier exp(-k c): a firm 2 %/year more competitive than its sector closes "
        "about 18 % less often at the default.",
        ge=0,
        le=100,
    )
    young_firm_growth: float = param(
        0.25,
        "1/year",
        (0.10, 0.40),
        "Extra yearly growth of a surviving firm at age 0, fading on the newness time scale; "
        "Norwegian start-ups alive after five years had nearly four times their start-up "
        "employment.",
        ge=0,
        le=2,
    )
    startup_mean_jobs: float = param(
        3.0,
        "jobs",
        (1.5, 6.0),
        "Mean positions of a new employer firm; most start-ups with employees have 1-4.",
        ge=1,
        le=100,
    )
    vacancy_abandon_rate: float = param(
        0.5,
        "1/year",
        (0.2, 1.0),
        "Share of a firm's unfilled positions beyond normal friction that it gives up each "
        "year: firms that cannot hire are held back.",
        ge=0,
        le=1,
    )
    demand_adjustment_speed: float = param(
        0.5,
        "1/year",
        (0.2, 1.0),
        "Share of the gap between demand and positions that local, regional and visitor firms close each year.",
        ge=0,
        le=1,
    )

    # --- Local demand (the multiplier) ---------------------------------------
    local_market_own_share: float = param(
        0.7,
        "share",
        (0.4, 0.95),
        "Share of a municipality's local demand that comes from its own residents; the rest "
        "follows the whole region (shopping and services across borders).",
        ge=0,
        le=1,
    )
    retail_income_share: float = param(
        0.4,
        "share",
        (0.0, 0.8),
        "Weight of employed residents (income) against population in demand for retail and hospitality.",
        ge=0,
        le=1,
    )
    retail_visitor_share: float = param(
        0.15,
        "share",
        (0.0, 0.4),
        "Share of retail and hospitality demand from visitors (holiday homes, tourism).",
        ge=0,
        le=1,
    )
    business_services_basic_share: float = param(
        0.6,
        "share",
        (0.3, 0.9),
        "Weight of the region's basic-sector jobs against its population in demand for business services.",
        ge=0,
        le=1,
    )
    construction_basic_share: float = param(
        0.4,
        "share",
        (0.1, 0.7),
        "Weight of basic-sector jobs against population in demand for construction.",
        ge=0,
        le=1,
    )
    public_children_share: float = param(
        0.55,
        "share",
        (0.3, 0.7),
        "Share of public-service jobs (administration, education) serving children 0-15 "
        "(kindergartens, schools); KOSTRA puts about half of municipal spending on them.",
        ge=0,
        le=1,
    )
    public_youth_share: float = param(
        0.10,
        "share",
        (0.05, 0.2),
        "Share of public-service jobs serving 16-19-year-olds (upper secondary school).",
        ge=0,
        le=1,
    )
    care_weight_0_19: float = param(
        0.5,
        "relative need",
        (0.3, 1.0),
        "Health and care use of a person aged 0-19 relative to one aged 20-66.",
        ge=0,
        le=50,
    )
    care_weight_67_79: float = param(
        2.5,
        "relative need",
        (1.5, 4.0),
        "Health and care use of a person aged 67-79 relative to one aged 20-66.",
        ge=0,
        le=50,
    )
    care_weight_80_plus: float = param(
        8.0,
        "relative need",
        (5.0, 15.0),
        "Health and care use of a person aged 80+ relative to one aged 20-66 (nursing homes, home care).",
        ge=0,
        le=100,
    )

    # --- Strategies ----------------------------------------------------------
    attraction_cost_mnok: float = param(
        4.0,
        "MNOK per prospect",
        (1.0, 10.0),
        "Promotion and reception money spent on one prospective firm that gives it a "
        "1 - 1/e = 63 % chance of coming (chance 1 - exp(-spend/cost)); an assumption to explore, "
        "not an estimate.",
        ge=0.01,
        le=1000,
    )
    prospect_handling_mnok: float = param(
        0.5,
        "MNOK per prospect",
        (0.2, 1.0),
        "Assumption (no Norwegian figure in the project's sources): what working on one prospect costs "
        "before any offer (dossier, visits, the reception team's time), about half a year of a "
        "business developer at 1 MNOK a year with overheads. A programme works on as many prospects "
        "as its budget gives this and the standard offer (attraction_cost_mnok); offers get what is "
        "left after handling.",
        ge=0,
        le=100,
    )
    spinoff_support_mnok: float = param(
        1.5,
        "MNOK per supported spin-off",
        (0.5, 4.0),
        "Assumption: a supported spin-off's verification, incubation and pre-seed money in its "
        "year; Norwegian commercialisation and incubator grants run at about 1-3 MNOK a project. "
        "A budget below spinoffs_per_year times this supports fewer.",
        ge=0.01,
        le=100,
    )
    business_services_mnok_per_1000_jobs: float = param(
        0.25,
        "MNOK/year per 1 000 jobs at full level",
        (0.1, 0.75),
        "Assumption: the yearly cost of the full service level (exit hazard -10 %, hiring +20 %) "
        "for 1 000 jobs of the target: one more business adviser (about 1 MNOK a year with "
        "overheads) per 4 000 jobs, doubling a town's business office of 4-5 staff for its 17 500 "
        "jobs. A lower level costs its share of that.",
        ge=0.001,
        le=100,
    )
    restructuring_mnok_per_1000_jobs: float = param(
        1.0,
        "MNOK/year per 1 000 sector jobs per 10 % gain",
        (0.5, 3.0),
        "Assumption: public money a year, over the programme's years, for a 10 % productivity "
        "gain of 1 000 jobs of the sector in the target; municipal restructuring programmes "
        "(omstillingsprogram) run at some 3-10 MNOK a year for six to eight years in places "
        "with a few thousand industrial jobs.",
        ge=0.001,
        le=100,
    )
    growth_culture_mnok_per_10000_residents: float = param(
        0.5,
        "MNOK/year per 10 000 residents per 10 % more start-ups",
        (0.2, 2.0),
        "Assumption: the yearly cost of raising the target's start-up rate by 10 % (founder "
        "centres, mentoring, entrepreneurship in schools), about half a staff year per 10 000 "
        "residents.",
        ge=0.001,
        le=100,
    )
    dwelling_public_cost_mnok: float = param(
        0.05,
        "MNOK per extra dwelling",
        (0.02, 0.2),
        "Assumption: the municipality's share of roads, water, sewer and site work for one extra "
        "dwelling that developer agreements do not cover; the dwelling itself is built by the "
        "market.",
        ge=0.001,
        le=10,
    )
    amenity_mnok_per_1000_residents: float = param(
        0.3,
        "MNOK/year per 1 000 residents per 0.01 amenity a year",
        (0.1, 1.0),
        "Assumption: the yearly cost of raising the target's residential amenity index by 0.01 "
        "(1 %) for 1 000 residents (town centre, parks, culture); the index is relative, so the "
        "cost scales with the residents who enjoy it.",
        ge=0.001,
        le=100,
    )
    minute_saved_mnok: float = param(
        200.0,
        "MNOK per minute saved",
        (50.0, 1000.0),
        "Assumption (order of magnitude): the whole investment, whoever pays (mostly the state), "
        "for one minute less between two nodes; trunk-road and railway projects of Norway's "
        "transport plan cost some billions NOK for ten to twenty minutes. The budget over the "
        "strategy's years must be the whole funding.",
        ge=0.01,
        le=100_000,
    )
    attraction_labour_elasticity: float = param(
        1.0,
        "elasticity",
        (0.0, 2.0),
        "A prospect's chance of coming falls as (s0/s)^e when the region's unfilled-vacancy signal "
        "s exceeds its base-year level s0: firms avoid places where they cannot hire.",
        ge=0,
        le=5,
    )
    land_ha_per_job: float = param(
        0.015,
        "hectares per job",
        (0.005, 0.04),
        "Business land an attracted firm needs per job (150 m2); industrial areas in Norway use "
        "about 50-300 m2 per job.",
        ge=0,
        le=1,
    )
    spinoff_growth_advantage: float = param(
        0.03,
        "1/year",
        (0.0, 0.08),
        "Persistent yearly growth advantage of research spin-offs over ordinary start-ups.",
        ge=-0.5,
        le=0.5,
    )
    inward_share_of_basic_entry: float = param(
        0.3,
        "share of entry jobs",
        (0.1, 0.5),
        "Estimate: share of the jobs that ordinary entry brings to a basic sector that come as "
        "establishments of firms from outside the region (branches, relocations) rather than "
        "start-ups; they arrive without any strategy, and an attraction programme that courts "
        "them is deadweight. No Norwegian figure in the project's sources; explore the range.",
        ge=0,
        le=1,
    )
    ordinary_spinoffs_per_year: float = param(
        1.0,
        "firms per year per R&D source",
        (0.0, 3.0),
        "Estimate: research spin-offs each R&D source (campus, industrial research) founds a "
        "year without a programme, in place of as many ordinary start-ups of its sector; a "
        "programme that supports them is deadweight. No count for the region's sources in the "
        "project's data; explore the range.",
        ge=0,
        le=5,
    )
    restructuring_growth_per_gain: float = param(
        0.1,
        "1/year per unit gain",
        (0.05, 0.3),
        "Yearly competitiveness gained per unit of productivity gain: a 10 % gain cuts positions "
        "by 10 % at once and adds 1 %/year to growth (and survival) after.",
        ge=0,
        le=2,
    )

    # --- Migration -----------------------------------------------------------
    migration_peak_rate: float = param(
        0.135,
        "1/year",
        (0.10, 0.25),
        "Probability of moving out of the municipality at the peak age of the model "
        "migration schedule (age 23); the schedule's shape is Rogers-Castro's standard.",
        ge=0,
        le=1,
    )
    move_factor_unemployed: float = param(
        2.0,
        "ratio",
        (1.0, 3.0),
        "Residents unemployed on 1 January (and still without a job) move out this many times as often "
        "as others of their age.",
        ge=0,
        le=10,
    )
    outside_mover_pull: float = param(
        400_000.0,
        "persons",
        (75_000.0, 450_000.0),
        "Pull of destinations outside the region on a mover leaving a municipality, weighed as "
        "this many residents: a mover from municipality i stays in the region with probability "
        "R_i / (R_i + this), R_i the residents of the region's other municipalities (gravity: moves "
        "between places in proportion to their populations). 400 000 gives Gjovikregionen of 2005 "
        "the mean share 0.11 that its 2005-2012 hindcast calibration fitted (a mean share fixed "
        "for every region made a mover from Bodo, 96 % of its region, settle in Gildeskal one time "
        "in 18); the range gives it 0.40-0.10.",
        ge=1_000,
        le=10_000_000,
    )
    settlement_pull_persistence: float = param(
        0.41,
        "share (of the log pull)",
        (0.4, 0.85),
        "Estimate: the share of each municipality's settlement pull (context `settlement_pull`, "
        "fitted to the calibration window) that holds after the region's last known year: the pull "
        "becomes pull ** this. Across Norway's municipalities a net migration rate that stood out in "
        "one four-year half of an eight-year window stands out this much in the next (slope weighted "
        "by residents, model/experiments/calibration/persistence.py): 0.41 over 2018-2026 (the default), "
        "0.50-0.84 over the windows before 2011, 2014, 2018 and 2021; a backtest derives it before each "
        "origin. 1 keeps the fitted pull, 0 forgets it.",
        ge=0,
        le=1.5,
    )
    in_migration_rate: float = param(
        0.031,
        "1/year (per resident)",
        (0.024, 0.038),
        "Domestic in-migration into the region per resident at base-year pull. In 2005-06 "
        "the municipalities received 4.5 % of their population a year; less internal moves "
        "(about 20 %) and arrivals from abroad (0.5 %) that leaves about 3.1 %; the hindcast "
        "calibration fits 0.034.",
        ge=0,
        le=0.5,
    )
    vacancy_pull_elasticity: float = param(
        0.35,
        "elasticity",
        (0.1, 0.8),
        "Elasticity of domestic in-migration to the region's unfilled-vacancy rate relative "
        "to the base year, and of a municipality's pull on movers to the open jobs within its "
        "reach (bounded to 1/3-3 times).",
        ge=0,
        le=3,
    )
    centrality_weight: float = param(
        0.0,
        "elasticity",
        (0.0, 1.5),
        "Movers and newcomers favour central places: a municipality's destination weight scales "
        "by (positions at its workplaces per resident / the region's positions per resident)^w, "
        "beyond its population of their age; per resident, so that attraction grows no faster "
        "than size. Urbanisation drew people to Gjøvik in 2005-2017 while the Land "
        "municipalities shrank; the hindcast calibration fits w.",
        ge=0,
        le=5,
    )
    housing_pull: float = param(
        3.0,
        "elasticity",
        (0.0, 6.0),
        "Destination weight of a municipality falls as exp(-h (d - 1)), d its residents against "
        "what its dwellings house at the year's household size: a short stock (crowding, prices) "
        "deters movers, empty dwellings draw them; the hindcast calibration fits h.",
        ge=0,
        le=50,
    )
    household_size_trend: float = param(
        -0.0035,
        "1/year",
        (-0.006, 0.0),
        "Residents per dwelling change by this share a year, so the same residents need more "
        "dwellings: Norway's private households held 2.27 persons on 1 January 2005, 2.21 in "
        "2013 (SSB, Families and households) and 2.16 in 2019 (SSB 09747), -0.35 % a year over "
        "both spans.",
        ge=-0.05,
        le=0.05,
    )
    fertility_level_years: int = param(
        5,
        "years",
        (3, 10),
        "Window of each municipality's fertility level: its infants over the births Norway's rates "
        "give its women, in the years before the region's last known 1 January "
        "(model/inputs/fertility_levels.py; 2021-2025: Gjovik, a student town, 0.94, Gildeskal 1.19). 0 applies "
        "Norway's rates everywhere. Five years hold about 600-1 500 births in a small municipality, "
        "a relative standard error of 3-4 %.",
        ge=0,
        le=20,
    )
    immigrant_participation_ratio: float = param(
        0.84,
        "ratio",
        (0.75, 0.95),
        "Labour-force participation of immigrants who arrive from abroad relative to residents of "
        "their sex and age: SSB counted 65 % of immigrants aged 20-66 employed against 78 % of the "
        "rest of the population in the 4th quarter of 2017 (SSB's register-based employment among "
        "immigrants), and 68.2 % against 79.8 % in 2023 (SSB, 'Hvor mye jobber innvandrere i Norge?', "
        "2024): 0.83-0.85. Employment stands for participation; all durations of stay together.",
        ge=0.1,
        le=1,
    )
    newcomer_age_years: int = param(
        10,
        "years",
        (5, 15),
        "Window of the domestic newcomers' ages: the region's net migration by sex and age (cohort "
        "residuals of its stocks) in the flow years before its last known 1 January, plus its "
        "out-migration by the schedule, less its immigrants (model/simulation/newcomer_ages.py). "
        "Ten years hold about 3 000 net moves in a region of 70 000, enough for five-year age bands. "
        "0 draws newcomers as Norway's population weighted by the schedule.",
        ge=0,
        le=20,
    )
    newborn_male_share: float = param(
        0.514, "share", (0.510, 0.518), "Boys among births (sex ratio at birth about 1.06, SSB).", ge=0, le=1
    )

    @model_validator(mode="after")
    def _public_shares(self) -> Parameters:
        if self.public_children_share + self.public_youth_share > 1:
            raise ValueError("public_children_share + public_youth_share must not exceed 1")
        return self
