"""Reading the national municipal data set, with the checks that make it trustworthy.

The folder's format is that of ``scenarios/national/norway/municipal/`` (its
README): population by municipality, sex and age; employment and the commuting
matrix by 4th quarter; one row per municipality with its BA region and label
point. At load time the loader checks the identities the data must obey, so a
damaged or foreign folder fails with one line naming file and column.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from model.inputs.errors import InputError, Problem
from model.inputs.tables import check_columns, comment_lines

DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "scenarios" / "national" / "norway" / "municipal"
WITHHELD_CODE = "9999"  # commuting flows with one end in a withheld municipality
NATIONAL_CODE = "0000"  # the national row of the employment table

FILES: dict[str, list[str]] = {
    "population_age_sex.parquet": ["year", "municipality_code", "sex", "age", "population"],
    "population_age_sex_norway.parquet": ["year", "sex", "age", "population"],
    "employment.csv": [
        "year",
        "municipality_code",
        "population_15_74",
        "employed_residents_15_74",
        "jobs_by_workplace_15_74",
        "employed_residents_workplace_not_in_od",
    ],
    "commuting_od.parquet": ["year", "residence_code", "workplace_code", "employed"],
    "municipalities.csv": [
        "municipality_code",
        "municipality_name",
        "county_code",
        "baregion_code",
        "baregion_name",
        "ba_travel_time_min",
        "label_lon",
        "label_lat",
        "area_km2_n5000",
    ],
}
MAP_FILE = "municipalities_2024.geojson"


@dataclass(frozen=True)
class MunicipalData:
    """The national municipal data set, checked.

    Attributes:
        folder: where it was read from.
        municipalities: one row per municipality, indexed by its 4-character code.
        population: persons on 1 January, columns year, code, sex, age, persons.
        national_population: persons in Norway on 1 January, columns year, sex, age, persons.
        employment: 4th-quarter figures indexed by (year, code), national row `0000` included;
            a missing count (Rindal 2019) is NaN.
        commuting: 4th-quarter flows, columns year, residence, workplace, employed (NaN where missing).
    """

    folder: Path
    municipalities: pd.DataFrame
    population: pd.DataFrame
    national_population: pd.DataFrame
    employment: pd.DataFrame
    commuting: pd.DataFrame

    @property
    def population_years(self) -> list[int]:
        """Years with persons on 1 January."""
        return sorted(int(y) for y in self.population["year"].unique())

    @property
    def employment_years(self) -> list[int]:
        """Years whose 4th quarter has employment and commuting."""
        return sorted(int(y) for y in self.employment.index.get_level_values("year").unique())

    @cached_property
    def names(self) -> pd.Series:
        """Municipality names by code, unique: a name two municipalities share gets its county (Herøy)."""
        names = self.municipalities["municipality_name"].astype(str)
        shared = names.duplicated(keep=False)
        counties = (
            self.municipalities["county_name"].astype(str)
            if "county_name" in self.municipalities
            else self.municipalities["county_code"]
        )
        return names.where(~shared, names + " (" + counties.astype(str) + ")")

    def absent_names(self) -> dict[str, str]:
        """Code -> name of the municipalities on the map but not in the data set (the withheld ones)."""
        try:
            features = json.loads(self.map_file.read_text(encoding="utf-8"))["features"]
            names = {f["properties"]["municipality_code"]: f["properties"]["municipality_name"] for f in features}
        except (OSError, ValueError, KeyError, TypeError):
            return {}
        return {code: name for code, name in names.items() if code not in self.municipalities.index}

    @property
    def map_file(self) -> Path:
        """The municipal borders (GeoJSON)."""
        return self.folder / MAP_FILE

    def source(self, name: str) -> str:
        """The source line of one file of the set (for the files a region folder copies from it)."""
        path = self.folder / name
        if path.suffix == ".parquet":
            metadata = pq.read_schema(path).metadata or {}
            return metadata.get(b"source", b"").decode() or f"{name} of the municipal data set ({self.folder})"
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        return first.lstrip("# ").strip() if first.startswith("#") else f"{name} of the municipal data set"


def read_population_of(path: Path, codes: list[str], last_year: int) -> pd.DataFrame:
    """Persons of some municipalities to 1 January `last_year`, read straight from the population file.

    For the few rows a region needs of its neighbours: reading and checking the whole data set would
    take seconds in every process. The columns are checked here; a file that is not a parquet table of
    them is refused with one line.
    """
    columns = ["year", "municipality_code", "sex", "age", "population"]
    try:
        names = pq.read_schema(path).names
    except (OSError, ValueError) as error:  # pyarrow's errors derive from these
        raise InputError(Problem(path, f"cannot read it as a parquet table ({error})")) from None
    check_columns(path, pd.DataFrame(columns=names), columns)
    filters = [("municipality_code", "in", codes), ("year", "<=", last_year)]
    try:
        return pq.read_table(path, columns=columns, filters=filters).to_pandas()
    except (OSError, ValueError) as error:
        raise InputError(Problem(path, f"cannot read the persons of {', '.join(codes[:3])}...: {error}")) from None


@lru_cache(maxsize=2)
def load_municipal_data(folder: Path = DEFAULT_FOLDER) -> MunicipalData:
    """Read and check a municipal data folder (see its README)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(
            Problem(
                folder,
                "municipal data folder not found",
                hint="--data names a folder like scenarios/national/norway/municipal",
            )
        )
    tables = {name: _read(folder / name, columns) for name, columns in FILES.items()}
    if not (folder / MAP_FILE).is_file():
        raise InputError(Problem(folder / MAP_FILE, "file missing", hint="the folder needs the municipal borders"))
    municipalities = tables["municipalities.csv"].astype({"municipality_code": str}).set_index("municipality_code")
    population = tables["population_age_sex.parquet"].rename(
        columns={"municipality_code": "code", "population": "persons"}
    )[["year", "code", "sex", "age", "persons"]]
    national = tables["population_age_sex_norway.parquet"].rename(columns={"population": "persons"})
    employment = tables["employment.csv"].rename(
        columns={
            "municipality_code": "code",
            "population_15_74": "population",
            "employed_residents_15_74": "employed_residents",
            "jobs_by_workplace_15_74": "jobs",
            "employed_residents_workplace_not_in_od": "not_in_od",
        }
    )
    employment = employment.set_index(["year", "code"])[["population", "employed_residents", "jobs", "not_in_od"]]
    commuting = tables["commuting_od.parquet"].rename(
        columns={"residence_code": "residence", "workplace_code": "workplace"}
    )
    commuting = commuting[["year", "residence", "workplace", "employed"]].astype({"employed": "float64"})
    data = MunicipalData(folder, municipalities, population, national, employment, commuting)
    _check(data)
    return data


def _read(path: Path, columns: list[str]) -> pd.DataFrame:
    """One file of the set, with its required columns, codes as text."""
    if not path.is_file():
        raise InputError(Problem(path, "file missing", hint="a municipal data folder holds " + ", ".join(FILES)))
    codes = {c: str for c in columns if c.endswith("_code")}
    try:
        if path.suffix == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(path, comment=None, dtype=codes, skiprows=comment_lines(path))
    except Exception as error:  # a damaged file of any kind: one line, no traceback
        raise InputError(Problem(path, f"not readable: {str(error).splitlines()[0]}")) from None
    check_columns(path, table, columns)
    if table.empty:
        raise InputError(
            Problem(path, "holds no rows", hint="a municipal data folder holds the data set's full tables")
        )
    for column in columns:
        if column.endswith("_code") or column == "sex":
            table[column] = table[column].astype(str).str.strip()
        elif column in ("municipality_name", "baregion_name"):
            table[column] = table[column].astype(str).str.strip()  # the BA file has trailing no-break spaces
        else:
            table[column] = _numbers(path, table, column)
    return table


# Counts that may be missing (Rindal 2019 is, by the data set's README); everything else must be there.
MAY_BE_MISSING = {
    "employed",
    "jobs_by_workplace_15_74",
    "employed_residents_15_74",
    "population_15_74",
    "employed_residents_workplace_not_in_od",
}
SIGNED = {"label_lon", "label_lat"}  # coordinates may be negative


def _numbers(path: Path, table: pd.DataFrame, column: str) -> pd.Series:
    """A numeric column: empty cells only where a count may be missing, never text or a negative count."""
    raw = table[column]
    values = pd.to_numeric(raw, errors="coerce")
    empty = raw.isna() | raw.astype(str).str.strip().isin(["", "nan", "NaN", "<NA>", "None"])
    text = values.isna() & ~empty
    bad = text | (empty & (column not in MAY_BE_MISSING)) | (values.notna() & ~(values.abs() < np.inf))
    if column not in SIGNED:
        bad |= values < 0
    if bad.any():
        where = int(np.flatnonzero(bad.to_numpy())[0])
        kind = "numbers" if column in SIGNED else "non-negative numbers"
        raise InputError(Problem(path, f"must hold {kind}, not {raw.iloc[where]!r} (data row {where + 1})", key=column))
    return values


def _check(data: MunicipalData) -> None:
    """The identities of the set: jobs = commuting column sums; municipalities never exceed the nation."""
    folder = data.folder
    duplicated = data.municipalities.index[data.municipalities.index.duplicated()]
    if len(duplicated):
        raise InputError(
            Problem(folder / "municipalities.csv", f"code {duplicated[0]} appears twice", key="municipality_code")
        )
    rows = data.employment.index
    if rows.duplicated().any():
        year, code = rows[rows.duplicated()][0]
        raise InputError(Problem(folder / "employment.csv", f"{code} appears twice in {year}", key="municipality_code"))
    for year in data.employment_years:
        present = set(data.employment.xs(year, level="year").index)
        lacking = sorted(({NATIONAL_CODE} | set(data.municipalities.index)) - present)
        if lacking:
            raise InputError(
                Problem(
                    folder / "employment.csv",
                    f"no row for {lacking[0]} in {year}",
                    key="municipality_code",
                    hint=f"{len(lacking)} row(s) missing; each municipality and {NATIONAL_CODE} need one a year",
                )
            )
    known = set(data.municipalities.index)
    for name, codes in (
        ("population_age_sex.parquet", set(data.population["code"])),
        ("employment.csv", set(data.employment.index.get_level_values("code")) - {NATIONAL_CODE}),
        ("commuting_od.parquet", set(data.commuting["residence"]) - {WITHHELD_CODE}),
    ):
        unknown = sorted(codes - known)
        if unknown:
            column = {"population_age_sex.parquet": "municipality_code", "employment.csv": "municipality_code"}.get(
                name, "residence_code"
            )
            raise InputError(
                Problem(
                    folder / name,
                    f"code {unknown[0]} is not in municipalities.csv",
                    key=column,
                    hint=f"{len(unknown)} unknown code(s)",
                )
            )
    flows = data.commuting[data.commuting["workplace"] != WITHHELD_CODE]
    column_sums = flows.groupby(["year", "workplace"])["employed"].sum(min_count=1)
    column_sums.index.names = ["year", "code"]
    jobs = data.employment["jobs"].drop(index=NATIONAL_CODE, level="code", errors="ignore")
    both = pd.concat({"jobs": jobs, "od": column_sums}, axis=1).dropna()
    # A municipality whose own cells are missing (Rindal 2019) has no valid column sum.
    missing_cells = data.commuting[data.commuting["employed"].isna()]
    incomplete = set(zip(missing_cells["year"], missing_cells["workplace"], strict=True))
    both = both[[key not in incomplete for key in both.index]]
    off = both[(both["jobs"] - both["od"]).abs() > 0.5]
    if not off.empty:
        (year, code), row = next(iter(off.iterrows()))
        raise InputError(
            Problem(
                folder / "employment.csv",
                f"{code} in {year}: {row['jobs']:.0f} jobs but the commuting column sums to {row['od']:.0f}"
                " (commuting_od.parquet)",
                key="jobs_by_workplace_15_74",
                hint=f"{len(off)} municipality-year(s) disagree; jobs by workplace must equal the commuting column sum",
            )
        )
    local = data.population.groupby(["year", "sex", "age"])["persons"].sum()
    nation = data.national_population.groupby(["year", "sex", "age"])["persons"].sum()
    excess = (local - nation.reindex(local.index)).dropna()
    lacking = local.index.difference(nation.index)
    if len(lacking):
        year, sex, age = lacking[0]
        raise InputError(
            Problem(
                folder / "population_age_sex_norway.parquet",
                f"no national count for {year}, {sex}, age {age}",
                key="population",
            )
        )
    if (excess > 0).any():
        (year, sex, age), value = next((k, v) for k, v in excess.items() if v > 0)
        raise InputError(
            Problem(
                folder / "population_age_sex.parquet",
                f"the municipalities hold {value:.0f} more persons than the nation in {year}, {sex}, age {age}"
                " (population_age_sex_norway.parquet)",
                key="population",
                hint="municipalities must add up to at most the national count",
            )
        )
