"""The floors: bare Flask routes served by the same gunicorn set-up as the app.

`gunicorn bench.floors:app` — /text returns a short text, /template renders a small Jinja
template. Every figure in the benchmark is read as a ratio to one of these, measured in the
same run on the same machine just before it.
"""

from pathlib import Path

from flask import Flask, render_template

app = Flask(__name__, template_folder=str(Path(__file__).resolve().parent / "templates"))

ITEMS = [f"item {number} · 항목 {number}" for number in range(12)]


@app.get("/text")
def text():
    return "ok"


@app.get("/template")
def template():
    return render_template("floor.html", title="Floor · 바닥", items=ITEMS)
