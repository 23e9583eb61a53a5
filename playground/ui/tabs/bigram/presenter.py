"""Models and frames -> what the Bigram tab's widgets show.

Pure functions write the numbers and sentences (testable without a window); the
presenter classes put them on the panels: the table views, the sampling animation
(a GUI-thread timer: it only draws) and the neural net's frames.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

from playground.core import bigram as bg
from playground.ui.style import OKABE_ITO, REFERENCE_COLOR, TRAIN_COLOR
from playground.ui.tabs.bigram.files import Words
from playground.ui.tabs.bigram.job import Sampled
from playground.ui.tabs.bigram.panels import (
    MODE_HELP,
    NeuralPanel,
    RowPanel,
    SamplePanel,
    ScorePanel,
    TablePanel,
    TopBar,
)
from playground.ui.widgets.heatmap import BigramHeatmap
from playground.ui.worker import Frame

MAX_LISTED = 300
RED = "#b00"


def fmt_nll(x: float) -> str:
    """4 decimals, or "∞ (infinite)"."""
    return "∞ (infinite)" if math.isinf(x) else f"{x:.4f}"


def nll_text(nll: float) -> str:
    """The top bar's NLL."""
    return "NLL = ∞: some bigram has P = 0" if math.isinf(nll) else f"NLL = {fmt_nll(nll)}"


def table_view(m: bg.BigramModel, mode: str) -> tuple[np.ndarray, list[str], tuple[float, float]]:
    """(values, each cell's second line, colour levels) of the heatmap in ``mode``."""
    if mode == "counts":
        values = (m.counts + m.smoothing).astype(np.float64)
        bottom = [f"{v:.0f}" for v in values.ravel()]
        return values, bottom, (0.0, float(values.max()))
    if mode == "probs":
        values = m.probs.astype(np.float64)
        bottom = [("0" if v == 0 else f"{v:.3f}".lstrip("0")) for v in values.ravel()]
        return values, bottom, (0.0, float(values.max()))
    values = m.log_probs.astype(np.float64)
    finite = values[np.isfinite(values)]
    bottom = [("-inf" if v == -np.inf else f"{v:.1f}") for v in values.ravel()]
    return values, bottom, (float(finite.min()) if finite.size else -10.0, 0.0)


def cell_text(m: bg.BigramModel, row: int, col: int) -> str:
    """The hover readout of one cell."""
    a, b = m.itos[row], m.itos[col]
    n, p, k = int(m.counts[row, col]), float(m.probs[row, col]), m.smoothing
    lp = "−∞" if p == 0 else f"{math.log(p):.3f}"
    return (
        f"<b>'{a}{b}'</b>: '{b}' follows '{a}' {n:,} times"
        + (f" (+{k:g} fake)" if k else "")
        + f"; P({b} | {a}) = {p:.4f}, log P = {lp}"
    )


def pair_words(m: bg.BigramModel, words: list[str], row: int, col: int) -> tuple[str, list[str]]:
    """(sentence, distinct words) for the words that hold the bigram (row, col)."""
    pair = m.itos[row] + m.itos[col]
    hits = [w for w in words if pair in f".{w}."]
    unique = list(dict.fromkeys(hits))
    if pair == "..":
        describe = "are empty"
    elif pair[0] == ".":
        describe = f"start with '{pair[1]}'"
    else:
        describe = f"end with '{pair[0]}'" if pair[1] == "." else f"contain '{pair}'"
    text = (
        f"<b>{len(hits):,}</b> words {describe} (the bigram <b>'{pair}'</b> occurs "
        f"{int(m.counts[row, col]):,} times)"
        + (f"; the first {MAX_LISTED} distinct:" if len(unique) > MAX_LISTED else ":")
    )
    return text, unique[:MAX_LISTED]


def score_summary(s: bg.WordScore, known: bool, source: str, data_nll: float) -> str:
    """What the score box says under a scored name."""
    zero = [pair for pair, p in zip(s.bigrams, s.probs, strict=True) if p == 0]
    is_in = "is" if known else "is not"
    if zero:
        return (
            f"<span style='color:{RED}'><b>log-likelihood = −∞, NLL = ∞</b></span>: "
            f"{', '.join(repr(z) for z in zero)} never occurs in {source} and the "
            f"smoothing is k = 0, so its probability is 0 and the whole name is impossible. "
            f"Move the smoothing slider above 0. ('{s.word}' {is_in} in the data.)"
        )
    return (
        f"log-likelihood = <b>{s.log_likelihood:.4f}</b> over {len(s.bigrams)} "
        f"bigrams; mean NLL = <b>{s.nll:.4f}</b> (the data's average: "
        f"{fmt_nll(data_nll)}). '{s.word}' {is_in} in {source}."
    )


def _item(text: str, right: bool = False, color: str | None = None) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    if right:
        item.setTextAlignment(Qt.AlignRight | Qt.AlignVCenter)
    if color:
        item.setForeground(pg.mkColor(color))
    return item


# ---------------------------------------------------------------- views
def show_row(panel: RowPanel, heatmap: BigramHeatmap, m: bg.BigramModel, row: int, col: int):
    """The bars of row ``row`` (cell ``col`` in another colour) and the highlight."""
    V = m.vocab_size
    p = m.probs[row].astype(np.float64)
    brushes = [pg.mkBrush(TRAIN_COLOR)] * V
    if col >= 0:
        brushes[col] = pg.mkBrush(OKABE_ITO[5])
    panel.row_bars.setOpts(x=np.arange(V), height=p, width=0.8, brushes=brushes)
    panel.row_plot.setXRange(-0.6, V - 0.4, padding=0)
    panel.row_plot.setYRange(0, max(float(p.max()) * 1.1, 1e-3), padding=0)
    a = m.itos[row]
    where = "a word starts" if a == "." else f"'{a}'"
    panel.row_plot.setTitle(f"after {where}, the next character is…", color="#222")
    heatmap.highlight(row=row, cell=(row, col) if col >= 0 else None)


def show_score(panel: ScorePanel, m: bg.BigramModel, known: set, source: str, nll: float):
    """Score the typed name bigram by bigram."""
    word = panel.score_edit.text().strip().lower()
    t = panel.score_table
    t.setRowCount(0)
    if not word:
        panel.score_summary.setText("")
        return
    try:
        s = m.score(word)
    except ValueError as exc:
        panel.score_summary.setText(f"<span style='color:{RED}'>{exc}</span>")
        return
    t.setRowCount(len(s.bigrams))
    for r, (pair, p) in enumerate(zip(s.bigrams, s.probs, strict=True)):
        color = RED if p == 0 else None
        t.setItem(r, 0, _item(pair))
        t.setItem(r, 1, _item(f"{p:.4f}", True, color))
        t.setItem(r, 2, _item("−∞" if p == 0 else f"{math.log(p):.4f}", True, color))
    panel.score_summary.setText(score_summary(s, word in known, source, nll))


class TablePresenter:
    """The words and the settings -> the heatmap, the NLL, a row's bars, the pairs, the score.

    ``model`` is the counting model the screen shows (the words' counts with the current
    smoothing), ``nll`` its mean NLL on the words.
    """

    def __init__(self, bar: TopBar, table: TablePanel, row: RowPanel, score: ScorePanel):
        self.bar, self.table, self.row, self.score = bar, table, row, score
        self.data: Words | None = None
        self.model: bg.BigramModel | None = None
        self.nll = math.nan
        self.selected: tuple[int, int] = (-1, -1)
        self._top: list[str] = []  # each cell's first line: its bigram

    def show_words(self, words: Words, smoothing: int, mode: str) -> None:
        """New words: every view starts over."""
        self.data = words
        self.bar.source_label.setText(words.describe())
        self.selected = (-1, -1)
        self.row.pair_list.clear()
        self.row.pair_label.setText("Click a cell to see the words with that bigram.")
        itos = words.base.itos
        self.row.row_plot.getAxis("bottom").setTicks([[(i, s) for i, s in enumerate(itos)]])
        self._top = [a + c for a in itos for c in itos]
        self.smooth(smoothing, mode)
        self.select(0, -1)
        if not self.score.score_edit.text():
            first = "andrej" if "andrej" in words.word_set else words.words[0]
            self.score.score_edit.setText(first)

    def smooth(self, k: int, mode: str) -> None:
        """Smoothing ``k``: a new table, NLL, heatmap, row and score."""
        if self.data is None:
            return
        self.model = self.data.base.with_smoothing(k)
        self.nll = self.model.nll_of(self.data.seq)
        self.bar.nll_label.setText(nll_text(self.nll))
        self.bar.nll_label.setStyleSheet(f"color: {RED};" if math.isinf(self.nll) else "")
        self.show_mode(mode)
        if self.selected[0] >= 0:
            self.select(*self.selected)
        self.show_score()

    def show_mode(self, mode: str) -> None:
        """The heatmap as counts, probabilities or log-probabilities."""
        self.table.mode_help.setText(MODE_HELP[mode])
        if self.model is not None:
            values, bottom, levels = table_view(self.model, mode)
            self.table.heatmap.set_data(values, self.model.itos, levels, self._top, bottom)

    def hover(self, row: int, col: int) -> str:
        """The readout of the cell under the mouse ("" off the grid)."""
        if self.model is None or row < 0:
            return ""
        text = cell_text(self.model, row, col)
        self.table.hover_label.setText(text)
        return text

    def select(self, row: int, col: int) -> None:
        """Row ``row``'s bars; with a cell (``col`` >= 0), the words holding its bigram."""
        if self.model is None:
            return
        self.selected = (row, col)
        show_row(self.row, self.table.heatmap, self.model, row, col)
        if col >= 0:
            text, words = pair_words(self.model, self.data.words, row, col)
            self.row.pair_label.setText(text)
            self.row.pair_list.clear()
            self.row.pair_list.addItems(words)

    def show_selection(self) -> None:
        """Outline the selected row and cell again (after the sampling path)."""
        r, c = self.selected
        self.table.heatmap.highlight(
            row=r if r >= 0 else None, cell=self.selected if c >= 0 else None
        )

    def show_score(self) -> None:
        """Score the name in the score box."""
        if self.model is not None:
            d = self.data
            show_score(self.score, self.model, d.word_set, d.name, self.nll)


class SamplingPresenter(QObject):
    """Plays sampled names on the heatmap, one character per timer tick (GUI thread:
    it only draws; the names were drawn in the background)."""

    def __init__(self, panel: SamplePanel, heatmap: BigramHeatmap, on_done: Callable[[], None]):
        super().__init__(panel)
        self.panel, self.heatmap, self._on_done = panel, heatmap, on_done
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        self._s: Sampled | None = None
        self._i = self._pos = 0
        self._words: frozenset[str] = frozenset()
        self.last: Sampled | None = None  # the names shown last
        self.real = 0  # how many of them are in the data

    def running(self) -> bool:
        """True while names are still being played."""
        return self._s is not None

    def set_speed(self, chars_per_s: int) -> None:
        self.timer.setInterval(int(1000 / max(chars_per_s, 1)))

    def play(self, s: Sampled, words: frozenset[str], instant: bool, speed: int) -> None:
        """Show ``s``: at once if ``instant``, else animated at ``speed`` characters/s."""
        self.panel.sample_table.setRowCount(0)
        self.panel.uniform_table.setRowCount(0)
        self._s, self._i, self._pos, self._words = s, 0, 0, words
        if instant or not len(s):
            self.finish()
            return
        self.panel.sample_button.setText("Stop")
        self.set_speed(speed)
        self.timer.start()

    def finish(self) -> None:
        """List every name still to come and stop."""
        self.timer.stop()
        while self._s is not None:
            self._finish_name()

    def tick(self) -> None:
        s = self._s
        if s is None:
            self.timer.stop()
            return
        m = s.uniform  # the table's alphabet: decoding needs only itos
        path, pos = s.paths[self._i], self._pos
        prev = 0 if pos == 0 else path[pos - 1]
        nxt = path[pos]
        self.heatmap.highlight(row=prev, cell=(prev, nxt), next_row=nxt if nxt else None)
        self.panel.current_label.setText(m.decode(path[: pos + 1]) + ("." if nxt == 0 else "▌"))
        here, drawn = m.itos[prev], m.itos[nxt]
        self.panel.draw_label.setText(
            f"row '{here}' → drew '{drawn}' with P = {s.P[prev, nxt]:.3f}"
            + (" (end of the name)" if nxt == 0 else f"; next: row '{drawn}'")
        )
        self._pos = pos + 1
        if self._pos >= len(path):
            self._finish_name()

    def _finish_name(self) -> None:
        s, i = self._s, self._i
        cut = s.paths[i][-1] != 0
        _add_row(self.panel.sample_table, s.names[i], cut, s.nlls[i], s.names[i] in self._words)
        ucut = s.upaths[i][-1] != 0
        _add_row(self.panel.uniform_table, s.unames[i], ucut, s.unlls[i], None)
        self._i, self._pos = i + 1, 0
        if self._i >= len(s):
            self.timer.stop()
            self.last, self.real = s, sum(n in self._words for n in s.names)
            self._s = None
            self.panel.sample_button.setText("Sample")
            self.panel.current_label.setText(s.names[-1] + ".")
            self._on_done()

    def clear(self) -> None:
        """Stop and forget (new data)."""
        self.timer.stop()
        self._s = None
        self.panel.sample_button.setText("Sample")
        self.panel.sample_table.setRowCount(0)
        self.panel.uniform_table.setRowCount(0)
        self.panel.sample_summary.setText("")


def _add_row(t: QTableWidget, name: str, cut: bool, nll: float, real: bool | None) -> None:
    r = t.rowCount()
    t.insertRow(r)
    t.setItem(r, 0, QTableWidgetItem((name or "(empty)") + ("…" if cut else "")))
    item = _item("cut" if cut else fmt_nll(nll), right=True)
    if cut:
        item.setToolTip("Stopped at the length limit before '.' came out: no NLL.")
    t.setItem(r, 1, item)
    if real is not None:
        t.setItem(r, 2, _item("yes" if real else "new", color=OKABE_ITO[2] if real else None))
    t.scrollToBottom()


def sample_summary(s: Sampled, real: int, source: str, data_nll: float) -> str:
    """The sentence under the two tables of sampled names."""
    n = len(s)
    mean_len = np.mean([len(x) for x in s.names]) if n else 0
    ulen = np.mean([len(x) for x in s.unames]) if n else 0
    V = s.uniform.vocab_size
    return (
        f"{real} of {n} sampled names occur in {source}; mean length "
        f"{mean_len:.1f} (uniform: {ulen:.1f}). On the data the table scores NLL "
        f"{fmt_nll(data_nll)}; the uniform model log {V} = {math.log(V):.4f}."
    )


class NeuralPresenter:
    """Frames of the neural net -> its loss curve, softmax(W) map and comparison line."""

    def __init__(self, panel: NeuralPanel):
        self.panel = panel
        self.probs: np.ndarray | None = None  # the latest softmax(W)
        self.loss = math.nan
        self.levels = (0.0, 1.0)

    def show_frame(
        self,
        frame: Frame,
        itos: list[str],
        counting: bg.BigramModel,
        nll: float,
        due: Callable[[str, str, Frame], bool],
    ) -> None:
        """Append the frame's losses; redraw softmax(W) and the comparison when ``due``
        (the session's pacing) says so."""
        if frame.history:
            steps = [s for s, _ in frame.history]
            losses = [m["loss"] for _, m in frame.history]
            self.panel.loss_plot.append("neural net", steps, losses)
        self.loss = frame.metrics.get("loss", math.nan)
        probs = frame.detail.get("probs")
        fits = probs is not None and probs.shape[0] == len(itos) and np.isfinite(probs).all()
        if fits and due("neural map", "slow", frame):
            self.probs = probs
            self.panel.neural_map.set_data(probs, itos, self.levels)
            self.show_stats(counting, nll)

    def show_counting(self, m: bg.BigramModel, nll: float) -> None:
        """The counting model (new smoothing or new words): P map, reference line, stats."""
        self.levels = (0.0, float(m.probs.max()))
        self.panel.p_map.set_data(m.probs, m.itos, self.levels)
        if self.probs is not None and self.probs.shape[0] == m.vocab_size:
            self.panel.neural_map.set_data(self.probs, m.itos, self.levels)
        self.panel.loss_plot.set_reference(
            "counting model", nll if math.isfinite(nll) else None, REFERENCE_COLOR
        )
        self.show_stats(m, nll)

    def show_stats(self, m: bg.BigramModel, nll: float) -> None:
        if self.probs is None or self.probs.shape != m.probs.shape:
            return
        gap = float(np.abs(self.probs - m.probs).max())
        self.panel.neural_label.setText(
            f"loss {self.loss:.4f} vs counting {fmt_nll(nll)} (k = {m.smoothing:g}); "
            f"largest |softmax(W) − P| = {gap:.3f}"
        )

    def clear(self, itos: list[str] | None, text: str) -> None:
        """No net: empty curve and map, ``text`` below."""
        self.probs, self.loss = None, math.nan
        self.panel.loss_plot.clear_curves()
        if itos:
            V = len(itos)
            self.panel.neural_map.set_data(np.zeros((V, V)), itos, self.levels)
        self.panel.neural_label.setText(text)
        self.panel.run_controls.clear()
