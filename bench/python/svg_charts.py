"""svg_charts.py -- side-by-side bar charts as SVG, standard library only.

One chart is a list of Bars rows: for each row, CPython's bar above ours, the two
values printed at the bars' ends, and at the right how ours compares ("3.1x higher")
with the target's verdict.  The scale of a row is either its own (each row's longer
bar spans the width: rows of different units side by side) or one logarithmic axis
shared by every row, with dashed lines for reference values (the memory bandwidth and
fresh shared memory beside the queue's MB/s).  A row may carry a limit of this machine
(section "limits"), drawn as a dashed orange tick across its two bars.  side_by_side.py --charts DIR draws bench/run's charts
with it.
"""
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

WIDTH = 1200
LABEL_W = 430          # the row's label, wrapped
BAR_X = LABEL_W + 20
BAR_W = 380            # room after it for the value (about 200 px) and the comparison (150)
ROW_H = 54
BAR_H = 16
TOP = 84
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
THEIRS_COLOUR = "#9e9e9e"
OURS_COLOURS = {True: "#2e7d32", False: "#c62828", None: "#1565c0"}


@dataclass
class Bars:
    label: str            # what the row measures, with its unit
    theirs: float         # CPython's figure (None: not measured)
    theirs_label: str     # "CPython fork", ...
    ours: float           # ours (None: not measured)
    comparison: str       # "3.1× higher"
    verdict: bool = None  # the target met (True), missed (False), none (None)
    fmt: callable = None  # number format
    limit: float = None   # the limit on this machine, in the row's unit (None: none shown)


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return lines + [line] if line else lines


def _text(x, y, s, size=12, anchor="start", weight="normal", colour="#222"):
    return (f"<text x='{x:.1f}' y='{y:.1f}' {FONT} font-size='{size}' text-anchor='{anchor}' "
            f"font-weight='{weight}' fill='{colour}'>{escape(s)}</text>")


LIMIT_COLOUR = "#ef6c00"


def chart(path, title, subtitle, rows, log_axis=False, references=()):
    """Writes the chart to path.  references: [(label, value)] drawn on a shared log axis."""
    references = [r for r in references if r[1]]
    height = TOP + ROW_H * len(rows) + (28 + 18 * len(references) if log_axis else 20)
    out = [f"<svg xmlns='http://www.w3.org/2000/svg' width='{WIDTH}' height='{height}' "
           f"viewBox='0 0 {WIDTH} {height}'>",
           f"<rect width='{WIDTH}' height='{height}' fill='white'/>",
           _text(16, 26, title, 17, weight="bold"),
           _text(16, 46, subtitle, 11, colour="#555"),
           f"<rect x='16' y='56' width='12' height='10' fill='{THEIRS_COLOUR}'/>",
           _text(32, 65, "CPython", 11),
           f"<rect x='96' y='56' width='12' height='10' fill='{OURS_COLOURS[None]}'/>",
           _text(112, 65, "multiprocessing4j (green: its target met, red: missed, blue: no target)", 11)]
    values = [v for r in rows for v in (r.theirs, r.ours) if v] + [v for _, v in references]
    lo = math.floor(math.log10(min(values))) if values and log_axis else 0
    hi = math.ceil(math.log10(max(values))) if values and log_axis else 1
    hi = max(hi, lo + 1)

    def length(value, row_max):
        if not value:
            return 0
        if log_axis:
            return BAR_W * (math.log10(value) - lo) / (hi - lo)
        return BAR_W * value / row_max

    bottom = TOP + ROW_H * len(rows)
    # stripes, then the axis's grid, then bars and text over both
    out += [f"<rect x='8' y='{TOP + i * ROW_H - 4}' width='{WIDTH - 16}' height='{ROW_H}' fill='#f5f5f5'/>"
            for i in range(0, len(rows), 2)]
    if log_axis:
        for e in range(lo, hi + 1):
            x = BAR_X + BAR_W * (e - lo) / (hi - lo)
            out.append(f"<line x1='{x:.1f}' y1='{TOP - 6}' x2='{x:.1f}' y2='{bottom}' stroke='#ccc' "
                       "stroke-width='0.7'/>")
            out.append(_text(x, bottom + 16, f"{10 ** e:,g}", 10, anchor="middle", colour="#555"))
    for i, r in enumerate(rows):
        y = TOP + i * ROW_H
        fmt = r.fmt or (lambda v: f"{v:,.3g}")
        for j, line in enumerate(_wrap(r.label, 68)[:3]):
            out.append(_text(16, y + 12 + 14 * j, line, 11.5))
        row_max = max([v for v in (r.theirs, r.ours, r.limit) if v] or [1])
        for k, (value, colour, name) in enumerate(((r.theirs, THEIRS_COLOUR, r.theirs_label),
                                                   (r.ours, OURS_COLOURS[r.verdict], "ours"))):
            by = y + 2 + k * (BAR_H + 6)
            w = length(value, row_max)
            out.append(f"<rect x='{BAR_X}' y='{by}' width='{max(w, 1):.1f}' height='{BAR_H}' fill='{colour}'/>")
            shown = "not measured" if value is None else fmt(value)
            out.append(_text(BAR_X + w + 5, by + 12.5, f"{name}: {shown}", 11))
        if r.limit:
            x = BAR_X + length(r.limit, row_max)
            out.append(f"<line x1='{x:.1f}' y1='{y - 2}' x2='{x:.1f}' y2='{y + 2 * BAR_H + 10}' "
                       f"stroke='{LIMIT_COLOUR}' stroke-width='2' stroke-dasharray='4,3'/>")
            out.append(_text(x + 3, y + 2 * BAR_H + 19, f"limit here: {fmt(r.limit)}", 10, colour=LIMIT_COLOUR))
        mark = {True: " ✓", False: " ✗", None: ""}[r.verdict]
        out.append(_text(WIDTH - 16, y + 22, r.comparison + mark, 12, anchor="end", weight="bold",
                         colour=OURS_COLOURS[r.verdict]))
    if log_axis:
        for k, (label, value) in enumerate(references):
            x = BAR_X + length(value, None)
            out.append(f"<line x1='{x:.1f}' y1='{TOP - 10}' x2='{x:.1f}' y2='{bottom}' stroke='{LIMIT_COLOUR}' "
                       "stroke-width='2' stroke-dasharray='6,4'/>")
            out.append(_text(x - 4, bottom + 34 + 18 * k, f"{label}: {value:,.0f}", 11, anchor="end",
                             colour=LIMIT_COLOUR, weight="bold"))
    out.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
