import csv
import json

import pytest
from sqlalchemy import select

from likepion.backlink import catalogue
from likepion.backlink.models import Site
from likepion.core.db import db
from likepion.core.enums import ServiceType
from tests.cli import assert_fails
from tests.helpers import count_rows


def sites(app, service_type=None) -> dict[tuple[str, str], str]:
    """{(service_type, name): role} of the catalogue."""
    with app.app_context():
        stmt = select(Site.service_type, Site.name, Site.role)
        if service_type:
            stmt = stmt.where(Site.service_type == service_type)
        return {(t, n): r for t, n, r in db.session.execute(stmt)}


def write_csv(path, rows, header=("service_type", "name", "role")):
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        if header:
            writer.writerow(header)
        writer.writerows(rows)
    return str(path)


def test_seed_default_catalogue(app, runner):
    result = runner.invoke(args=["sites", "seed"])

    assert result.exit_code == 0, result.output
    catalogue_rows = sites(app)
    assert f"{len(catalogue_rows)} created, 0 updated, 0 unchanged." in result.output
    assert "Seeding sites" not in result.output
    for service_type in ServiceType:
        assert 15 <= len(sites(app, service_type)) <= 40, service_type
    assert catalogue_rows[("entity", "about.me")] == "primary"
    assert catalogue_rows[("social", "reddit.com")] == "primary"
    assert catalogue_rows[("blog20", "wordpress.com")] == "primary"
    assert catalogue_rows[("stacking", "sites.google.com")] == "primary"
    assert catalogue_rows[("podcast", "podbean.com")] == "primary"
    assert catalogue_rows[("podcast", "anchor.fm")] == "secondary"
    assert catalogue_rows[("podcast", "podcasts.apple.com")] == "secondary"
    assert {role for (t, _), role in catalogue_rows.items() if t != "podcast"} == {"primary"}
    assert all(catalogue.normalise_name(name) == name for _, name in catalogue_rows)


def test_seed_default_catalogue_twice_is_idempotent(app, runner):
    runner.invoke(args=["sites", "seed"])
    before = sites(app)

    result = runner.invoke(args=["sites", "seed"])

    assert result.exit_code == 0, result.output
    assert f"0 created, 0 updated, {len(before)} unchanged." in result.output
    assert sites(app) == before


def test_seed_csv_normalises_names_and_defaults_the_role(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "sites.csv",
        [
            ("entity", "https://WWW.About.me/some/path?x=1", ""),
            ("Podcast", "http://anchor.fm/", "Secondary"),
            ("blog20", "medium.com", "primary"),
            (" social ", " www.reddit.com ", " "),
        ],
    )

    result = runner.invoke(args=["sites", "seed", path])

    assert result.exit_code == 0, result.output
    assert "4 created, 0 updated, 0 unchanged." in result.output
    assert sites(app) == {
        ("entity", "about.me"): "primary",
        ("podcast", "anchor.fm"): "secondary",
        ("blog20", "medium.com"): "primary",
        ("social", "reddit.com"): "primary",
    }
    with app.app_context():
        assert all(db.session.scalars(select(Site.active)))


def test_seed_csv_without_role_column(app, runner, tmp_path):
    path = write_csv(tmp_path / "s.csv", [("name", "service_type"), ("x.com", "entity")], None)

    result = runner.invoke(args=["sites", "seed", path])

    assert result.exit_code == 0, result.output
    assert sites(app) == {("entity", "x.com"): "primary"}


def test_seed_json_file(app, runner, tmp_path):
    path = tmp_path / "sites.json"
    path.write_text(
        json.dumps(
            [
                {"service_type": "podcast", "name": "podbean.com", "role": "primary"},
                {"service_type": "podcast", "name": "castbox.fm", "role": "secondary"},
                {"service_type": "indexing", "name": "pingomatic.com"},
                {"service_type": "stacking", "name": "sites.google.com", "role": None},
            ]
        )
    )

    result = runner.invoke(args=["sites", "seed", str(path)])

    assert result.exit_code == 0, result.output
    assert "4 created, 0 updated, 0 unchanged." in result.output
    assert sites(app) == {
        ("podcast", "podbean.com"): "primary",
        ("podcast", "castbox.fm"): "secondary",
        ("indexing", "pingomatic.com"): "primary",
        ("stacking", "sites.google.com"): "primary",
    }


def test_seed_json_object_with_sites_key(app, runner, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text('{"sites": [{"service_type": "entity", "name": "gravatar.com"}]}')

    result = runner.invoke(args=["sites", "seed", str(path)])

    assert result.exit_code == 0, result.output
    assert sites(app) == {("entity", "gravatar.com"): "primary"}


def test_seed_updates_existing_rows_instead_of_duplicating(app, runner, tmp_path):
    runner.invoke(
        args=["sites", "seed", write_csv(tmp_path / "a.csv", [("podcast", "spreaker.com", "")])]
    )
    with app.app_context():
        site = db.session.scalar(select(Site))
        site.active = False
        db.session.commit()
        site_id = site.id
    path = write_csv(
        tmp_path / "b.csv",
        [("podcast", "https://www.spreaker.com", "secondary"), ("podcast", "libsyn.com", "")],
    )

    result = runner.invoke(args=["sites", "seed", path])

    assert result.exit_code == 0, result.output
    assert "1 created, 1 updated, 0 unchanged." in result.output
    assert sites(app) == {
        ("podcast", "spreaker.com"): "secondary",
        ("podcast", "libsyn.com"): "primary",
    }
    with app.app_context():
        site = db.session.get(Site, site_id)
        assert (site.role, site.active) == ("secondary", False)


def test_same_name_in_two_service_types_is_two_sites(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "s.csv", [("blog20", "blogger.com", ""), ("stacking", "blogger.com", "")]
    )

    result = runner.invoke(args=["sites", "seed", path])

    assert "2 created" in result.output
    assert count_rows(app, Site) == 2


def test_duplicate_rows_in_one_file_are_counted_once(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [("entity", "about.me", ""), ("entity", "https://www.about.me/", "primary")],
    )

    result = runner.invoke(args=["sites", "seed", path])

    assert result.exit_code == 0, result.output
    assert "1 created, 0 updated, 0 unchanged, 1 duplicates." in result.output
    assert count_rows(app, Site) == 1


def test_seed_large_file_shows_progress_and_is_idempotent(app, runner, tmp_path):
    types = [t.value for t in ServiceType]
    rows = [(types[i % 6], f"https://www.site{i}.example.com/", "") for i in range(2000)]
    path = write_csv(tmp_path / "big.csv", rows)

    first = runner.invoke(args=["sites", "seed", path])
    second = runner.invoke(args=["sites", "seed", path])

    assert first.exit_code == 0, first.output
    assert "Seeding sites" in first.output
    assert "2000 created, 0 updated, 0 unchanged." in first.output
    assert second.exit_code == 0, second.output
    assert "0 created, 0 updated, 2000 unchanged." in second.output
    assert count_rows(app, Site) == 2000
    assert ("indexing", "site5.example.com") in sites(app)


def test_an_error_in_the_last_row_of_a_large_file_writes_nothing(app, runner, tmp_path):
    rows = [("entity", f"site{i}.example.com", "") for i in range(800)]
    path = write_csv(tmp_path / "big.csv", [*rows, ("entity", "last.example.com", "tertiary")])

    result = runner.invoke(args=["sites", "seed", path])

    assert_fails(result, "row 801: unknown role 'tertiary'")
    assert count_rows(app, Site) == 0


def csv_file(tmp_path, text, name="sites.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


BAD_FILES = {
    "unknown service type": (
        "service_type,name,role\nentity,about.me,\nvideo,youtube.com,\n",
        "row 2: unknown service type 'video'",
    ),
    "bad role": ("service_type,name,role\npodcast,anchor.fm,host\n", "unknown role 'host'"),
    "bad name": ("service_type,name\nentity,not a domain\n", "'not a domain' is not a domain name"),
    "name without a dot": ("service_type,name\nentity,localhost\n", "is not a domain name"),
    "empty name": ("service_type,name\nentity,\n", "row 1: name is empty"),
    "missing value": ("service_type,name,role\nentity\n", "row 1: name is missing"),
    "extra value": ("service_type,name\nentity,a.com,primary\n", "more values than the header"),
    "missing column": ("service_type,role\nentity,primary\n", "the header must be"),
    "unknown column": (
        "service_type,name,rol\nentity,a.com,primary\n",
        "found service_type,name,rol",
    ),
    "no header": ("", "is empty"),
    "header only": ("service_type,name,role\n", "has no sites"),
    "conflicting duplicate": (
        "service_type,name,role\npodcast,anchor.fm,secondary\npodcast,www.anchor.fm,primary\n",
        "row 2: podcast site anchor.fm is already in row 1 with role secondary",
    ),
}


@pytest.mark.parametrize("text, message", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_seed_bad_csv(app, runner, tmp_path, text, message):
    result = runner.invoke(args=["sites", "seed", csv_file(tmp_path, text)])

    assert_fails(result, message)
    assert result.exit_code == 1
    assert count_rows(app, Site) == 0


BAD_JSON = {
    "malformed": ('[{"service_type": "entity", "name": ', "is not valid JSON"),
    "not a list": ('{"service_type": "entity"}', "must hold a list of sites"),
    "item not an object": ('["about.me"]', "row 1: expected an object"),
    "number as name": ('[{"service_type": "entity", "name": 42}]', "row 1: name must be text"),
    "unknown key": ('[{"service_type": "entity", "name": "a.com", "x": 1}]', "unknown field x"),
    "missing type": ('[{"name": "a.com"}]', "row 1: service_type is missing"),
    "empty list": ("[]", "has no sites"),
}


@pytest.mark.parametrize("text, message", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_seed_bad_json(app, runner, tmp_path, text, message):
    result = runner.invoke(args=["sites", "seed", csv_file(tmp_path, text, "sites.json")])

    assert_fails(result, message)
    assert count_rows(app, Site) == 0


def test_seed_missing_file(app, runner, tmp_path):
    result = runner.invoke(args=["sites", "seed", str(tmp_path / "nope.csv")])

    assert_fails(result, "File not found:")
    assert count_rows(app, Site) == 0


def test_seed_directory(app, runner, tmp_path):
    result = runner.invoke(args=["sites", "seed", str(tmp_path)])

    assert_fails(result, "is a directory")


def test_seed_binary_file(app, runner, tmp_path):
    path = tmp_path / "sites.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x81")

    result = runner.invoke(args=["sites", "seed", str(path)])

    assert_fails(result, "is not UTF-8 text")
    assert count_rows(app, Site) == 0


def test_list_sites(app, runner, tmp_path):
    path = write_csv(
        tmp_path / "s.csv",
        [
            ("podcast", "podbean.com", ""),
            ("podcast", "anchor.fm", "secondary"),
            ("entity", "about.me", ""),
        ],
    )
    runner.invoke(args=["sites", "seed", path])

    everything = runner.invoke(args=["sites", "list"])
    podcast = runner.invoke(args=["sites", "list", "--type", "PODCAST"])

    assert everything.exit_code == 0, everything.output
    assert [line.split() for line in everything.output.splitlines()] == [
        ["service_type", "name", "role", "active"],
        ["entity", "about.me", "primary", "yes"],
        ["podcast", "podbean.com", "primary", "yes"],
        ["podcast", "anchor.fm", "secondary", "yes"],
    ]
    assert podcast.exit_code == 0, podcast.output
    assert "about.me" not in podcast.output
    assert "podbean.com" in podcast.output and "anchor.fm" in podcast.output


def test_list_sites_empty(runner):
    result = runner.invoke(args=["sites", "list", "--type", "entity"])

    assert result.exit_code == 0
    assert result.output == "No sites.\n"


def test_list_sites_unknown_type(runner):
    result = runner.invoke(args=["sites", "list", "--type", "video"])

    assert_fails(result, "unknown service type 'video'")
    assert result.output.count("\n") == 1


@pytest.mark.parametrize(
    "raw, name",
    [
        ("example.com", "example.com"),
        ("HTTPS://WWW.Example.COM/", "example.com"),
        ("http://www.example.com/a/b?c#d", "example.com"),
        ("podcasts.apple.com/us/podcast", "podcasts.apple.com"),
        ("www.com", "www.com"),
        ("example.com.", "example.com"),
        ("bücher.de", "xn--bcher-kva.de"),
    ],
)
def test_normalise_name(raw, name):
    assert catalogue.normalise_name(raw) == name
