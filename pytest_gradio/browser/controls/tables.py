"""Tables: Dataframe (cells, edit, select, search) and Examples (`Dataset`)."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from .base import RETRY_MS, Component, ComponentNotFoundError, Valued

if TYPE_CHECKING:
    from playwright.sync_api import Locator


class Dataframe(Valued):
    kind = "dataframe"

    def headers(self) -> list[str]:
        cells = self.locator.locator("thead th .header-content")
        return [str(cells.nth(i).inner_text()).strip() for i in range(cells.count())]

    def value(self) -> list[list[str]]:
        """The rows shown, as text (a virtualised table shows the rows in view)."""
        # Gradio 6 draws rows as grid rows; older tables as <tr> (the sizing body of
        # Gradio 6's header table is a hidden copy, not data).
        rows = self.locator.locator("[role=row].virtual-row")
        cell = "[role=gridcell]"
        if not rows.count():
            # Gradio 5: the data rows are in tbody.tbody (another tbody sizes columns).
            rows, cell = self.locator.locator("tbody.tbody tr"), "td"
        if not rows.count():
            rows, cell = self.locator.locator("tbody:not(.sizing-body) tr"), "td"
        found = []
        for i in range(rows.count()):
            cells = rows.nth(i).locator(cell)
            found.append([str(cells.nth(j).inner_text()).strip() for j in range(cells.count())])
        return found

    def _cell(self, row: int, col: int) -> Locator:
        """The cell's element (of the rows in view)."""
        testid = self.locator.get_by_test_id(f"cell-{row}-{col}")
        if testid.count():
            return testid.first  # gradio 6
        rows = self.locator.locator("[role=row].virtual-row")
        if rows.count():
            return rows.nth(row).locator("[role=gridcell]").nth(col)
        rows = self.locator.locator("tbody.tbody tr")
        if not rows.count():
            rows = self.locator.locator("tbody:not(.sizing-body) tr")
        return rows.nth(row).locator("td").nth(col)

    def cell(self, row: int, col: int, *, timeout: float | None = None) -> str:
        """The text of a cell, by row and column (0-based, of the rows in view)."""
        text = str(self._cell(row, col).inner_text(timeout=self._bound_ms(timeout)))
        return re.sub(r"\s*⋮\s*$", "", text).strip()  # a selected cell's menu button

    def expect_cell(
        self, row: int, col: int, expected: Any, *, timeout: float | None = None
    ) -> None:
        """Until the cell's text matches `expected` (matchers allowed)."""
        __tracebackhide__ = True
        self._retry(
            f"cell ({row}, {col})", lambda: self.cell(row, col, timeout=0.5), expected, timeout
        )

    def select_cell(self, row: int, col: int) -> None:
        """Click a cell: the dataframe's `.select` event."""
        self._cell(row, col).click(timeout=self._timeout_ms)

    def set_cell(self, row: int, col: int, value: Any) -> None:
        """Type `value` in a cell (an interactive dataframe) and press Enter: its
        `.change` and `.input` events."""
        cell = self._cell(row, col)
        cell.dblclick(timeout=self._timeout_ms)
        field = cell.locator("textarea, input").first
        field.fill(str(value), timeout=self._timeout_ms)
        field.press("Enter", timeout=self._timeout_ms)

    def search(self, text: str) -> None:
        """Type in the dataframe's search box (`show_search="search"`): the rows in
        view are those that match."""
        box = self.locator.get_by_placeholder(re.compile("search", re.I)).first
        try:
            box.fill(text, timeout=self._timeout_ms)
        except Exception:
            raise ComponentNotFoundError(
                f"{self!r} shows no search box: give the Dataframe show_search='search'."
            ) from None


class Dataset(Component):
    """A `gr.Examples` table (a `gr.Dataset`): `rows()` (each sample's texts, the
    page shown), `click_row(n)`, `expect_rows(...)`, `expect_count(n)`."""

    kind = "dataset"

    def _rows(self) -> Locator:
        # A table for several inputs; a gallery of buttons for one.
        return self.locator.locator("tr.tr-body, button.gallery-item")

    def rows(self) -> list[list[str]]:
        return [
            [" ".join(str(cell).split()) for cell in row]
            for row in self._rows().evaluate_all(
                "rows => rows.map(r => r.tagName === 'TR' ? "
                "[...r.querySelectorAll('td')].map(td => td.innerText) : [r.innerText])"
            )
        ]

    def click_row(self, index: int) -> None:
        """Click sample `index` (0-based, on the page shown): its values go to the
        inputs. A sample not shown yet (an event that adds it may still run) is waited
        for, bounded by the job timeout."""
        rows = self._rows()
        bound = self.gradio_page.timeout
        deadline = time.monotonic() + bound
        rows.first.wait_for(state="attached", timeout=self._timeout_ms)
        while index >= rows.count():
            if time.monotonic() >= deadline:
                raise ComponentNotFoundError(
                    f"{self!r} shows {rows.count()} samples within {bound:.0f} s; "
                    f"index={index} asked."
                )
            self.gradio_page.page.wait_for_timeout(RETRY_MS)
        rows.nth(index).click(timeout=self._timeout_ms)

    def expect_rows(self, expected: Any, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("rows", self.rows, expected, timeout)

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("number of samples", lambda: len(self.rows()), count, timeout)
