#!/usr/bin/env bash
# Copies a finished reproduction's tables and figures into reference/, the published copy that
# git keeps (tables/ and figures/ are the workflow's outputs and are not committed), and writes
# reference/<scale>-provenance.md: the commit, date, machine and software that produced them.
#
#   bash scripts/publish_reference.sh small     # after `bash scripts/reproduce.sh`
#
# Refuses when the workflow still has work to do for the scale (`snakemake -n` must say
# "Nothing to be done"), so that a half-finished run is never published. Then commit
# reference/ by hand.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

if [[ $# -ne 1 || "$1" == -* ]]; then
  echo "usage: bash scripts/publish_reference.sh SCALE   (e.g. small)" >&2
  exit 2
fi
scale="$1"
die() { echo "[publish] ERROR: $*" >&2; exit 1; }

[[ -f "configs/scales/$scale.toml" ]] ||
  die "no scale '$scale' (configs/scales/$scale.toml does not exist)"
[[ -x .venv/bin/snakemake ]] || die ".venv/bin/snakemake not found: run bash scripts/setup.sh"
for d in "tables/$scale" "figures/$scale"; do
  [[ -d "$d" ]] || die "$d/ does not exist: run bash scripts/reproduce.sh --config scale=$scale first"
done

# Finished means the default target of the scale is up to date.
dry="$(mktemp)"
trap 'rm -f "$dry"' EXIT
if ! .venv/bin/snakemake -n --config "scale=$scale" >"$dry" 2>&1; then
  tail -n 20 "$dry" >&2
  die "snakemake -n --config scale=$scale failed (above)"
fi
if ! grep -q "Nothing to be done" "$dry"; then
  awk '/^Job stats:/ {on = 1} on {print} on && /^$/ {exit}' "$dry" >&2
  die "the reproduction of scale $scale is not finished (jobs above still to run):" \
      "run bash scripts/reproduce.sh --config scale=$scale first"
fi

for kind in tables figures; do
  rm -rf "reference/$kind/$scale"
  mkdir -p "reference/$kind"
  cp -r "$kind/$scale" "reference/$kind/$scale"
done

commit="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
if [[ -n "$(git status --porcelain --untracked-files=no -- . ':!reference' 2>/dev/null)" ]]; then
  commit="$commit, with uncommitted changes"
fi
cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
mem_gib="$(awk '/^MemTotal:/ {printf "%.0f", $2 / 1048576}' /proc/meminfo)"
os="$(. /etc/os-release 2>/dev/null && echo "${PRETTY_NAME:-unknown}")"
cat >"reference/$scale-provenance.md" <<EOF
# Reference results, scale \`$scale\`: provenance

Copied by \`bash scripts/publish_reference.sh $scale\` on $(date -u '+%Y-%m-%d %H:%M UTC') from a
finished reproduction (\`snakemake -n --config scale=$scale\`: nothing to be done).

- Commit: $commit
- Machine: $(nproc) cores (${cpu:-unknown CPU}), ${mem_gib} GiB, ${os:-unknown OS}
- Snakemake $(.venv/bin/snakemake --version)

Tables: [tables/$scale/](tables/$scale/); the index of every table and figure:
[figures/$scale/README.md](figures/$scale/README.md).
EOF
echo "[publish] reference/tables/$scale, reference/figures/$scale and reference/$scale-provenance.md written; commit them"
if ! grep -qF "$scale-provenance.md" reference/README.md; then
  echo "[publish] reference/README.md has no row for scale $scale yet: add one"
fi
