"""Draw the application icon (globe with a parcel) and write PNG sizes and a Windows .ico.

Run once when the design changes; the outputs in resources/icons/ are committed:
    .venv/bin/python installers/tools/make_icons.py
This is a build tool, not part of the program, so it may use Qt outside desktop/gui/.
"""
from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QGuiApplication, QImage, QLinearGradient, QPainter,
                           QPainterPath, QPen)

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
BMP_MAX = 48  # sizes up to this go into the .ico as classic DIBs, larger ones as PNG


def draw(size: int) -> QImage:
    """Render the emblem at `size` pixels: blue tile, white globe, orange parcel."""
    img = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.scale(size / 256.0, size / 256.0)
    _tile(p)
    _globe(p)
    _parcel(p)
    p.end()
    return img


def _tile(p: QPainter) -> None:
    grad = QLinearGradient(0, 0, 0, 256)
    grad.setColorAt(0.0, QColor("#1f6fd1"))
    grad.setColorAt(1.0, QColor("#0b3d8c"))
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QBrush(grad))
    p.drawRoundedRect(QRectF(8, 8, 240, 240), 52, 52)


def _globe(p: QPainter) -> None:
    centre, r = QPointF(116, 118), 78.0
    p.setBrush(QColor(255, 255, 255, 40))
    p.setPen(QPen(QColor("white"), 11))
    p.drawEllipse(centre, r, r)
    p.setBrush(Qt.BrushStyle.NoBrush)
    p.setPen(QPen(QColor("white"), 8))
    p.drawEllipse(centre, r * 0.42, r)           # meridians
    p.drawLine(QPointF(centre.x(), centre.y() - r), QPointF(centre.x(), centre.y() + r))
    p.drawLine(QPointF(centre.x() - r, centre.y()), QPointF(centre.x() + r, centre.y()))
    for dy in (-0.52, 0.52):                      # parallels
        y = centre.y() + dy * r
        half = r * (1 - dy * dy) ** 0.5
        p.drawLine(QPointF(centre.x() - half, y), QPointF(centre.x() + half, y))


def _parcel(p: QPainter) -> None:
    """An isometric box in front of the globe's lower right: the cross-border parcel."""
    top = QPainterPath()
    top.moveTo(176, 128); top.lineTo(226, 150); top.lineTo(176, 172); top.lineTo(126, 150)
    top.closeSubpath()
    left = QPainterPath()
    left.moveTo(126, 150); left.lineTo(176, 172); left.lineTo(176, 232); left.lineTo(126, 210)
    left.closeSubpath()
    right = QPainterPath()
    right.moveTo(176, 172); right.lineTo(226, 150); right.lineTo(226, 210); right.lineTo(176, 232)
    right.closeSubpath()
    edge = QPen(QColor("#7a3a00"), 4)
    edge.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    p.setPen(edge)
    for path, colour in ((left, "#f08a1c"), (right, "#d96d06"), (top, "#ffb347")):
        p.setBrush(QColor(colour))
        p.drawPath(path)
    p.setPen(QPen(QColor("#fff3d6"), 7))          # tape across the lid and down the front
    p.drawLine(QPointF(151, 139), QPointF(201, 161))
    p.drawLine(QPointF(201, 161), QPointF(201, 221))


def png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


def dib_bytes(img: QImage) -> bytes:
    """A 32-bit BGRA DIB with its AND mask, as classic .ico entries store it."""
    img = img.convertToFormat(QImage.Format.Format_ARGB32)
    w, h = img.width(), img.height()
    header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = []
    for y in range(h - 1, -1, -1):                # bottom-up
        line = img.constScanLine(y)
        rows.append(bytes(line)[: w * 4])         # ARGB32 is BGRA in memory on little-endian
    mask_stride = ((w + 31) // 32) * 4
    mask = bytes(mask_stride * h)                 # alpha channel decides; mask all opaque
    return header + b"".join(rows) + mask


def ico_bytes(images: dict[int, QImage]) -> bytes:
    entries, blobs = [], []
    offset = 6 + 16 * len(images)
    for size, img in sorted(images.items()):
        blob = dib_bytes(img) if size <= BMP_MAX else png_bytes(img)
        dim = 0 if size >= 256 else size
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(images)) + b"".join(entries) + b"".join(blobs)


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    OUT.mkdir(parents=True, exist_ok=True)
    images = {s: draw(s) for s in PNG_SIZES}
    for size, img in images.items():
        (OUT / f"app-{size}.png").write_bytes(png_bytes(img))
    (OUT / "app.png").write_bytes(png_bytes(images[256]))
    (OUT / "app.ico").write_bytes(ico_bytes({s: images[s] for s in ICO_SIZES}))
    print(f"wrote {len(PNG_SIZES) + 2} files to {OUT}")
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
