"""QR codes: what each of the seven types encodes, the image (segno), logos, and CRUD."""

import base64
import binascii
import io
import re
from functools import lru_cache

import segno
from PIL import Image, UnidentifiedImageError
from segno import helpers
from sqlalchemy import select

from likepion.core.db import db, get_owned
from likepion.core.errors import AppError, NotFound, ValidationFailed
from likepion.core.pagination import Page, paginate
from likepion.shortener import addresses, aliases, fetch, owned, stats, urlcheck
from likepion.shortener.models import QrCode, QrRollup

MAX_LOGO_BYTES = 512 * 1024
# A few hundred KB of PNG can declare 80+ megapixels: decoding that costs seconds and 300 MB.
MAX_LOGO_PIXELS = 2048 * 2048
LOGO_SIDE = 256
DATA_URI = re.compile(r"^data:image/(png|jpeg|jpg);base64,(.+)\Z", re.S)
# The field a string `data` stands for, and that the type cannot do without.
MAIN_FIELD = {
    "phone": "phone",
    "sms": "phone",
    "email": "email",
    "wifi": "ssid",
    "vcard": "firstname",
}
# `?size=` of a link's QR code: the widest image, in pixels.
LINK_QR_SIZES = range(100, 1001)
LINK_QR_DEFAULT_SIZE = 300
VCARD_FIELDS = {
    "firstname", "lastname", "organization", "title", "phone", "cell", "email", "website",
    "street", "city", "region", "zip", "country",
}  # fmt: skip


def list_qrs(user, *, page: int, limit: int) -> Page:
    """The user's QR codes, newest first, with their scan counts."""
    scans = stats.click_count(QrRollup, QrCode.id)
    stmt = (
        select(QrCode, scans.label("scans"))
        .where(QrCode.user_id == user.id)
        .order_by(QrCode.id.desc())
    )
    result = paginate(stmt, page, limit, scalars=False)
    result.items = [qr_read(qr, n) for qr, n in result.items]
    return result


def get_qr(user, qr_id: int) -> QrCode:
    return get_owned(QrCode, qr_id, user.id)


def get_qr_with_stats(user, qr_id: int) -> dict:
    """`GET /api/qr/:id`: the QR code (with its scan count) and its scan statistics."""
    qr = get_qr(user, qr_id)
    data = stats.stats(QrRollup, qr.id)
    return {"details": qr_read(qr, data["clicks"]), "data": data}


def qr_read(qr: QrCode, scans: int) -> dict:
    return {
        "id": qr.id,
        "link": addresses.qr_url(qr),
        "scans": scans,
        "name": qr.name,
        "created_at": qr.created_at,
    }


def create_qr(user, *, type: str, data, name: str | None = None, logo: str | None = None,
              **colours) -> QrCode:  # fmt: skip
    """A new QR code with a random alias; its content is checked by `payload` first."""
    qr = QrCode(user_id=user.id, type=type, data=_stored(type, data), **colours)
    qr.name = name or _default_name(qr)
    qr.logo = load_logo(logo) if logo else None
    _check_capacity(qr)
    aliases.insert_with_alias(qr, None, "")
    db.session.commit()
    return qr


def update_qr(user, qr_id: int, *, data, type: str | None = None, **fields) -> QrCode:
    qr = get_owned(QrCode, qr_id, user.id)
    qr.type = type or qr.type
    qr.data = _stored(qr.type, data)
    if "logo" in fields:
        logo = fields.pop("logo")
        qr.logo = load_logo(logo) if logo else None
    for name, value in fields.items():
        setattr(qr, name, value)
    _check_capacity(qr)
    db.session.commit()
    return qr


def delete_qr(user, qr_id: int) -> None:
    owned.delete_owned(QrCode, user, qr_id)


def payload(qr: QrCode) -> str:
    """The text the QR code encodes for its type."""
    data = qr.data
    if qr.type in ("text", "link"):
        return data["value"]
    if qr.type == "phone":
        return f"tel:{data['phone']}"
    if qr.type == "sms":
        return f"SMSTO:{data['phone']}:{data.get('message', '')}"
    if qr.type == "email":
        return helpers.make_make_email_data(
            data["email"], subject=data.get("subject"), body=data.get("body")
        )
    if qr.type == "wifi":
        return helpers.make_wifi_data(
            data["ssid"], data.get("password"), data.get("encryption"), data.get("hidden", False)
        )
    return _vcard(data)


def render(qr: QrCode, kind: str = "png", scale: int = 10) -> bytes:
    """The QR image as PNG or SVG bytes, in its colours, with its logo in the middle."""
    code = _symbol(qr)
    colours = {"dark": _rgb(qr.foreground), "light": _rgb(qr.background)}
    out = io.BytesIO()
    if kind == "svg":
        code.save(out, kind="svg", scale=scale, border=4, **colours)
        return _svg_with_logo(out.getvalue(), qr.logo, code, scale) if qr.logo else out.getvalue()
    code.save(out, kind="png", scale=scale, border=4, **colours)
    return _png_with_logo(out.getvalue(), qr.logo) if qr.logo else out.getvalue()


def image_options(args) -> tuple[str, int]:
    """`format` and `size` of `/<alias>/qr`: an unknown format is a 404 (no such image, as on
    `/qr/<alias>`); a size that is not a whole number in LINK_QR_SIZES is a 400."""
    kind = args.get("format", "png")
    if kind not in ("png", "svg"):
        raise NotFound("This QR code does not exist.")
    size = args.get("size", str(LINK_QR_DEFAULT_SIZE))
    if not (size.isascii() and size.isdigit() and len(size) <= 4 and int(size) in LINK_QR_SIZES):
        raise AppError("size must be a whole number of pixels from 100 to 1000.")
    return kind, int(size)


@lru_cache(maxsize=256)
def render_text(text: str, kind: str, size: int) -> bytes:
    """Black on white `text` as PNG or SVG, in whole-pixel modules, at most `size` wide."""
    code = segno.make(text, error="m", micro=False)
    width, _ = code.symbol_size(scale=1, border=4)
    out = io.BytesIO()
    code.save(out, kind=kind, scale=max(1, size // width), border=4)
    return out.getvalue()


def _symbol(qr: QrCode) -> segno.QRCode:
    """High error correction when a logo covers the middle, so the code still scans."""
    return segno.make(payload(qr), error="h" if qr.logo else "m", micro=False)


def _check_capacity(qr: QrCode) -> None:
    """Data that no QR version can hold (at the error level the logo needs) is refused when
    saved, not found out by every later render of `/qr/<alias>`."""
    try:
        _symbol(qr)
    except segno.DataOverflowError:
        level = "with a logo" if qr.logo else "without a logo"
        raise ValidationFailed.on_field(
            "data", f"Too much data for a QR code {level}: shorten it."
        ) from None


def load_logo(value: str) -> bytes:
    """A PNG/JPEG logo from a data URI or a public http(s) URL, as PNG bytes at most 256 px."""
    match = DATA_URI.fullmatch(value)
    if match:
        try:
            raw = base64.b64decode(match.group(2), validate=True)
        except binascii.Error:
            raise ValidationFailed.on_field("logo", "The data URI is not valid base64.") from None
    else:
        raw = _fetch_logo(value)
    try:
        image = Image.open(io.BytesIO(raw))
        if image.format not in ("PNG", "JPEG"):
            raise ValidationFailed.on_field("logo", "The logo must be a PNG or JPEG image.")
        if image.width * image.height > MAX_LOGO_PIXELS:
            raise ValidationFailed.on_field(
                "logo", "The logo must be at most 4 megapixels (2048 x 2048)."
            )
        image.thumbnail((LOGO_SIDE, LOGO_SIDE))
        out = io.BytesIO()
        image.convert("RGBA").save(out, "PNG")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise ValidationFailed.on_field("logo", "The logo must be a PNG or JPEG image.") from None
    return out.getvalue()


def _fetch_logo(url: str) -> bytes:
    """Fetch a logo, only from a host whose every address is public (no SSRF into our net)."""
    raw = fetch.fetch_public(url, "logo", MAX_LOGO_BYTES)
    if len(raw) > MAX_LOGO_BYTES:
        raise ValidationFailed.on_field(
            "logo", f"The logo is larger than {MAX_LOGO_BYTES // 1024} KB."
        )
    return raw


def _stored(qr_type: str, data) -> dict:
    """The QR data as stored: `{"value": text}` for text and link, the type's fields otherwise."""
    if qr_type in ("text", "link"):
        value = data if isinstance(data, str) else None
        if not value or len(value) > 2000:
            raise ValidationFailed.on_field(
                "data", f"A {qr_type} QR code needs text of 1 to 2000 characters."
            )
        if qr_type == "link":
            urlcheck.split_http_url(value, "data")
        return {"value": value}
    if isinstance(data, str):  # the seed allows a string: it is the type's main field
        data = {MAIN_FIELD[qr_type]: data}
    fields = _clean_fields(data)
    if qr_type == "vcard":
        unknown = set(fields) - VCARD_FIELDS
        if unknown or not (fields.get("firstname") or fields.get("lastname")):
            raise ValidationFailed.on_field(
                "data", f"A vcard takes {sorted(VCARD_FIELDS)}, with a name."
            )
    elif not fields.get(MAIN_FIELD[qr_type]):
        raise ValidationFailed.on_field(
            "data", f"A {qr_type} QR code needs {MAIN_FIELD[qr_type]!r}."
        )
    if qr_type == "wifi" and fields.get("encryption") not in (None, "WPA", "WEP", "nopass"):
        raise ValidationFailed.on_field("data", "Wifi encryption is WPA, WEP or nopass.")
    return fields


def _clean_fields(data: dict) -> dict:
    """Short text values only (and the wifi `hidden` flag): the data ends up in an image."""
    cleaned = {}
    for key, value in data.items():
        if key == "hidden" and isinstance(value, bool):
            cleaned[key] = value
        elif isinstance(value, str) and len(value) <= 500 and len(key) <= 32:
            cleaned[key] = value
        else:
            raise ValidationFailed.on_field(
                "data", f"{key!r} must be text of at most 500 characters."
            )
    return cleaned


def _default_name(qr: QrCode) -> str:
    data = qr.data
    if qr.type == "vcard":
        return f"{data.get('firstname', '')} {data.get('lastname', '')}".strip()[:100]
    return str(data.get("value") or data[MAIN_FIELD[qr.type]])[:100]


def _vcard(data: dict) -> str:
    first, last = data.get("firstname", ""), data.get("lastname", "")
    return helpers.make_vcard_data(
        f"{last};{first}",
        f"{first} {last}".strip(),
        email=data.get("email"),
        phone=data.get("phone"),
        cellphone=data.get("cell"),
        url=data.get("website"),
        org=data.get("organization"),
        title=data.get("title"),
        street=data.get("street"),
        city=data.get("city"),
        region=data.get("region"),
        zipcode=data.get("zip"),
        country=data.get("country"),
    )


@lru_cache(maxsize=256)
def _rgb(value: str) -> tuple[int, int, int]:
    return tuple(int(part) for part in re.findall(r"\d+", value))


def _png_with_logo(png: bytes, logo: bytes) -> bytes:
    code = Image.open(io.BytesIO(png)).convert("RGBA")
    mark = Image.open(io.BytesIO(logo)).convert("RGBA")
    side = code.width // 5  # error level H restores up to 30% of the modules
    mark.thumbnail((side, side))
    code.alpha_composite(mark, ((code.width - mark.width) // 2, (code.height - mark.height) // 2))
    out = io.BytesIO()
    code.save(out, "PNG")
    return out.getvalue()


def _svg_with_logo(svg: bytes, logo: bytes, code, scale: int) -> bytes:
    width, _ = code.symbol_size(scale=scale, border=4)
    side = width // 5
    offset = (width - side) / 2
    image = (
        f'<image x="{offset}" y="{offset}" width="{side}" height="{side}" '
        f'href="data:image/png;base64,{base64.b64encode(logo).decode()}"/>'
    )
    return svg.replace(b"</svg>", image.encode() + b"</svg>")
