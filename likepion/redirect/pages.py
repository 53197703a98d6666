"""The web family: HTML pages for visitors (errors here; redirect pages join later)."""

from flask import render_template

TITLES = {
    404: "Page not found",
    405: "Method not allowed",
    410: "Link expired",
    429: "Too many requests",
    500: "Something went wrong",
}


def error_response(status: int, code: str, message: str, details: dict, headers=None):
    html = render_template("error.html", title=TITLES.get(status, "Error"), message=message)
    return html, status, list(headers or [])
