"""Geometry of the report's bar charts, drawn on the server as SVG (no script, no library)."""

from app.reports import layout

LABEL_WIDTH = 230
BAR_SPACE = 300
ROW_HEIGHT = 30
BAR_HEIGHT = 11


def section_chart(section):
    """Paired horizontal bars (this month, the month before) for a section's counts, or None.

    Each bar carries its row: the page translates the row's label for its reader.
    """
    counts = [
        row
        for row in section.rows
        if row.kind == layout.COUNT and isinstance(row.value, int) and row.key != "contacts.total"
    ]
    if not counts:
        return None
    top = max(max(row.value, row.previous or 0) for row in counts) or 1
    bars = []
    for index, row in enumerate(counts):
        y = 6 + index * ROW_HEIGHT
        bars.append(
            {
                "row": row,
                "y": y,
                "text_y": y + BAR_HEIGHT,
                "now": row.value,
                "before": row.previous or 0,
                "now_width": round(BAR_SPACE * row.value / top, 1),
                "before_width": round(BAR_SPACE * (row.previous or 0) / top, 1),
            }
        )
    return {
        "width": LABEL_WIDTH + BAR_SPACE + 50,
        "height": 12 + len(bars) * ROW_HEIGHT,
        "label_width": LABEL_WIDTH,
        "bar_height": BAR_HEIGHT,
        "bars": bars,
    }
