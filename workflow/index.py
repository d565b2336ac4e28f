"""Index of a scale's tables and figures: figures/<scale>/README.md (and a pointer to it in
tables/<scale>/README.md), readable on GitHub and offline.

    python3 workflow/index.py CONFIGS SCALE FIGURES_DIR TABLES_DIR

Lists every declared table and figure of configs/experiments with its caption, the paper's
settings, the scale's settings, relative links to its files, and for the ones that cannot be
built what they wait for. A file is linked only if it exists when the index is written (the
workflow writes the index after every table and figure of the scale). Both files are written to
a temporary name, then renamed.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import registry as registry_lib  # noqa: E402
from tables import write_atomic  # noqa: E402

TABLE_EXTS = ("md", "csv", "tex")
FIGURE_EXTS = ("png", "pdf", "svg", "csv", "gp")
PANEL_WHAT = {"curves": "{y} vs {x}", "bars": "best test accuracy per run (bars)",
              "lines": "{y} vs {x}",
              "hessian": "Hessian {y} vs {x}, mean over seeds",
              "interpolation": "{y} vs {x} on the line between two minima, mean over seed pairs",
              "sharpness": "{y} vs {x} along filter-normalised directions, mean over seeds",
              "suboptimality": "{y} vs {x}, each cell at the LR of its grid that first reaches "
                               "the target (the choices: lines.json beside the series), mean over seeds"}


def _md(text: str) -> str:
    """Text safe inside a Markdown paragraph or table cell."""
    return " ".join(text.split()).replace("|", "\\|").replace("*", "\\*").replace("_", "\\_")


def _links(index_dir: Path, base: Path, exts) -> list:
    """Relative Markdown links to base.<ext> for each ext whose file exists."""
    out = []
    for ext in exts:
        f = base.with_name(f"{base.name}.{ext}")
        if f.is_file():
            out.append(f"[{ext}]({Path(os.path.relpath(f, index_dir)).as_posix()})")
    return out


def build_index(configs, scale, figures_dir, tables_dir) -> str:
    reg = registry_lib.build(configs, scale)
    figures_dir, tables_dir = Path(figures_dir), Path(tables_dir)
    sc = reg.scale
    lines = [f"# Tables and figures, scale `{scale}`", "",
             f"Scale: {_md(sc.description or scale)}; seeds {', '.join(map(str, sc.seeds))}; "
             f"configs/scales/{scale}.toml. Each entry: caption, the paper's settings, links "
             "to the files built here, or what it still waits for. Built by the workflow "
             "(`snakemake --config scale=" + scale + "`); values are mean ± sample std over "
             "seeds.", ""]
    status_links = _links(figures_dir, tables_dir / "status", ("md",))
    if status_links:
        lines += [f"Status of every declaration: {status_links[0]}.", ""]
    claims_links = _links(figures_dir, tables_dir / "claims", ("md", "csv"))
    if claims_links:
        lines += ["The paper's claims tested on these runs (effect, 95 % interval over seeds, "
                  f"verdict): {' · '.join(claims_links)}.", ""]

    for kind, heading in (("table", "Tables"), ("figure", "Figures")):
        lines += [f"## {heading}", ""]
        for exp_id, st in reg.statuses.items():
            e = st.experiment
            if e.kind != kind:
                continue
            lines += [f"### {exp_id}", "", f"{_md(e.caption)}", ""]
            if e.paper:
                lines += [f"- Paper: {_md(e.paper)}"]
            if st.state == "not-at-scale":
                lines += [f"- Not at this scale (configs/scales/{scale}.toml, `experiments`).", ""]
                continue
            if e.benchmark:
                lines.append(f"- Measured here, no training: localsgd-microbench "
                             f"{e.benchmark.command} ({st.ready_count()})")
            else:
                lines.append(f"- Runs here: {len(st.variants())} x {len(sc.seeds)} seeds")
            commands = [registry_lib.ANALYSIS_COMMANDS[a] for a in e.analyses
                        if a in registry_lib.ANALYSIS_COMMANDS]
            if commands and sc.analysis is not None:
                settings = "; ".join(f"`localsgd-analyze {c} {' '.join(sc.analysis.arguments(c))}`"
                                     for c in commands)
                lines.append(f"- Analyses of the saved models (configs/scales/{scale}.toml "
                             f"[analysis]): {settings}")
            if st.missing:
                what = "partly built; " if st.state == "partial" else ""
                lines.append(f"- {what}Waiting for: {_md(', '.join(st.missing))}")
            if kind == "table":
                links = _links(figures_dir, tables_dir / exp_id, TABLE_EXTS)
                if st.state in ("ready", "partial"):
                    lines.append(f"- Files: {' · '.join(links) if links else 'not built yet'}")
                lines.append("")
                continue
            built = set(reg.figures())
            for p in e.panels:
                target = exp_id + p.suffix
                what = PANEL_WHAT[p.plot].format(x=p.x, y=p.y)
                title = _md(p.title or target)
                png = figures_dir / f"{target}.png"
                links = _links(figures_dir, figures_dir / target, FIGURE_EXTS)
                if target in built and links:
                    lines.append(f"- **{target}**: {title} ({_md(what)}) — {' · '.join(links)}")
                    if png.is_file():
                        lines += ["", f"  ![{title}]({png.name})", ""]
                elif target in built:
                    lines.append(f"- **{target}**: {title} ({_md(what)}) — not built yet")
                else:
                    why = ", ".join(st.missing) or "its runs"
                    lines.append(f"- **{target}**: {title} ({_md(what)}) — waiting for: "
                                 f"{_md(why)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 4:
        print(__doc__, file=sys.stderr)
        return 2
    configs, scale, figures_dir, tables_dir = argv
    try:
        text = build_index(configs, scale, figures_dir, tables_dir)
    except registry_lib.RegistryError as e:
        print(f"index.py: error: {e}", file=sys.stderr)
        return 1
    figures_dir, tables_dir = Path(figures_dir), Path(tables_dir)
    figures_dir.mkdir(parents=True, exist_ok=True)
    tables_dir.mkdir(parents=True, exist_ok=True)
    write_atomic(figures_dir / "README.md", text)
    rel = Path(os.path.relpath(figures_dir / "README.md", tables_dir)).as_posix()
    write_atomic(tables_dir / "README.md",
                 f"# Tables, scale `{scale}`\n\nThe index of every table and figure of this "
                 f"scale, with captions, settings and links: [{rel}]({rel}).\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
