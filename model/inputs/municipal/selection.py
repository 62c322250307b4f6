"""Which municipalities make a region: codes, BA regions, or the whole data set.

Every fault in the user's choice is an InputError with one line and a hint:
an unknown or doubled code, a misspelt municipality or BA name, a code the
data set lacks (a withheld municipality, or one of another data set).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from model.inputs.errors import InputError, Problem, _fold, did_you_mean

COMMAND = "regionsim region create"


def _problem(message: str, key: str, hint: str | None = None) -> InputError:
    return InputError(Problem(COMMAND, message, key=key, hint=hint))


def choose_municipalities(
    municipalities: pd.DataFrame,
    codes: Sequence[str] = (),
    ba_regions: Sequence[str] = (),
    everything: bool = False,
) -> list[str]:
    """The region's municipality codes, in the data set's order (largest BA first is not implied).

    Args:
        municipalities: the data set's municipality table, indexed by code.
        codes: municipality codes (or names) given with --municipalities.
        ba_regions: BA region codes or names given with --ba-region.
        everything: --all, every municipality of the data set.
    """
    given = sum(bool(x) for x in (codes, ba_regions, everything))
    if given == 0:
        raise _problem("no municipalities given", "--municipalities", "name codes, a --ba-region, or --all")
    if given > 1:
        raise _problem("give only one of --municipalities, --ba-region and --all", "--municipalities")
    if everything:
        return list(municipalities.index)
    chosen: list[str] = []
    if codes:
        for code in codes:
            chosen.append(_municipality(municipalities, code))
    else:
        for name in ba_regions:
            chosen += list(municipalities.index[municipalities["baregion_code"] == _ba_region(municipalities, name)])
    seen: set[str] = set()
    for code in chosen:
        if code in seen:
            name = municipalities.loc[code, "municipality_name"]
            raise _problem(
                f"{code} {name} is listed twice",
                "--municipalities" if codes else "--ba-region",
                "list each municipality once",
            )
        seen.add(code)
    return chosen


def _municipality(municipalities: pd.DataFrame, given: str) -> str:
    """A municipality code from a code or a name."""
    text = given.strip()
    if text.isdigit():
        code = text.zfill(4)
        if code in municipalities.index:
            return code
        if len(code) == 4:
            raise _problem(
                f"municipality {code} is not in the data set",
                "--municipalities",
                "the data set lacks it (a municipality withheld or of other borders than 2024); "
                "--data can name another data set; `regionsim region list` shows the codes",
            )
        raise _problem(f"{given!r} is not a municipality code", "--municipalities", "codes have four digits, e.g. 3407")
    names = municipalities["municipality_name"]
    by_fold = {_fold(name): code for code, name in names.items()}
    for code, name in names.items():  # multilingual names: 'Guovdageaidnu-Kautokeino' matches 'Kautokeino'
        for part in str(name).split("-"):
            by_fold.setdefault(_fold(part.strip()), code)
    if _fold(text) in by_fold:
        return by_fold[_fold(text)]
    hint = did_you_mean(text, list(names)) or "`regionsim region list` shows the municipalities"
    raise _problem(f"unknown municipality {given!r}", "--municipalities", hint)


def _ba_region(municipalities: pd.DataFrame, given: str) -> str:
    """A BA region code from its code (e.g. 018 or 18) or its name (e.g. Gjøvik)."""
    regions = municipalities.drop_duplicates("baregion_code").set_index("baregion_code")["baregion_name"]
    text = given.strip()
    if text.isdigit():
        code = text.zfill(3)
        if code in regions.index:
            return code
        raise _problem(
            f"BA region {code} is not in the data set",
            "--ba-region",
            "the data set lacks it (withheld, or not a BA code); `regionsim region list` shows them",
        )
    for code, name in regions.items():
        if _fold(text) in (_fold(str(name)), *(_fold(p.strip()) for p in str(name).split(" - "))):
            return str(code)
    hint = did_you_mean(text, list(regions)) or "`regionsim region list` shows the BA regions"
    raise _problem(f"unknown BA region {given!r}", "--ba-region", hint)


def ba_regions_table(municipalities: pd.DataFrame) -> pd.DataFrame:
    """BA regions with their municipalities and population of the latest year, largest first."""
    table = municipalities.reset_index()
    grouped = table.groupby(["baregion_code", "baregion_name"], sort=False)
    summary = grouped.agg(
        municipalities=("municipality_name", lambda names: ", ".join(names)),
        codes=("municipality_code", lambda codes: " ".join(codes)),
        population=("population_2026_jan1", "sum"),
    ).reset_index()
    return summary.sort_values("baregion_code").reset_index(drop=True)
