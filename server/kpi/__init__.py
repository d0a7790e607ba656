"""KPIs: figures per period and group (``figures``), the periods, the dashboard's SVG."""

from server.kpi.figures import GROUPINGS, KpiRow, figures
from server.kpi.period import Period

__all__ = ["GROUPINGS", "KpiRow", "Period", "figures"]
