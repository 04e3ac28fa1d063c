"""首页: this year's figures up to the last full month for the unit (county) or the whole city
(municipal), against the covering plan's targets or last year, milestones, and a monthly chart.
Every number comes from the plan-figure engine (desktop.storage.figures)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QScrollArea, QVBoxLayout, QWidget

from desktop.core.money import format_money
from desktop.gui.context import AppContext
from desktop.gui.widgets.cards import FigureCard
from desktop.gui.widgets.text_table import TextTable
from desktop.gui.pages.home_data import HomeData, load_home_data
from desktop.storage.figures import FigureRow, Figures, MilestoneResult
from desktop.storage.reference import CITY_CODE

FLOW_CARDS = (("VOLUME", "跨境电商交易额"), ("EXPORT", "出口额"), ("IMPORT", "进口额"))
COUNT_CARDS = (("ENTERPRISES", "跨境电商企业"), ("KNOWN_ENTERPRISES", "知名企业"), ("PARKS", "产业园区"),
               ("BASES", "培训孵化基地"), ("WAREHOUSES", "海外仓"), ("LIVESTREAM_BASES", "直播基地"))
NO_PLAN_NOTE = "本年度无规划目标，与上年同期比较"
PAGE_STYLE = """
#pageHeading { font-size: 15pt; font-weight: bold; }
#sectionTitle { font-size: 12pt; font-weight: bold; margin-top: 6px; }
"""


def plan_note(figs: Figures) -> str:
    """Which yardstick the figures are measured against: the plan's targets, or last year."""
    if figs.plan is None:
        return NO_PLAN_NOTE
    doc = f"（{figs.plan.doc_no}）" if figs.plan.doc_no else ""
    year = figs.period.year
    if any(r.target is not None for r in figs.rows):
        return f"对照规划：{figs.plan.name}{doc}，{year}年度目标"
    return f"规划：{figs.plan.name}{doc}。市级尚未向本单位分解{year}年度目标，与上年同期比较"


def growth_text(growth: Decimal | None) -> str:
    if growth is None:
        return "同比：上年同期无数据"
    return f"同比：{'+' if growth > 0 else ''}{growth}%"


def amount_text(row: FigureRow, value: int | None, money_unit: str) -> str:
    if value is None:
        return "—"
    if row.storage_unit == "元":
        return f"{format_money(value, money_unit)} {money_unit}"
    return f"{value:,} {row.unit}"


def flow_card_lines(row: FigureRow, data: HomeData) -> list[str]:
    period = data.figures.period
    lines = [f"上年同期（{period.year - 1}年{period.ytd_label}）：{amount_text(row, row.ytd_last_year, data.money_unit)}",
             growth_text(row.growth)]
    if row.target is not None:
        lines.append(f"{period.year}年度目标：{amount_text(row, row.target, data.money_unit)}")
        if row.completion is not None:
            lines.append(f"完成：{row.completion}%")
    return lines


def count_card_lines(row: FigureRow) -> list[str]:
    # The enterprise roster has no entry dates, so it has no last-year count: say nothing then.
    lines = [f"上年同期：{row.ytd_last_year:,}"] if row.ytd_last_year is not None else []
    if row.target is not None:
        lines.append(f"目标：{row.target:,}" + (f"，完成 {row.completion}%" if row.completion is not None else ""))
    return lines


def milestone_value(m: MilestoneResult, value: int | None) -> str:
    if value is None:
        return "—"
    if m.display_unit in ("万元", "亿元"):
        return format_money(value, m.display_unit)
    return f"{value:,}"


MILESTONE_HEADERS = ("年份", "指标", "单位", "目标", "实际", "完成%", "状态")
# status badges: green when done or on track, red when missed or behind, grey otherwise
STATUS_TINTS = {"已完成": "#c6ecd2", "按进度": "#c6ecd2", "未完成": "#f9cfd5", "滞后": "#f9cfd5"}
OTHER_TINT = "#e2e8f0"
STATUS_COLUMN = 6


def milestone_cells(m: MilestoneResult) -> tuple[str, ...]:
    return (str(m.year), m.metric_name, m.display_unit, milestone_value(m, m.target), milestone_value(m, m.actual),
            "—" if m.completion is None else f"{m.completion}", m.status)


def milestone_cell_style(row: tuple[str, ...], col: int) -> tuple[str, bool] | None:
    """The status column in bold on a coloured badge (green on track, red behind)."""
    if col != STATUS_COLUMN:
        return None
    return STATUS_TINTS.get(row[col], OTHER_TINT), True


class MilestoneTable(TextTable):
    """The plan's milestone results: a dozen computed lines in one painted table."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(MILESTONE_HEADERS, right_aligned=(3, 4, 5), cell_style=milestone_cell_style, parent=parent)

    def set_results(self, results: list[MilestoneResult]) -> None:
        self.set_rows([milestone_cells(m) for m in results])


class HomePage(QScrollArea):
    page_title = "首页"
    page_roles = {"county", "municipal"}

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.data: HomeData | None = None
        self.today: date | None = None  # None = the real date; tests pin it
        self._generation = 0
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setStyleSheet(PAGE_STYLE)  # one sheet for every card and label on the page
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(10)
        self.heading = QLabel()
        self.heading.setObjectName("pageHeading")
        self.plan_note = QLabel()
        self.plan_note.setWordWrap(True)
        layout.addWidget(self.heading)
        layout.addWidget(self.plan_note)
        layout.addLayout(self._flow_cards())
        layout.addLayout(self._count_cards())
        layout.addWidget(self._section("月度交易额（本年与上年）"))
        from desktop.gui.widgets.volume_chart import VolumeChart

        self.chart = VolumeChart()
        layout.addWidget(self.chart)
        layout.addWidget(self._section("规划阶段目标完成情况"))
        self.milestone_note = QLabel()
        self.milestone_note.setWordWrap(True)
        layout.addWidget(self.milestone_note)
        self.milestones = MilestoneTable()
        layout.addWidget(self.milestones)
        layout.addStretch(1)

    @staticmethod
    def _section(text: str) -> QLabel:
        label = QLabel(text)
        label.setObjectName("sectionTitle")
        return label

    def _flow_cards(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.flow_cards: dict[str, FigureCard] = {}
        for key, title in FLOW_CARDS:
            card = FigureCard(title)
            self.flow_cards[key] = card
            row.addWidget(card, 1)
        return row

    def _count_cards(self) -> QGridLayout:
        grid = QGridLayout()
        self.count_cards: dict[str, FigureCard] = {}
        for i, (key, title) in enumerate(COUNT_CARDS):
            card = FigureCard(title, small=True)
            self.count_cards[key] = card
            grid.addWidget(card, 0, i)
        return grid

    # -- filling ------------------------------------------------------------------------------------
    @property
    def unit(self) -> str | None:
        """Whose figures: the county's own, or None for the whole city."""
        return None if self.ctx.is_municipal else self.ctx.unit_code

    def refresh(self) -> None:
        """First fill at once (the window's first picture shows real figures); later refreshes
        (page shown again, data changed) run in a worker thread so the window never stalls."""
        unit = self.unit
        if self.data is None:
            self.show_data(load_home_data(self.ctx.store, unit, self.today))
            return
        self._generation += 1
        generation, today, ctx = self._generation, self.today, self.ctx

        def work() -> HomeData:
            store = ctx.open_worker_store()
            try:
                return load_home_data(store, unit, today)
            finally:
                store.close()

        def done(data: HomeData) -> None:
            if generation == self._generation:  # a newer refresh supersedes this one
                self.show_data(data)

        ctx.run_in_thread(work, done)

    def before_quit(self) -> None:
        """Make the next start fast: if the data changed since the figures were cached (entries,
        ledgers, imports made in this session), compute and store them now (figure_cache)."""
        load_home_data(self.ctx.store, self.unit, self.today)

    def show_data(self, data: HomeData) -> None:
        self.data = data
        figs = data.figures
        scope = "全市" if figs.unit_code == CITY_CODE else figs.unit_name
        self.heading.setText(f"{scope} {figs.period.year}年{figs.period.ytd_label} 跨境电商主要指标")
        self.plan_note.setText(plan_note(figs))
        for key, card in self.flow_cards.items():
            row = figs.row(key)
            card.set_figures(amount_text(row, row.ytd, data.money_unit), flow_card_lines(row, data))
        for key, card in self.count_cards.items():
            row = figs.row(key)
            card.set_figures(f"{row.value:,} {row.unit}" if row.value is not None else "—", count_card_lines(row))
        self.chart.show_series(data.this_year, data.last_year, data.money_unit, figs.period.year)
        self._show_milestones(figs)

    def _show_milestones(self, figs: Figures) -> None:
        self.milestones.set_results(figs.milestones)
        if figs.milestones:
            plans = dict(self.ctx.store.conn.execute("SELECT code, coalesce(doc_no, name) FROM plan"))
            docs = "、".join(dict.fromkeys(plans.get(m.plan_code, m.plan_code) for m in figs.milestones))
            whose = "全市目标" if figs.unit_code == CITY_CODE else f"{figs.unit_name}分解目标"
            self.milestone_note.setText(f"规划（{docs}）阶段目标，按{whose}计算，截至{figs.period.label}。")
            self.milestones.show()
        else:
            self.milestone_note.setText("市级尚未向本单位分解规划阶段目标，阶段目标完成情况由市综试办汇总。")
            self.milestones.hide()


def create_pages(ctx: AppContext) -> list[QWidget]:
    return [HomePage(ctx)]
