"""Draws Lantern's toolbar icons (16, 32, 48, 128 px PNG) with no dependencies beyond Python.

Run from this folder: python3 make_icons.py. The PNGs it writes are committed; rerun only to
change the design.
"""
import math
import struct
import zlib

SS = 4  # supersampling per axis, for anti-aliased edges


def inside_round_rect(x, y, x0, y0, x1, y1, r):
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r and x0 <= x <= x1 and y0 <= y <= y1


def shade(u, v):
    """Colour (r, g, b, a) of the design at unit coordinates u, v in [0, 1]."""
    if not inside_round_rect(u, v, 0.02, 0.02, 0.98, 0.98, 0.22):
        return (0, 0, 0, 0)
    # Tile: deep amber, lighter toward the top.
    t = v
    bg = (int(180 - 40 * t), int(83 - 30 * t), int(9 + 4 * t), 255)
    # Handle: a ring above the body.
    d = math.hypot(u - 0.5, v - 0.25)
    if 0.085 <= d <= 0.135 and v < 0.27:
        return (255, 244, 214, 255)
    # Cap and base bars.
    if inside_round_rect(u, v, 0.30, 0.26, 0.70, 0.33, 0.03) or inside_round_rect(u, v, 0.30, 0.78, 0.70, 0.85, 0.03):
        return (255, 244, 214, 255)
    # Glass body with a glowing flame.
    if inside_round_rect(u, v, 0.34, 0.33, 0.66, 0.78, 0.08):
        g = math.hypot((u - 0.5) / 0.9, (v - 0.57) / 1.3)
        glow = max(0.0, 1.0 - g / 0.2)
        r = 255
        gg = int(214 + 41 * glow)
        b = int(120 + 120 * glow)
        return (r, gg, b, 255)
    return bg


def render(size):
    rows = []
    for py in range(size):
        row = bytearray([0])
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(SS):
                for sx in range(SS):
                    r, g, b, a = shade((px + (sx + 0.5) / SS) / size, (py + (sy + 0.5) / SS) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = SS * SS
            alpha = acc[3] / n
            if acc[3]:
                row += bytes([round(acc[0] / acc[3]), round(acc[1] / acc[3]), round(acc[2] / acc[3]), round(alpha)])
            else:
                row += bytes([0, 0, 0, 0])
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


if __name__ == "__main__":
    for size in (16, 32, 48, 128):
        with open(f"lantern-{size}.png", "wb") as f:
            f.write(render(size))
