"""The baseline of bench/redirect.py: a bare Flask route answering the same 302."""

from flask import Flask, redirect

app = Flask(__name__)


@app.get("/<alias>")
def follow(alias):
    return redirect("https://example.com/landing")
