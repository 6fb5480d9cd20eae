"""The scoreboard's building blocks: a table of numbers, the chart drawn from it, and a section.

Every chart is drawn from a table the page can also show and export, so the numbers behind a
chart are always one click (or one CSV/Excel download) away.
"""

from dataclasses import dataclass, field


@dataclass
class Chart:
    """A plotly figure built from a table: ``kind`` "line" or "bar"; ``x`` and ``series`` are
    column indexes; ``target`` draws a horizontal line (e.g. the 80 % sign-up target)."""

    kind: str
    x: int
    series: list[int]
    y_title: str = ""
    target: float | None = None
    target_label: str = ""
    group_by: int | None = None  # a column whose values become one line each (long tables)
    colors: dict[int, str] = field(default_factory=dict)  # a fixed colour per series column


@dataclass
class Table:
    key: str
    title: str
    header: list[str]
    rows: list[list] = field(default_factory=list)
    chart: Chart | None = None
    note: str = ""
    available: bool = True
    links: list[str] = field(default_factory=list)  # one URL (or "") per row

    def linked_rows(self) -> list[tuple[str, list]]:
        """(link or "", row) pairs: the first cell of a row links to its page when there is one."""
        links = self.links + [""] * (len(self.rows) - len(self.links))
        return list(zip(links, self.rows, strict=True))

    def figure(self) -> dict | None:
        """The plotly figure (data and layout) of the chart, or None without chart or rows."""
        if self.chart is None or not self.rows:
            return None
        chart = self.chart
        traces = []
        if chart.group_by is not None:
            groups: dict = {}
            for row in self.rows:
                groups.setdefault(row[chart.group_by], []).append(row)
            for name, rows in groups.items():
                for column in chart.series:
                    traces.append(
                        _trace(chart.kind, str(name), [r[chart.x] for r in rows], [r[column] for r in rows])
                    )
        else:
            for column in chart.series:
                trace = _trace(
                    chart.kind,
                    self.header[column],
                    [r[chart.x] for r in self.rows],
                    [r[column] for r in self.rows],
                )
                if column in chart.colors:
                    trace["marker"] = {"color": chart.colors[column]}
                traces.append(trace)
        layout = {
            "margin": {"t": 10, "r": 10, "l": 50, "b": 40},
            "legend": {"orientation": "h"},
            "yaxis": {"title": {"text": chart.y_title}, "rangemode": "tozero"},
            "xaxis": {"type": "category", "nticks": 8, "automargin": True},
            "barmode": "group",
        }
        if chart.target is not None:
            xs = [r[chart.x] for r in self.rows]
            traces.append(
                {
                    "type": "scatter",
                    "mode": "lines",
                    "name": chart.target_label,
                    "x": [min(xs), max(xs)],
                    "y": [chart.target, chart.target],
                    "line": {"dash": "dash", "color": "#c0392b"},
                }
            )
        return {"data": traces, "layout": layout}


def _trace(kind: str, name: str, xs: list, ys: list) -> dict:
    if kind == "bar":
        return {"type": "bar", "name": name, "x": xs, "y": ys}
    return {"type": "scatter", "mode": "lines+markers", "name": name, "x": xs, "y": ys}


@dataclass
class Section:
    key: str
    title: str
    tiles: list[tuple[str, str]] = field(default_factory=list)  # (value, label)
    tables: list[Table] = field(default_factory=list)
    available: bool = True
