"""QR codes drawn on the server as inline SVG data URLs: the bureau's network has no QR service, and CSP allows
`data:` images but no scripts from elsewhere."""

import base64
from io import BytesIO

import qrcode
import qrcode.image.svg


def qr_data_url(text: str, *, box_size: int = 4, border: int = 1) -> str:
    buffer = BytesIO()
    qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=border).save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()
