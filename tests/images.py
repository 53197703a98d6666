"""Images for the QR tests: decode a QR code, rasterise segno's SVG, make a small picture."""

import io
import re
from xml.etree import ElementTree

import PIL.Image
import zxingcpp
from PIL import ImageColor

SVG = "{http://www.w3.org/2000/svg}"


def decoded(png: bytes):
    """The one QR code zxing-cpp finds in the image."""
    results = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(png)))
    assert len(results) == 1
    assert results[0].format == zxingcpp.BarcodeFormat.QRCode
    return results[0]


def svg_to_png(svg: bytes) -> bytes:
    """Draw segno's SVG (an optional background rectangle, then one path of 1-module horizontal
    strokes under `scale(n)`) as a PNG, so zxing-cpp can read it."""
    root = ElementTree.fromstring(svg)
    *background, strokes = root.iter(f"{SVG}path")
    scale = re.fullmatch(r"scale\((\d+)\)", strokes.get("transform") or "scale(10)")
    side = int(root.get("width")) // int(scale.group(1))
    paper = background[0].get("fill") if background else "#fff"
    image = PIL.Image.new("RGB", (side, side), ImageColor.getrgb(paper))
    dark = ImageColor.getrgb(strokes.get("stroke") or "#000")
    x = y = 0.0
    for command, args in re.findall(r"([Mmh])([-\d. ]+)", strokes.get("d")):
        numbers = [float(n) for n in args.split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            for column in range(int(x), int(x + numbers[0])):
                image.putpixel((column, int(y)), dark)
            x += numbers[0]
    out = io.BytesIO()
    image.resize((side * 10, side * 10), PIL.Image.NEAREST).save(out, "PNG")
    return out.getvalue()


def image_bytes(colour, size=(64, 64), fmt="PNG") -> bytes:
    out = io.BytesIO()
    PIL.Image.new("RGB", size, colour).save(out, fmt)
    return out.getvalue()
