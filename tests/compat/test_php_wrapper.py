"""GemPixel's PHP wrapper, as a PHP script making the same calls against the live service:
`Authorization: Token <key>`, JSON bodies POSTed with curl to `url/add`, `url/stats`,
`url/get`, `user/create` and `user/get`, answers read with `json_decode` into objects. The
wrapper itself is not vendored; the script reproduces its requests and what it reads. Needs
`php-cli` and `php-curl` (installed by .ci/run): skipped without them, except under CI."""

import json
import os
import shutil
import subprocess

import pytest
from sqlalchemy import select

from likepion.auth.models import User
from likepion.core.db import db
from likepion.shortener.models import ShortUrl

PHP = shutil.which("php")

WRAPPER = r"""<?php
// The calls of GemPixel's PHP wrapper: every endpoint a POST with a JSON body and the key
// as "Authorization: Token <key>"; answers decoded into objects.
class Shortener {
    private $base;
    private $key;

    public function __construct($base, $key) {
        $this->base = rtrim($base, "/") . "/api/";
        $this->key = $key;
    }

    private function http($endpoint, $data) {
        $curl = curl_init();
        curl_setopt_array($curl, [
            CURLOPT_URL => $this->base . $endpoint,
            CURLOPT_RETURNTRANSFER => true,
            CURLOPT_MAXREDIRS => 2,
            CURLOPT_TIMEOUT => 10,
            CURLOPT_FOLLOWLOCATION => true,
            CURLOPT_CUSTOMREQUEST => "POST",
            CURLOPT_HTTPHEADER => [
                "Authorization: Token " . $this->key,
                "Content-Type: application/json",
            ],
            CURLOPT_POSTFIELDS => json_encode($data),
        ]);
        $response = curl_exec($curl);
        curl_close($curl);
        return json_decode($response);
    }

    public function shorten($url, $custom = "") {
        $data = ["url" => $url];
        if ($custom) $data["custom"] = $custom;
        return $this->http("url/add", $data);
    }
    public function stats($id) { return $this->http("url/stats", ["urlid" => $id]); }
    public function urls($limit = 10, $page = 1, $order = "date") {
        return $this->http("url/get", ["limit" => $limit, "page" => $page, "order" => $order]);
    }
    public function createUser($username, $email, $password) {
        return $this->http("user/create",
            ["username" => $username, "email" => $email, "password" => $password]);
    }
    public function getUser($id) { return $this->http("user/get", ["userid" => $id]); }
}

[$script, $base, $key, $adminKey] = $argv;
$api = new Shortener($base, $key);
$admin = new Shortener($base, $adminKey);
$out = [];

$r = $api->shorten("https://example.com/php", "from-php");
$out["shorten"] = $r->error ? ["error" => $r->message] : ["id" => $r->id, "short" => $r->shorturl];

$s = $api->stats($r->id);
$out["stats"] = $s->error ? ["error" => $s->message] : [
    "longurl" => $s->details->longurl, "shorturl" => $s->details->shorturl,
    "clicks" => $s->data->clicks, "campaign" => $s->details->campaign,
];

$u = $api->urls(10, 1, "date");
$out["urls"] = $u->error ? ["error" => $u->message] : [
    "result" => $u->data->result, "aliases" => array_map(fn($x) => $x->alias, $u->data->urls),
];

$c = $admin->createUser("phpuser", "php@example.com", "php-secret");
$out["create"] = $c->error ? ["error" => $c->message] : [
    "message" => $c->message, "id" => $c->data->id, "email" => $c->data->email,
];

$g = $admin->getUser($c->data->id);
$out["get"] = $g->error ? ["error" => $g->message] : [
    "username" => $g->data->username, "status" => $g->data->status,
];

$bad = (new Shortener($base, "wrong-key"))->stats($r->id);
$out["wrong_key"] = ["error" => $bad->error, "message" => $bad->message];

echo json_encode($out);
"""


def php_with_curl() -> str:
    missing = None
    if not PHP:
        missing = "php is not installed (Debian php-cli)"
    else:
        modules = subprocess.run([PHP, "-m"], capture_output=True, text=True, timeout=30).stdout
        if "curl" not in modules.split():
            missing = "php's curl extension is not installed (Debian php-curl)"
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{missing}: CI must run the PHP wrapper's calls")
        pytest.skip(missing)
    return PHP


def test_gempixel_php_wrapper_calls_work_unchanged(live, tmp_path):
    php = php_with_curl()
    script = tmp_path / "wrapper.php"
    script.write_text(WRAPPER)

    run = subprocess.run(
        [php, str(script), live.base, live.user.api_key, live.admin.api_key],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert run.returncode == 0, run.stderr
    parsed = json.loads(run.stdout)
    _assert_requests(live)
    link_id = _assert_link(live, parsed)
    _assert_users(live, parsed)
    assert parsed["wrong_key"]["error"] == 1
    assert "API key" in parsed["wrong_key"]["message"]
    assert live.exchanges[-1].status == 401
    assert live.exchanges[-1].json() == {"urlid": link_id}


def _assert_requests(live) -> None:
    """Each call as the wrapper sends it: a JSON POST with the `Token` scheme."""
    calls = [(e.method, e.path) for e in live.exchanges]
    assert calls == [
        ("POST", f"/api/{endpoint}")
        for endpoint in ("url/add", "url/stats", "url/get", "user/create", "user/get", "url/stats")
    ]
    keys = [live.user.api_key] * 3 + [live.admin.api_key] * 2 + ["wrong-key"]
    for exchange, key in zip(live.exchanges, keys, strict=True):
        assert exchange.authorization == f"Token {key}"
        assert exchange.content_type == "application/json"
    assert [e.status for e in live.exchanges] == [200, 200, 200, 200, 200, 401]


def _assert_link(live, parsed) -> int:
    add, stats, listing = live.exchanges[:3]
    assert add.json() == {"url": "https://example.com/php", "custom": "from-php"}
    link_id = add.answer_json()["id"]
    assert parsed["shorten"] == {"id": link_id, "short": f"{live.base}/from-php"}
    with live.app.app_context():
        link = db.session.scalar(select(ShortUrl).where(ShortUrl.alias == "from-php"))
        assert (link.id, link.user_id, link.url) == (
            link_id,
            live.user.id,
            "https://example.com/php",
        )

    assert stats.json() == {"urlid": link_id}
    assert parsed["stats"] == {
        "longurl": "https://example.com/php",
        "shorturl": f"{live.base}/from-php",
        "clicks": 0,
        "campaign": None,
    }
    assert stats.answer_json()["details"]["id"] == link_id

    assert listing.json() == {"limit": 10, "page": 1, "order": "date"}
    assert parsed["urls"] == {"result": 1, "aliases": ["from-php"]}
    assert listing.answer_json()["error"] == "0"
    return link_id


def _assert_users(live, parsed) -> None:
    create, get = live.exchanges[3:5]
    assert create.json() == {
        "username": "phpuser",
        "email": "php@example.com",
        "password": "php-secret",
    }
    new_id = create.answer_json()["data"]["id"]
    assert parsed["create"] == {
        "message": "User has been registered.",
        "id": new_id,
        "email": "php@example.com",
    }
    with live.app.app_context():
        user = db.session.get(User, new_id)
        assert (user.username, user.email, user.is_admin) == ("phpuser", "php@example.com", False)

    assert get.json() == {"userid": new_id}
    assert parsed["get"] == {"username": "phpuser", "status": "free"}
