"""What the captions of `snakemake --report` say about a table or a figure.

The caption files, workflow/report/table.rst and figure.rst, are Jinja2 templates that Snakemake
fills in per job; the Snakefile hands them these fields as the job's params.caption, taken from
the experiment's declaration and the scale, the same text as the index (workflow/index.py).
Every field is escaped reStructuredText that shows as written, so that a declaration's `|x|`,
`*` or word ending in `_` can never turn into a substitution, emphasis or link (or an error).
"""
from __future__ import annotations

from index import PANEL_WHAT

# Characters that start inline markup in reStructuredText; a backslash makes each literal.
RST_MARKUP = set("\\*`_|")


def rst_text(text) -> str:
    """`text` on one line, shown literally by reStructuredText."""
    return "".join("\\" + c if c in RST_MARKUP else c for c in " ".join(str(text).split()))


def _seeds(reg) -> str:
    return ", ".join(str(s) for s in reg.scale.seeds)


def _common(reg, exp_id) -> dict:
    st, sc = reg.statuses[exp_id], reg.scale
    return {
        "caption": rst_text(st.experiment.caption),
        "paper": rst_text(st.experiment.paper or ""),
        "scale": rst_text(sc.description or sc.name),
        "waiting": rst_text(", ".join(st.missing)),
    }


def table_caption(reg, exp_id) -> dict:
    """The fields of workflow/report/table.rst for table `exp_id`."""
    st = reg.statuses[exp_id]
    e = st.experiment
    if e.benchmark:
        runs = f"measured here, no training: localsgd-microbench {e.benchmark.command}"
    else:
        runs = f"{len(st.variants())} runs x seeds {_seeds(reg)}"
    return {**_common(reg, exp_id), "runs": rst_text(runs)}


def figure_caption(reg, target) -> dict:
    """The fields of workflow/report/figure.rst for the drawing `target` (e.g. figure7a)."""
    exp_id, panel = reg.panel(target)
    bench = reg.experiments[exp_id].benchmark
    if bench:
        data = f"measured on this machine by localsgd-microbench {bench.command}, no training"
    else:
        data = f"each line or bar is the mean over seeds {_seeds(reg)}"
    return {**_common(reg, exp_id), "experiment": exp_id, "data": rst_text(data),
            "title": rst_text(panel.title or target),
            "what": rst_text(PANEL_WHAT[panel.plot].format(x=panel.x, y=panel.y))}
