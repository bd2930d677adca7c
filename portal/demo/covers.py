"""Cover images for the demo catalog, drawn here with Pillow (nothing is downloaded).

One cover per format and colour (8 formats x 6 colours): items share them, so even a
100k-item catalog stores 48 small PNGs. Each shows the format's symbol and name on a colour
of the palette, with white text at AA contrast on every colour.
"""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

# The cards' cover shape (2:1, .card__cover in assets/css/components.css): nothing is cropped,
# the format's name on its band included.
SIZE = (640, 320)
BAND = 80
# Dark enough for white text at 4.5:1 or more.
PALETTE = ["#0b5cad", "#00695c", "#6a1b9a", "#ad1457", "#37474f", "#8d4a00"]
FOLDER = "items/demo"


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without scalable default fonts
        return ImageFont.load_default()


def _symbol(draw: ImageDraw.ImageDraw, fmt: str, box: tuple[int, int, int, int]) -> None:
    """A simple white symbol for the format, drawn in `box`."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    white = (255, 255, 255)
    line = max(6, w // 14)
    if fmt == "video":
        draw.polygon(
            [
                (x0 + w * 0.3, y0 + h * 0.2),
                (x0 + w * 0.3, y1 - h * 0.2),
                (x1 - w * 0.2, y0 + h / 2),
            ],
            fill=white,
        )
    elif fmt == "book":
        draw.rectangle(
            [x0 + w * 0.15, y0 + h * 0.15, x0 + w * 0.48, y1 - h * 0.15], outline=white, width=line
        )
        draw.rectangle(
            [x0 + w * 0.52, y0 + h * 0.15, x1 - w * 0.15, y1 - h * 0.15], outline=white, width=line
        )
    elif fmt == "podcast":
        draw.rounded_rectangle(
            [x0 + w * 0.38, y0 + h * 0.1, x1 - w * 0.38, y0 + h * 0.6], radius=w // 8, fill=white
        )
        draw.arc(
            [x0 + w * 0.25, y0 + h * 0.3, x1 - w * 0.25, y0 + h * 0.75],
            0,
            180,
            fill=white,
            width=line,
        )
        draw.line([x0 + w / 2, y0 + h * 0.75, x0 + w / 2, y1 - h * 0.1], fill=white, width=line)
    elif fmt == "article":
        for row in range(4):
            y = y0 + h * (0.2 + row * 0.18)
            draw.line(
                [x0 + w * 0.15, y, x1 - w * (0.15 if row < 3 else 0.4), y], fill=white, width=line
            )
    elif fmt in {"live_session", "learning_circle"}:
        people = 3 if fmt == "live_session" else 4
        for n in range(people):
            cx = x0 + w * (n + 0.5) / people
            r = w / (people * 3.2)
            draw.ellipse([cx - r, y0 + h * 0.25, cx + r, y0 + h * 0.25 + 2 * r], fill=white)
            draw.pieslice(
                [cx - r * 1.6, y0 + h * 0.6, cx + r * 1.6, y1 + h * 0.2], 180, 360, fill=white
            )
    elif fmt == "elearning":
        draw.rounded_rectangle(
            [x0 + w * 0.1, y0 + h * 0.15, x1 - w * 0.1, y1 - h * 0.3],
            radius=8,
            outline=white,
            width=line,
        )
        draw.line(
            [x0 + w * 0.3, y1 - h * 0.15, x1 - w * 0.3, y1 - h * 0.15], fill=white, width=line
        )
    else:  # a course: a mortarboard
        draw.polygon(
            [
                (x0 + w / 2, y0 + h * 0.2),
                (x1 - w * 0.05, y0 + h * 0.42),
                (x0 + w / 2, y0 + h * 0.64),
                (x0 + w * 0.05, y0 + h * 0.42),
            ],
            fill=white,
        )
        draw.rectangle([x0 + w * 0.3, y0 + h * 0.52, x1 - w * 0.3, y0 + h * 0.78], fill=white)


def cover_png(fmt: str, label: str, colour: str) -> bytes:
    image = Image.new("RGB", SIZE, colour)
    draw = ImageDraw.Draw(image)
    # A darker band under the name, then the symbol and the name of the format.
    draw.rectangle(
        [0, SIZE[1] - BAND, SIZE[0], SIZE[1]],
        fill=tuple(int(colour[i : i + 2], 16) // 2 for i in (1, 3, 5)),
    )
    _symbol(draw, fmt, (SIZE[0] // 2 - 85, 30, SIZE[0] // 2 + 85, 200))
    draw.text((32, SIZE[1] - BAND // 2), label, fill=(255, 255, 255), font=_font(34), anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def cover_paths(formats: dict[str, str]) -> dict[tuple[str, int], str]:
    """Draw (or reuse) every cover; (format, colour index) -> its path in default storage."""
    paths = {}
    for fmt, label in formats.items():
        for number, colour in enumerate(PALETTE):
            name = f"{FOLDER}/{fmt}-{number}.png"
            if not default_storage.exists(name):
                name = default_storage.save(name, ContentFile(cover_png(fmt, label, colour)))
            paths[(fmt, number)] = name
    return paths
