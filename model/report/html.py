"""report.html: one self-contained page a workshop can put on a projector.

Figures are embedded as data URIs, so the file opens anywhere without a
network or the files beside it.
"""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd

from model.inputs.uncertain import DRAWS_FILE

STYLE = """
body { font-family: "DejaVu Sans", Arial, sans-serif; max-width: 1400px; margin: 2em auto; padding: 0 1em;
       color: #222; line-height: 1.45; }
h1 { font-size: 2em; margin-bottom: 0.2em; } h2 { margin-top: 1.8em; border-bottom: 2px solid #ddd; }
table { border-collapse: collapse; margin: 1em 0; font-size: 1.05em; }
th, td { border: 1px solid #ccc; padding: 0.35em 0.7em; text-align: right; }
th:first-child, td:first-child { text-align: left; } th { background: #f2f2f2; }
figure { margin: 1.5em 0; } figure img { max-width: 100%; border: 1px solid #eee; }
figcaption { font-size: 1.1em; color: #333; margin-top: 0.4em; }
.note { background: #f7f7f0; border-left: 4px solid #c9b458; padding: 0.6em 1em; }
.scenario { margin: 0.4em 0; } .swatch { display: inline-block; width: 1em; height: 1em; margin-right: 0.4em;
       vertical-align: middle; border-radius: 2px; }
"""


def _image(path: Path) -> str:
    return "data:image/png;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def _colour(rgb: tuple) -> str:
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgb[:3])


def render(
    title: str,
    scenarios: list,
    colours: dict[str, tuple],
    key_numbers: pd.DataFrame,
    figures: list[tuple[str, str, str]],
    settings: dict[str, str],
    folder: Path,
    note: str,
    key_heading: str = "Key numbers at the horizon",
) -> str:
    """The page: scenarios, key numbers, figures with captions, settings and seeds.

    `note` (HTML) says what the bands and intervals show.
    """
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>",
    ]
    parts.append("<h2 id='scenarios'>Scenarios</h2>")
    for scenario in scenarios:
        swatch = f"<span class='swatch' style='background:{_colour(colours[scenario.name])}'></span>"
        parts.append(
            f"<div class='scenario'>{swatch}<b>{html.escape(scenario.name)}</b>: "
            f"{html.escape(scenario.description.strip() or '(no description)')}</div>"
        )
    parts.append(f"<h2 id='key-numbers'>{html.escape(key_heading)}</h2>")
    parts.append(key_numbers.to_html(index=False, escape=True, na_rep="–", border=0))
    parts.append(f"<p class='note'>{note}</p>")
    parts.append("<h2 id='figures'>Figures</h2>")
    for heading, name, caption in figures:
        parts.append(
            f"<figure id='{html.escape(Path(name).stem)}'><h3>{html.escape(heading)}</h3>"
            f"<img src='{_image(folder / name)}' alt='{html.escape(heading)}'>"
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    parts.append("<h2 id='settings'>Settings and seeds</h2><table>")
    parts += [f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in settings.items()]
    parts.append("</table></body></html>")
    return "\n".join(parts)


def band_note(scenarios: list, with_uncertainty: bool) -> str:
    """What a comparison's bands and intervals show: chance, or chance and the drawn values."""
    if not with_uncertainty:
        return (
            "Bands and intervals show <b>chance</b>: the 5–95 % range over replicates run with the same seeds in "
            "every scenario (common random numbers). They do not include uncertainty about parameters or the "
            "national context (run with --uncertainty for that). Differences are taken replicate by replicate."
        )
    ranges = scenarios[0].uncertainty_ranges()
    listed = ", ".join(f"{html.escape(n)} {low:g}–{high:g}" for n, (low, high) in ranges.items())
    return (
        "Bands and intervals show <b>chance and parameter and context uncertainty</b>: replicate i draws row i of a "
        f"Latin hypercube over {listed} (the same draws in every scenario; see {DRAWS_FILE}), and runs with the "
        "same seeds in every scenario. Differences are taken replicate by replicate."
    )
