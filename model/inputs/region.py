"""A region data set: a folder with ``region.yaml`` and sourced CSV tables.

A region is data, not code. The folder names its municipalities, the outside
commuting nodes, dated snapshots (persons on 1 January; jobs, employed
residents and commuting where known), commuting times, housing and business
land. See ``scenarios/regions/gjovikregionen/README.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from model.inputs.errors import InputError, Problem, did_you_mean
from model.inputs.fertility_levels import fertility_levels
from model.inputs.municipal.dataset import read_population_of
from model.inputs.national import (
    MAX_AGE,
    SEXES,
    NationalData,
    check_every_age,
    load_national,
    persons_by_sex_age,
    persons_grid,
)
from model.inputs.sectors import SECTOR_KEYS
from model.inputs.tables import read_numbers, read_table
from model.inputs.validation import Strict, validate_document
from model.inputs.yamlio import read_yaml

REGIONS_FOLDER = Path(__file__).resolve().parents[2] / "scenarios" / "regions"
NATIONAL_FOLDER = REGIONS_FOLDER.parent / "national"
MINUTES_RANGE = (1.0, 600.0)  # a commute takes some time; ten hours is no daily trip
AMENITY_RANGE = (0.25, 4.0)  # relative to the base year (1.0); 0 would empty a municipality
JOB_TOTAL_TOLERANCE = 0.01  # jobs by sector must sum to the job totals within 1 %


class _MunicipalityEntry(Strict):
    number: str
    """Municipality code as used in the data files."""
    number_2020: str | None = None
    """Code after the 2020 reform, if different."""
    name: str


class _NodeEntry(Strict):
    key: str
    name: str
    kind: Literal["daily", "long_distance"]
    members: list[str] | Literal["rest"]
    """Municipality codes aggregated into the node, or `rest` for all others."""
    lat: float | None = None
    lon: float | None = None


class _PersonsSource(Strict):
    file: str
    year: int


class _QuarterSource(Strict):
    file: str
    fourth_quarter: int
    """The rows whose `year` is this 4th quarter: the state on 1 January of the year after."""


class _DerivedJobs(Strict):
    snapshot: int
    """The snapshot whose jobs, sector split and commuting are scaled."""
    jobs_scale: float = Field(gt=0, le=10)
    """Factor on every commuting flow (and so on jobs and employed residents)."""


class _SnapshotEntry(Strict):
    persons: _PersonsSource | None = None
    """None for a structure-only snapshot (look-ahead jobs after a cut), which no run can start from."""
    employment: str | _QuarterSource | None = None
    commuting: str | _QuarterSource | None = None
    jobs_by_sector: str | _QuarterSource | None = None
    derived_from: _DerivedJobs | None = None
    """Jobs and commuting not observed for this year: derived from another snapshot by a documented rule."""
    rule: str | None = None
    """The derivation rule in words."""
    look_ahead: bool = False
    """Built from data later than the snapshot's year."""


class _RndSource(Strict):
    municipality: str
    """Municipality where the research institution is."""
    sector: str
    """Sector of its spin-offs (a sector key)."""


class _RegionFile(Strict):
    name: str
    national: str
    municipalities: list[_MunicipalityEntry] = Field(min_length=1)
    outside_nodes: list[_NodeEntry] = []
    snapshots: dict[int, _SnapshotEntry] = Field(min_length=1)
    rnd_sources: dict[str, _RndSource] = {}
    commuting_times: str
    commuting_times_within_reach_only: bool = False
    """True for a large region whose times file lists only pairs within daily reach:
    two municipalities without a row have no daily trip between them."""
    municipality_data: str
    map: str | None = None
    """GeoJSON shapes of the municipalities and their neighbours."""
    last_year: int | None = None
    """The cut of a built region: persons to 1 January of it, employment to the 4th quarter before."""
    look_ahead: bool = False
    """Jobs come from after the cut: every score made from the folder is look-ahead."""
    observed: dict[str, str] = {}

    @field_validator("outside_nodes")
    @classmethod
    def _one_rest(cls, nodes: list[_NodeEntry]) -> list[_NodeEntry]:
        if sum(node.members == "rest" for node in nodes) > 1:
            raise ValueError("only one outside node may take the `rest`")
        return nodes


@dataclass(frozen=True)
class Node:
    """A place people live or work: a municipality of the region or an outside node."""

    key: str
    name: str
    kind: Literal["municipality", "daily", "long_distance"]
    lat: float | None = None
    lon: float | None = None


@dataclass
class Snapshot:
    """The region's state at the start of a base year.

    Attributes:
        year: the snapshot year (state on 1 January).
        persons: persons by municipality, sex and age, shape (municipalities, 2, 106).
        commuting: employed persons by residence node and workplace node (all nodes);
            flows with both ends outside are zero. None if not known.
        jobs_by_sector: jobs by municipality and sector. None if not known.
        national_employment_rate: employed / population aged 15-74 in Norway, same source.
        derived: the jobs and commuting come from another snapshot by a documented rule
            (`derived_from`), not from observation: a start, never a data point to show.
        look_ahead: built from data later than the snapshot's year.
    """

    year: int
    persons: np.ndarray | None
    commuting: np.ndarray | None = None
    jobs_by_sector: np.ndarray | None = None
    national_employment_rate: float | None = None
    derived: bool = False
    look_ahead: bool = False

    @property
    def has_persons(self) -> bool:
        """Whether residents are known (a run can start from it only then)."""
        return self.persons is not None

    @property
    def has_jobs(self) -> bool:
        """Whether jobs and commuting are known (a run can start from it)."""
        return self.commuting is not None and self.jobs_by_sector is not None


@dataclass
class RegionData:
    """Everything the model knows about a region before a scenario is applied."""

    name: str
    folder: Path
    municipalities: list[str]
    numbers: list[str]
    nodes: list[Node]
    minutes: np.ndarray
    dwellings: np.ndarray
    dwellings_built_per_year: np.ndarray
    business_land_ha: np.ndarray
    amenity: np.ndarray
    national: NationalData
    snapshot_years: list[int]
    rnd_sources: dict[str, tuple[int, int]]
    _spec: _RegionFile = field(repr=False)
    look_ahead: bool = False
    map_file: Path | None = None
    _snapshots: dict[int, Snapshot] = field(default_factory=dict, repr=False)
    _observed: dict[str, dict] = field(default_factory=dict, repr=False)

    @property
    def n_municipalities(self) -> int:
        """Number of municipalities."""
        return len(self.municipalities)

    @property
    def latest_snapshot(self) -> int:
        """The default base year: the latest snapshot with persons."""
        return max(y for y in self.snapshot_years if self._spec.snapshots[y].persons is not None)

    def node(self, name_or_key: str) -> int:
        """Index of a node (municipality or outside node) by name or key."""
        for i, node in enumerate(self.nodes):
            if name_or_key in (node.name, node.key):
                return i
        raise KeyError(did_you_mean(name_or_key, [node.name for node in self.nodes]) or "unknown node")

    def municipality(self, name_or_number: str) -> int:
        """Index of a municipality by name or number, with a hint if unknown."""
        for i, (name, number) in enumerate(zip(self.municipalities, self.numbers, strict=True)):
            if name_or_number in (name, number):
                return i
        hint = did_you_mean(name_or_number, self.municipalities)
        raise KeyError(hint or "known: " + ", ".join(self.municipalities))

    def snapshot(self, year: int) -> Snapshot:
        """The snapshot of a year (read once; its arrays are read-only)."""
        if year not in self._snapshots:
            self._snapshots[year] = self._read_snapshot(year)
        return self._snapshots[year]

    def observed_population(self) -> dict[int, np.ndarray]:
        """Observed persons by year, municipality, sex and age (for checks, never for set-up)."""
        if "population" not in self._observed:
            name = self._spec.observed.get("population")
            by_year: dict[int, np.ndarray] = {}
            if name:
                path = self.folder / name
                table = read_population(path)
                for year in sorted({int(y) for y in table["year"]}):
                    by_year[year] = _persons_of_year(table, year, self._spec, path)
            self._observed["population"] = by_year
        return self._observed["population"]

    @property
    def last_known_year(self) -> int | None:
        """The last 1 January whose persons the region knows (its `last_year`, else its latest observed)."""
        observed = self.observed_population()
        return self._spec.last_year or (max(observed) if observed else None)

    def fertility_levels(self, years: int) -> np.ndarray:
        """Each municipality's fertility relative to Norway's rates over `years` known years (see fertility_levels)."""
        key = f"fertility_levels_{years}"
        if key not in self._observed:
            last = self.last_known_year
            observed = self.observed_population()
            self._observed[key] = (
                np.ones(self.n_municipalities)
                if last is None
                else fertility_levels(observed, self.national, last, years, self.n_municipalities)
            )
        return self._observed[key]

    def outside_persons(self) -> dict[int, np.ndarray]:
        """Persons (outside node, sex, age) living in each daily outside node's member municipalities, by year.

        From the national municipal data set beside the national folder (`<national>/municipal`), the
        years up to the region's last known year only; empty where there is no such data set. Nodes
        other than daily ones (the rest of Norway, withheld municipalities, long-distance places) get
        zeros: their in-commuting does not follow a labour market of their own here.
        """
        if "outside_persons" not in self._observed:
            self._observed["outside_persons"] = self._read_outside_persons()
        return self._observed["outside_persons"]

    def _read_outside_persons(self) -> dict[int, np.ndarray]:
        path = self.national.folder / "municipal" / "population_age_sex.parquet"
        last = self.last_known_year
        node_of = {
            code: j
            for j, spec in enumerate(self._spec.outside_nodes)
            if spec.kind == "daily" and spec.members != "rest"
            for code in spec.members
        }
        if not path.is_file() or last is None or not node_of:
            return {}
        outside = len(self.nodes) - self.n_municipalities
        rows = read_population_of(path, list(node_of), last)
        own = sorted(set(node_of) & set(self.numbers))
        missing = sorted(set(node_of) - set(rows["municipality_code"]))
        for codes, why in ((own, "are municipalities of the region itself"), (missing, f"have no persons in {path}")):
            if codes:
                raise InputError(
                    Problem(
                        self.folder / "region.yaml",
                        f"outside node members {', '.join(codes)} {why}",
                        key="outside_nodes",
                        hint="a daily outside node's members are municipality codes of the data set outside the region",
                    )
                )
        nodes = rows["municipality_code"].map(node_of).to_numpy()
        sexes = rows["sex"].map(SEXES.index).to_numpy()
        ages = rows["age"].to_numpy(dtype=int)
        counts = rows["population"].to_numpy(dtype=np.int64)
        years = rows["year"].to_numpy()
        result = {}
        for year in sorted(set(years.tolist())):
            mine = years == year
            result[int(year)] = persons_grid(nodes[mine], sexes[mine], ages[mine], counts[mine], outside)
        return result

    def observed_jobs(self) -> dict[tuple[str, int], int]:
        """Observed yearly jobs by workplace, (municipality, 1 January) -> jobs, where the data hold a series.

        The series are register counts of a 4th quarter (column `year`), so each is the state on
        1 January of the year after.
        """
        if "jobs" not in self._observed:
            name = self._spec.observed.get("employment_fragments")
            jobs: dict[tuple[str, int], int] = {}
            if name:
                path = self.folder / name
                table = read_table(path, ["municipality", "year", "measure", "value"])
                chosen = table["measure"] == "employed_by_workplace_total"  # other measures hold notes as text
                series = read_numbers(read_numbers(table, path, "year", chosen), path, "value", slice(None))
                jobs = {(row.municipality, int(row.year) + 1): int(float(row.value)) for row in series.itertuples()}
            self._observed["jobs"] = jobs
        return self._observed["jobs"]

    def _read_snapshot(self, year: int) -> Snapshot:
        if year not in self._spec.snapshots:
            raise InputError(
                Problem(
                    self.folder / "region.yaml",
                    f"no snapshot for {year}",
                    key="snapshots",
                    hint="snapshots: " + year_ranges(self.snapshot_years),
                )
            )
        snapshot = _load_snapshot(self, year, self._spec.snapshots[year])
        for array in (snapshot.persons, snapshot.commuting, snapshot.jobs_by_sector):
            if array is not None:
                array.setflags(write=False)
        return snapshot


def year_ranges(years: list[int]) -> str:
    """2005, 2006, 2007, 2010 -> '2005-2007, 2010'."""
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year == runs[-1][-1] + 1:
            runs[-1].append(year)
        else:
            runs.append([year])
    return ", ".join(f"{r[0]}-{r[-1]}" if len(r) > 2 else ", ".join(map(str, r)) for r in runs)


def calibration_overlay(region_folder: Path) -> Path:
    """A region's calibrated overlay: calibration/<name>_calibrated.yaml beside its regions/ folder.

    For a shipped region that is scenarios/calibration/; for one built with `region create --out D`,
    D/calibration/, next to the baseline that extends it.
    """
    folder = Path(region_folder).resolve()
    return folder.parent.parent / "calibration" / f"{folder.name}_calibrated.yaml"


def region_argument(region_folder: Path) -> str:
    """How the command line names a region: its folder name if shipped, else its folder."""
    shipped = (REGIONS_FOLDER / Path(region_folder).name).resolve() == Path(region_folder).resolve()
    return Path(region_folder).name if shipped else str(region_folder)


def resolve_region_folder(name_or_path: str, relative_to: Path | None = None) -> Path:
    """A region folder from a name under scenarios/regions/ or a path."""
    candidates = [REGIONS_FOLDER / name_or_path]
    if relative_to is not None:
        candidates.insert(0, relative_to / name_or_path)
    candidates.append(Path(name_or_path))
    for candidate in candidates:
        if (candidate / "region.yaml").is_file():
            return candidate.resolve()
    known = sorted(p.name for p in REGIONS_FOLDER.iterdir() if (p / "region.yaml").is_file())
    raise KeyError(did_you_mean(name_or_path, known) or "known regions: " + ", ".join(known))


@lru_cache(maxsize=8)
def cached_region(folder: Path) -> RegionData:
    """A region read once per process (region data are never modified)."""
    return load_region(folder)


def load_region(folder: Path) -> RegionData:
    """Read a region folder."""
    document = read_yaml(folder / "region.yaml")
    spec = validate_document(document, _RegionFile)
    municipalities = [m.name for m in spec.municipalities]
    nodes = [Node(f"m{i}", name, "municipality") for i, name in enumerate(municipalities)]
    nodes += [Node(n.key, n.name, n.kind, n.lat, n.lon) for n in spec.outside_nodes]
    housing = _municipality_table(folder / spec.municipality_data, spec)
    # Map positions of municipalities live in the housing table.
    for i, (lat, lon) in enumerate(zip(housing["lat"], housing["lon"], strict=True)):
        nodes[i] = Node(nodes[i].key, nodes[i].name, "municipality", lat, lon)
    region = RegionData(
        name=spec.name,
        folder=folder,
        municipalities=municipalities,
        numbers=[m.number for m in spec.municipalities],
        nodes=nodes,
        minutes=_commuting_times(folder / spec.commuting_times, nodes, spec.commuting_times_within_reach_only),
        dwellings=housing["dwellings"],
        dwellings_built_per_year=housing["dwellings_built_per_year"],
        business_land_ha=housing["business_land_ha"],
        amenity=housing["amenity_index"],
        national=_national(folder, spec, document),
        snapshot_years=sorted(spec.snapshots),
        rnd_sources=_rnd_sources(spec, municipalities, document),
        _spec=spec,
        look_ahead=spec.look_ahead,
        map_file=folder / spec.map if spec.map else None,
    )
    region.observed_population()  # read the observed tables now: a fault surfaces before any run
    region.observed_jobs()
    return region


def _rnd_sources(spec: _RegionFile, municipalities: list[str], document) -> dict[str, tuple[int, int]]:
    """Research sources: name -> (municipality index, sector index)."""
    sources = {}
    for name, source in spec.rnd_sources.items():
        path, line = document.where(("rnd_sources", name))
        if source.municipality not in municipalities:
            hint = did_you_mean(source.municipality, municipalities)
            raise InputError(
                Problem(
                    path,
                    f"unknown municipality {source.municipality!r}",
                    line=line,
                    key=f"rnd_sources.{name}",
                    hint=hint,
                )
            )
        if source.sector not in SECTOR_KEYS:
            hint = did_you_mean(source.sector, SECTOR_KEYS)
            raise InputError(
                Problem(path, f"unknown sector {source.sector!r}", line=line, key=f"rnd_sources.{name}", hint=hint)
            )
        sources[name] = (municipalities.index(source.municipality), SECTOR_KEYS.index(source.sector))
    return sources


def _national(folder: Path, spec: _RegionFile, document) -> NationalData:
    """The national folder: a name under scenarios/national/, or a path relative to region.yaml."""
    # A plain name is a shipped folder; a path is the region's own (never shadowed by a shipped folder).
    plain = "/" not in spec.national and "\\" not in spec.national and spec.national not in (".", "..")
    for candidate in (NATIONAL_FOLDER / spec.national, folder / spec.national) if plain else (folder / spec.national,):
        if candidate.is_dir():
            return load_national(candidate.resolve(), spec.last_year)
    path, line = document.where(("national",))
    known = sorted(p.name for p in NATIONAL_FOLDER.iterdir() if p.is_dir()) if NATIONAL_FOLDER.is_dir() else []
    hint = (
        did_you_mean(spec.national, known)
        or "a folder name under scenarios/national/ or a path relative to region.yaml"
    )
    raise InputError(
        Problem(path, f"national data folder {spec.national!r} not found", line=line, key="national", hint=hint)
    )


def _municipality_table(path: Path, spec: _RegionFile) -> dict[str, np.ndarray]:
    columns = ["dwellings", "dwellings_built_per_year", "business_land_ha", "amenity_index", "lat", "lon"]
    table = read_table(
        path,
        ["knr", *columns],
        numeric=columns,
        positive=["dwellings"],
        whole=["dwellings"],
        unique=["knr"],
        ranges={"amenity_index": AMENITY_RANGE, "lat": (57.0, 72.0), "lon": (4.0, 32.0)},
    )
    rows = _rows_by_municipality(table, path, spec)
    return {c: np.array([table.loc[r, c] for r in rows], dtype=float) for c in columns}


def _rows_by_municipality(table, path: Path, spec: _RegionFile, column: str = "knr") -> list[int]:
    """Row labels of a table in the region's municipality order."""
    rows = []
    for m in spec.municipalities:
        match = table.index[table[column].isin([m.number, m.number_2020])]
        if len(match) != 1:
            raise InputError(Problem(path, f"needs exactly one row for {m.name} ({m.number})", key=column))
        rows.append(match[0])
    return rows


def _commuting_times(path: Path, nodes: list[Node], within_reach_only: bool = False) -> np.ndarray:
    """Symmetric minutes between daily nodes; NaN where there is no daily trip.

    Every municipality needs a time to itself and to every daily outside node;
    to every other municipality too, unless the file lists only pairs within reach.
    """
    table = read_table(
        path, ["origin", "destination", "minutes"], numeric=["minutes"], ranges={"minutes": MINUTES_RANGE}
    )
    index = {node.name: i for i, node in enumerate(nodes)}
    minutes = np.full((len(nodes), len(nodes)), np.nan)
    given_on = np.zeros((len(nodes), len(nodes)), dtype=int)
    for row in table.itertuples():
        for name in (row.origin, row.destination):
            if name not in index:
                hint = did_you_mean(name, index)
                raise InputError(Problem(path, f"unknown node {name!r}", line=row.source_line, hint=hint))
        i, j = index[row.origin], index[row.destination]
        if given_on[i, j]:  # times are symmetric: A-B and B-A are one pair
            raise InputError(
                Problem(
                    path,
                    f"a second time for {row.origin} - {row.destination} (first on line {given_on[i, j]})",
                    line=row.source_line,
                    key="minutes",
                    hint="one row per pair: times hold both ways",
                )
            )
        minutes[i, j] = minutes[j, i] = row.minutes
        given_on[i, j] = given_on[j, i] = row.source_line
    for i, node in enumerate(nodes):
        if node.kind == "municipality":
            for j, other in enumerate(nodes):
                optional = within_reach_only and other.kind == "municipality" and i != j
                if other.kind != "long_distance" and not optional and np.isnan(minutes[i, j]):
                    raise InputError(Problem(path, f"no time between {node.name} and {other.name}"))
    return minutes


def _load_snapshot(region: RegionData, year: int, entry: _SnapshotEntry) -> Snapshot:
    spec, folder = region._spec, region.folder
    persons = None
    if entry.persons is not None:
        persons_path = folder / entry.persons.file
        table = read_population(persons_path)
        persons = _persons_of_year(table, entry.persons.year, spec, persons_path)
    snapshot = Snapshot(year=year, persons=persons, look_ahead=entry.look_ahead)
    if entry.derived_from is not None:
        source = region.snapshot(entry.derived_from.snapshot)
        if not source.has_jobs:
            raise InputError(Problem(folder / "region.yaml", f"snapshot {year} derives from one without jobs"))
        snapshot.commuting = np.rint(source.commuting * entry.derived_from.jobs_scale).astype(np.int64)
        snapshot.jobs_by_sector = source.jobs_by_sector  # the structure; scaled to the totals at set-up
        snapshot.national_employment_rate = source.national_employment_rate
        snapshot.derived = True
    elif entry.commuting and entry.jobs_by_sector and entry.employment:
        snapshot.commuting = _commuting_matrix(_source(folder, entry.commuting), region)
        snapshot.jobs_by_sector = _jobs_by_sector(_source(folder, entry.jobs_by_sector), region, snapshot.commuting)
        snapshot.national_employment_rate = _national_employment_rate(_source(folder, entry.employment))
        _check_employment(_source(folder, entry.employment), region, snapshot.commuting)
    if snapshot.has_jobs and snapshot.has_persons:
        _check_residents(snapshot, region, persons_path)
    return snapshot


def _check_residents(snapshot: Snapshot, region: RegionData, path: Path) -> None:
    """No municipality has more employed residents (the commuting table's rows) than persons aged 15-74."""
    employed = snapshot.commuting[: region.n_municipalities].sum(axis=1)
    persons = snapshot.persons[:, :, 15:75].sum(axis=(1, 2))
    problems = [
        Problem(
            path,
            f"{name} in {snapshot.year}: {persons[i]} persons aged 15-74, but {employed[i]} employed residents "
            "in the commuting table",
            key="persons",
            hint="the population table lacks the municipality's residents, or its rows are for another year",
        )
        for i, name in enumerate(region.municipalities)
        if employed[i] > persons[i]
    ]
    if problems:
        raise InputError(problems)


@dataclass(frozen=True)
class _Table:
    """A table file and, for a file of several 4th quarters, the one a snapshot reads."""

    path: Path
    quarter: int | None = None

    def read(self, columns: list[str], numeric: list[str], whole: list[str] = (), unique: list[str] = ()):
        wanted = columns if self.quarter is None else ["year", *columns]
        keys = [*(["year"] if self.quarter is not None and unique else []), *unique]
        table = read_table(
            self.path, wanted, numeric=numeric if self.quarter is None else ["year", *numeric], whole=whole, unique=keys
        )
        if self.quarter is None:
            return table
        rows = table[table["year"] == self.quarter]
        if rows.empty:
            raise InputError(Problem(self.path, f"no rows for the 4th quarter of {self.quarter}", key="year"))
        return rows


def _source(folder: Path, entry: str | _QuarterSource) -> _Table:
    if isinstance(entry, str):
        return _Table(folder / entry)
    return _Table(folder / entry.file, entry.fourth_quarter)


MAX_PERSONS_PER_CELL = 100_000
"""Persons of one municipality, sex and age at most: Oslo's largest is about 6 000, Norway's about 45 000."""


def read_population(path: Path):
    """A population table: whole, non-negative persons, one row per year, municipality, sex and age 0-105."""
    return read_table(
        path,
        ["year", "knr", "sex", "age", "persons"],
        numeric=["year", "age", "persons"],
        whole=["persons", "age"],
        unique=["year", "knr", "sex", "age"],
        ranges={"age": (0, MAX_AGE), "persons": (0, MAX_PERSONS_PER_CELL)},
    )


def _persons_of_year(table, year: int, spec: _RegionFile, path: Path) -> np.ndarray:
    """Persons by municipality, sex and age in one year of a population table."""
    table = table[table["year"] == year]
    index = {}
    for i, m in enumerate(spec.municipalities):
        index[m.number] = i
        if m.number_2020:
            index[m.number_2020] = i
    rows = table[table["knr"].isin(index)]
    seen = set(rows["knr"].map(index))
    for i, m in enumerate(spec.municipalities):
        if i not in seen:
            raise InputError(Problem(path, f"no persons for {m.name} in {year}"))
        mine = rows[rows["knr"].isin([m.number, m.number_2020])]
        for sex in SEXES:
            check_every_age(set(mine.loc[mine["sex"] == sex, "age"].astype(int)), path, f"{m.name} in {year}: {sex}")
    persons = np.zeros((len(spec.municipalities), len(SEXES), MAX_AGE + 1), dtype=np.int64)
    by_sex_age = persons_by_sex_age(rows.assign(year=rows["knr"].map(index)), path)
    for i, counts in by_sex_age.items():
        persons[i] = counts
    return persons


def _commuting_matrix(source: _Table, region: RegionData) -> np.ndarray:
    columns = ["residence_knr", "workplace_knr", "employed_persons"]
    table = source.read(columns, numeric=["employed_persons"], whole=["employed_persons"], unique=columns[:2])
    path = source.path
    spec = region._spec
    code_to_node: dict[str, int] = {}
    for i, m in enumerate(spec.municipalities):
        code_to_node[m.number] = i
        if m.number_2020:
            code_to_node[m.number_2020] = i
    rest = None
    for j, node in enumerate(spec.outside_nodes, start=region.n_municipalities):
        if node.members == "rest":
            rest = j
        else:
            code_to_node.update({code: j for code in node.members})
    n = len(region.nodes)
    flows = np.zeros((n, n), dtype=np.int64)
    for row in table.itertuples():
        i = code_to_node.get(row.residence_knr, rest)
        j = code_to_node.get(row.workplace_knr, rest)
        if i is None or j is None:
            raise InputError(Problem(path, "a code outside every node and no `rest` node", line=row.source_line))
        flows[i, j] += int(row.employed_persons)
    return flows


def _jobs_by_sector(source: _Table, region: RegionData, commuting: np.ndarray) -> np.ndarray:
    table = source.read(["knr", *SECTOR_KEYS], numeric=list(SECTOR_KEYS))
    path = source.path
    rows = _rows_by_municipality(table, path, region._spec)
    jobs = np.array([[int(table.loc[r, s]) for s in SECTOR_KEYS] for r in rows], dtype=np.int64)
    totals = commuting[:, : region.n_municipalities].sum(axis=0)
    for i, name in enumerate(region.municipalities):
        if abs(jobs[i].sum() - totals[i]) > JOB_TOTAL_TOLERANCE * totals[i]:
            raise InputError(
                Problem(
                    path,
                    f"{name}: sectors sum to {jobs[i].sum()} jobs but the commuting table has {totals[i]} jobs there",
                    line=int(table.loc[rows[i], "source_line"]),
                    hint="the split must match the job totals within 1 %",
                )
            )
    return jobs


def _check_employment(source: _Table, region: RegionData, commuting: np.ndarray) -> None:
    """Jobs by workplace in the employment table must agree with the commuting table."""
    columns = ["knr", "jobs_by_workplace_15_74"]
    table = source.read(columns, numeric=columns[1:])
    path = source.path
    rows = _rows_by_municipality(table, path, region._spec)
    totals = commuting[:, : region.n_municipalities].sum(axis=0)
    for i, name in enumerate(region.municipalities):
        jobs = table.loc[rows[i], "jobs_by_workplace_15_74"]
        if abs(jobs - totals[i]) > JOB_TOTAL_TOLERANCE * totals[i]:
            raise InputError(
                Problem(
                    path,
                    f"{name}: {jobs:.0f} jobs, but the commuting table has {totals[i]} jobs there",
                    line=int(table.loc[rows[i], "source_line"]),
                    hint="the two tables must agree within 1 %",
                )
            )


MAX_PERSONS_15_74 = 10_000_000  # Norway had 4.1 million persons aged 15-74 in 2022


def _every_row(source: _Table, columns: list[str]):
    """Every row of the employment table, of every 4th quarter it holds, counts checked against their range."""
    limits = {c: (0, MAX_PERSONS_15_74) for c in columns[1:]}
    return read_table(source.path, columns, numeric=columns[1:], whole=columns[1:], ranges=limits)


NATIONAL_EMPLOYMENT_RATE_RANGE = (0.4, 0.9)
"""Employed over persons aged 15-74 in Norway that the model accepts (SSB 11618: 0.65-0.70 since 2000)."""


def _national_employment_rate(source: _Table) -> float:
    columns = ["knr", "population_15_74", "employed_residents_15_74"]
    table = source.read(columns, numeric=columns[1:])
    path = source.path
    national = table[table["knr"] == "0000"]
    if len(national) != 1:
        raise InputError(Problem(path, "needs one row with knr 0000 for Norway", key="knr"))
    problems = [
        Problem(
            path,
            f"{int(row['employed_residents_15_74'])} employed residents but {int(row['population_15_74'])} persons "
            "aged 15-74",
            line=int(row["source_line"]),
            key="employed_residents_15_74",
            hint="employed residents are a part of the population",
        )
        for _, row in _every_row(source, columns).query("employed_residents_15_74 > population_15_74").iterrows()
    ]
    row = national.iloc[0]
    rate = row["employed_residents_15_74"] / row["population_15_74"] if row["population_15_74"] > 0 else 0.0
    low, high = NATIONAL_EMPLOYMENT_RATE_RANGE
    if not problems and not low <= rate <= high:
        problems.append(
            Problem(
                path,
                f"Norway's employment rate is {rate:.3f} (employed residents over persons aged 15-74)",
                line=int(row["source_line"]),
                key="employed_residents_15_74",
                hint=f"it has been 0.65-0.70 since 2000; the model accepts {low}-{high}",
            )
        )
    if problems:
        raise InputError(problems)
    return float(rate)
