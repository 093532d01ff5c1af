"""Files and media: uploads, File, Image, Audio, Video, Gallery (download,
clear, select, preview)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .base import Component

if TYPE_CHECKING:
    from playwright.sync_api import Locator


class Upload(Component):
    """Image, File, Audio, Video, Gallery input: `upload(path)`."""

    def upload(self, *paths: str | Path) -> None:
        files = [str(Path(p)) for p in paths]
        self.locator.locator("input[type=file]").first.set_input_files(
            files, timeout=self._timeout_ms
        )


class File(Upload):
    kind = "file"

    def files(self) -> list[dict[str, str]]:
        """The files shown: name and download URL of each."""
        links = self.locator.locator("a[download], a[href*='file=']")
        found = []
        for i in range(links.count()):
            link = links.nth(i)
            found.append(
                {
                    "name": str(link.get_attribute("download") or link.inner_text()).strip(),
                    "url": str(link.get_attribute("href") or ""),
                }
            )
        return found

    def download(self, index: int = 0) -> Any:
        """Click file `index`'s link: the Playwright `Download` (`suggested_filename`)."""
        links = self.locator.locator("a[download], a[href*='file=']")
        return _download(self, links.nth(index))

    def remove(self, index: int = 0) -> None:
        """Remove file `index` (its remove button): the `.delete` event."""
        buttons = self.locator.get_by_label(re.compile(r"^Remove this file$", re.I))
        buttons.nth(index).click(timeout=self._timeout_ms)

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        """Until the component shows `count` files."""
        __tracebackhide__ = True
        self._retry("number of files", lambda: len(self.files()), count, timeout)

    def expect_file(
        self,
        *,
        name: str | None = None,
        content: bytes | str | None = None,
        timeout: float | None = None,
    ) -> None:
        """Until the component shows a file with this name (and content, downloaded)."""
        __tracebackhide__ = True
        page = self.gradio_page.page

        def read() -> list[dict[str, Any]]:
            shown = []
            for f in self.files():
                entry: dict[str, Any] = {"name": f["name"]}
                if content is not None:
                    response = page.request.get(f["url"])
                    entry["content"] = response.body()
                shown.append(entry)
            return shown

        want: dict[str, Any] = {}
        if name is not None:
            want["name"] = name
        if content is not None:
            want["content"] = content.encode() if isinstance(content, str) else content

        class _HasFile:
            def __eq__(self, shown: object) -> bool:
                return isinstance(shown, list) and any(
                    all(f.get(k) == v for k, v in want.items()) for f in shown
                )

            def __repr__(self) -> str:
                return f"a file with {want!r}"

        self._retry("files", read, _HasFile(), timeout)


def _button(component: Component, *labels: str) -> Locator:
    """The component's own button of one of these labels (Gradio's icon buttons are
    named by aria-label; the case differs across versions)."""
    names = "|".join(re.escape(label) for label in labels)
    return component.locator.get_by_role("button", name=re.compile(rf"^({names})$", re.I))


def _download(component: Component, button: Locator) -> Any:
    """Click a download button; the Playwright `Download` (`suggested_filename`,
    `path()`, `save_as()`)."""
    page = component.gradio_page.page
    timeout_ms = component.gradio_page.timeout * 1000
    with page.expect_download(timeout=timeout_ms) as info:
        button.first.click(timeout=timeout_ms)
    return info.value


class Image(Upload):
    """An Image: `upload(path)`, `src()`, `download()`, `clear()`, `click()` (its
    `.select` event)."""

    kind = "image"

    def src(self) -> str | None:
        image = self.locator.locator("img").first
        return str(image.get_attribute("src")) if image.count() else None

    def download(self) -> Any:
        """Click the image's download button: the Playwright `Download`."""
        return _download(self, self.locator.get_by_label("Download"))

    def clear(self) -> None:
        """Remove the image (its clear button): the `.clear` event."""
        _button(self, "Remove Image", "Clear").first.click(timeout=self._timeout_ms)

    def click(self, x: float | None = None, y: float | None = None) -> None:
        """Click the image (at `x`, `y` pixels, else its middle): a selectable
        image's `.select` event."""
        image = self.locator.locator("img").first
        position = {"x": x, "y": y} if x is not None and y is not None else None
        image.click(position=position, timeout=self._timeout_ms)  # type: ignore[arg-type]


class Audio(Upload):
    kind = "audio"


class Video(Upload):
    kind = "video"


class Gallery(Upload):
    kind = "gallery"

    def images(self) -> list[str]:
        images = self.locator.locator("img")
        return [str(images.nth(i).get_attribute("src")) for i in range(images.count())]

    def expect_count(self, count: int, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("image count", lambda: len(set(self.images())), count, timeout)

    def _thumbnail(self, index: int) -> Locator:
        named = self.locator.get_by_label(re.compile(rf"^Thumbnail {index + 1} of \d+$"))
        return named.filter(visible=True).first

    def select(self, index: int) -> None:
        """Click item `index` (0-based): the `.select` event; the preview opens."""
        self._thumbnail(index).click(timeout=self._timeout_ms)

    def preview_open(self) -> bool:
        """Whether the gallery shows one item large (its preview)."""
        return bool(self.locator.locator(".preview").filter(visible=True).count())

    def expect_preview(self, is_open: bool = True, *, timeout: float | None = None) -> None:
        __tracebackhide__ = True
        self._retry("preview open", self.preview_open, is_open, timeout)

    def close_preview(self) -> None:
        _button(self, "Close").first.click(timeout=self._timeout_ms)

    def download(self) -> Any:
        """Download the item in preview (its download button): the Playwright
        `Download`."""
        return _download(self, self.locator.get_by_label("Download", exact=True))

    def clear(self) -> None:
        """Remove the gallery's items (its clear button)."""
        _button(self, "Clear", "Remove Image").first.click(timeout=self._timeout_ms)
