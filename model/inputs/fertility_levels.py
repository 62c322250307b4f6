"""Municipal fertility levels: each municipality's infants against the births Norway's rates give its women.

A student town has many women in their twenties who have few children there;
a family suburb the opposite. Applying Norway's age-specific rates to every
municipality alike gets both wrong (Gjøvik's births 20-43 % too high in the
2017 baseline). The level of municipality m over the window of the `years`
years before the region's last known 1 January is

    level_m = sum_y infants_m(y + 1) / sum_y sum_a women_m(y, a) f_y(a)

where f_y is the model's own fertility per woman aged a on 1 January (the
mean of Norway's rates at a and a + 1, scaled to Norway's infants outside the
data years). Infants on 1 January are births less infant deaths plus infants
moving in, so a municipality whose infants match Norway's rates has a level
of about 1 (Norway's own is 1.005). Only years the region knows are read, so a
region built as it was known in a past year has the levels of that time.
"""

from __future__ import annotations

import numpy as np

from model.inputs.national import NationalData, fertility_on_1_january


def expected_births(women: np.ndarray, national: NationalData, year: int) -> np.ndarray:
    """Births during `year` that Norway's rates give women by municipality and age on 1 January (M x ages)."""
    return women @ fertility_on_1_january(national.fertility_rate(year))


def fertility_levels(
    observed: dict[int, np.ndarray], national: NationalData, last_year: int, years: int, n_municipalities: int
) -> np.ndarray:
    """The level of each municipality over the `years` years up to `last_year` (1 where it cannot be measured).

    `observed` maps a 1 January to persons by municipality, sex and age; `years` 0 gives Norway's level everywhere.
    """
    levels = np.ones(n_municipalities)
    window = [y for y in range(last_year - years, last_year) if y in observed and y + 1 in observed]
    if years <= 0 or not window:
        return levels
    infants = sum(observed[y + 1][:, :, 0].sum(axis=1) for y in window)
    births = sum(expected_births(observed[y][:, 0, :], national, y) for y in window)
    measured = births > 0
    levels[measured] = infants[measured] / births[measured]
    return levels
