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
    absent: dict[str, str] | None = None,
) -> list[str]:
    """The region's municipality codes, in the order given.

    Args:
        municipalities: the data set's municipality table, indexed by code.
        codes: municipality codes (or names) given with --municipalities.
        ba_regions: BA region codes or names given with --ba-region.
        everything: --all, every municipality of the data set.
        absent: code -> name of municipalities on the map but not in the data set (withheld), so that a
            name of one is told so instead of being matched to a look-alike.
    """
    given = sum(bool(x) for x in (codes, ba_regions, everything))
    if given == 0:
        raise _problem("no municipalities given", "--municipalities", "name codes, a --ba-region, or --all")
    if given > 1:
        raise _problem("give only one of --municipalities, --ba-region and --all", "--municipalities")
    if everything:
        return list(municipalities.index)
    absent = absent or {}
    chosen: list[str] = []
    if codes:
        chosen = [_municipality(municipalities, code, absent) for code in codes]
    else:
        regions = [_ba_region(municipalities, name, absent) for name in ba_regions]
        for code in regions:
            if regions.count(code) > 1:
                name = municipalities.loc[municipalities["baregion_code"] == code, "baregion_name"].iloc[0]
                raise _problem(f"BA region {code} {name} is given twice", "--ba-region", "give each BA region once")
        for code in regions:
            chosen += list(municipalities.index[municipalities["baregion_code"] == code])
    seen: set[str] = set()
    for code in chosen:
        if code in seen:
            name = municipalities.loc[code, "municipality_name"]
            raise _problem(f"{code} {name} is listed twice", "--municipalities", "list each municipality once")
        seen.add(code)
    return chosen


def _names_by_fold(names: dict[str, str]) -> dict[str, set[str]]:
    """Folded whole names and name parts (multilingual names are joined with '-') -> the codes they match."""
    found: dict[str, set[str]] = {}
    for code, name in names.items():
        name = str(name).strip()
        for key in {_fold(name), *(_fold(part.strip()) for part in name.split("-") if part.strip())}:
            found.setdefault(key, set()).add(code)
    return found


def _municipality(municipalities: pd.DataFrame, given: str, absent: dict[str, str]) -> str:
    """A municipality code from a code or a name; an ambiguous name is refused with its candidates."""
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
    names = municipalities["municipality_name"].astype(str).str.strip()
    counties = municipalities.get("county_name", municipalities["county_code"]).astype(str)
    folded = names.map(_fold)
    whole = {name: code for code, name in folded[~folded.duplicated(keep=False)].items()}
    if _fold(text) in whole:
        return whole[_fold(text)]
    matches = sorted(_names_by_fold(names.to_dict()).get(_fold(text), set()))
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        listed = ", ".join(f"{names[c]} {c} ({counties[c]})" for c in matches[:6]) + (
            " ..." if len(matches) > 6 else ""
        )
        raise _problem(
            f"{given!r} matches {len(matches)} municipalities: {listed}", "--municipalities", "give the code"
        )
    lacking = sorted(_names_by_fold(absent).get(_fold(text), set()))
    if lacking:
        raise _problem(
            f"municipality {given!r} ({lacking[0]}) is not in the data set",
            "--municipalities",
            "the data set lacks it (withheld); --data can name another data set",
        )
    hint = did_you_mean(text, list(names)) or "`regionsim region list` shows the municipalities"
    raise _problem(f"unknown municipality {given!r}", "--municipalities", hint)


def _ba_region(municipalities: pd.DataFrame, given: str, absent: dict[str, str]) -> str:
    """A BA region code from its code (e.g. 018 or 18) or its name (e.g. Gjøvik)."""
    regions = municipalities.drop_duplicates("baregion_code").set_index("baregion_code")["baregion_name"]
    regions = regions.astype(str).str.strip()
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
        if _fold(text) in (_fold(name), *(_fold(p.strip()) for p in name.split(" - "))):
            return str(code)
    if _names_by_fold(absent).get(_fold(text)):
        raise _problem(
            f"BA region {given!r} is not in the data set",
            "--ba-region",
            "the data set lacks it (its municipalities are withheld); --data can name another data set",
        )
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
