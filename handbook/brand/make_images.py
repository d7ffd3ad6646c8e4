"""Draw the handbook's social card and e-book cover (run by hand, once).

``.venv/bin/python handbook/brand/make_images.py`` writes:

- ``site/social-card.png`` (1200 x 630): the picture a link preview shows
  (``og:image``); ``site/`` is copied to the website's root.
- ``epub/static/cover.png`` (1600 x 2560): the EPUB's cover; ``epub/`` is the
  e-book's theme.

Both are committed, so a build needs neither this script nor a plotting
library. Run it again after changing the title or the subtitle in conf.py.
The look follows the favicon: the handbook's teal, and two rings that
overlap, for people who support each other. The typeface is the PDF's.
"""

import runpy
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FONTS = ROOT / "handbook" / "print" / "fonts"
TEAL = "#0a7d91"
WHITE = "#ffffff"
PALE = "#d9f0f3"


def font(weight: int, size: int) -> ImageFont.FreeTypeFont:
    style = {400: "Regular", 700: "Bold"}[weight]
    path = FONTS / f"AtkinsonHyperlegible-{style}.ttf"
    return ImageFont.truetype(str(path), size)


def rings(draw: ImageDraw.ImageDraw, x: int, y: int, radius: int) -> None:
    """Two overlapping rings, their left edge at x and centred on y."""
    width = max(radius // 5, 2)
    for cx in (x + radius, x + radius * 15 // 7):
        draw.ellipse((cx - radius, y - radius, cx + radius, y + radius), outline=WHITE, width=width)


def text_block(draw, x, y, text, face, fill, width_chars, spacing) -> int:
    """Draw wrapped text from (x, y); return the y below it."""
    for line in textwrap.wrap(text, width_chars):
        draw.text((x, y), line, font=face, fill=fill)
        y += face.size + spacing
    return y


def social_card(title: str, subtitle: str) -> Image.Image:
    image = Image.new("RGB", (1200, 630), TEAL)
    draw = ImageDraw.Draw(image)
    rings(draw, 80, 175, 56)
    y = text_block(draw, 80, 275, title, font(700, 76), WHITE, 26, 14)
    text_block(draw, 80, y + 24, subtitle, font(400, 38), PALE, 52, 12)
    return image


def cover(title: str, subtitle: str, author: str) -> Image.Image:
    image = Image.new("RGB", (1600, 2560), TEAL)
    draw = ImageDraw.Draw(image)
    rings(draw, 160, 520, 150)
    y = text_block(draw, 160, 820, title, font(700, 150), WHITE, 14, 30)
    text_block(draw, 160, y + 80, subtitle, font(400, 72), PALE, 34, 24)
    text_block(draw, 160, 2260, author, font(400, 56), WHITE, 44, 16)
    return image


def main() -> None:
    conf = runpy.run_path(str(ROOT / "conf.py"))
    title, subtitle, author = conf["project"], conf["handbook_subtitle"], conf["author"]
    social_card(title, subtitle).save(HERE / "site" / "social-card.png", optimize=True)
    cover(title, subtitle, author).save(HERE / "epub" / "static" / "cover.png", optimize=True)


if __name__ == "__main__":
    main()
