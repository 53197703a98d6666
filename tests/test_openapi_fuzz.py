"""Property-based fuzzing of every operation that GET /openapi.json documents (schemathesis,
in-process over WSGI), plus checks that the document and the docs page are complete and offline.

Each documented operation is its own test id, fuzzed with the credentials its `security`
declares (jwt, apiKey, serverKey) on an app with rate limits off. Schemathesis' coverage phase
also sends some cases without those credentials on purpose, so some 401s are expected. A 5xx
fails a test, and so does any response that breaks the declared contract (response schema,
status code, content type, headers, unenforced auth): the test fails with the example that broke
it.
"""

import itertools
import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import schemathesis
from flask_jwt_extended import create_access_token, create_refresh_token
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.core.parameters import ParameterLocation

from tests.conftest import build_app
from tests.factories import (
    make_account,
    make_group,
    make_request,
    make_server,
    make_site,
    make_user,
)

HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
# Operations whose `jwt` security means a refresh token, not an access token.
REFRESH_TOKEN_OPERATIONS = {("POST", "/api/v1/auth/refresh")}
CONTRACT_CHECKS = [
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.ignored_auth,
]


# One app for the whole module (building one is the slow part); each operation gets its own user,
# server and objects, so what one operation's examples change (an API key rotated, a group
# deleted) cannot lock the next operation out.
app = build_app("sqlite://", RATELIMIT_ENABLED=False)
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
_serial = itertools.count(1)


@dataclass
class FuzzTarget:
    """A caller with credits and every kind of credential, and what its requests found."""

    credentials: dict[str, str]
    # Ids of the caller's own objects by path parameter name, so that generated cases reach past
    # the 404 of a random id into the code that handles a real object.
    path_ids: dict[str, str]
    calls: int = 0


@pytest.fixture
def target(request):
    n = next(_serial)
    user = make_user(app, credits=1_000_000)
    with app.app_context():
        credentials = {
            "jwt": create_access_token(identity=str(user.uuid)),
            "jwt-refresh": create_refresh_token(identity=str(user.uuid)),
            "apiKey": user.api_key,
            "serverKey": make_server(app, f"fuzz-{n}").headers["X-API-Key"],
        }
    site = f"fuzz{n}.example"
    make_site(app, service_type="entity", name=site)
    group = make_group(app, user, service_type="entity")
    account = make_account(app, group, website=site, username=f"fuzzer{n}", password="pw")
    campaign = make_request(
        app, user, service_type="entity", links=("pending", "running", "completed", "failed")
    )
    path_ids = {
        "service_type": "entity",
        "group_id": str(group),
        "account_id": str(account),
        "request_id": str(campaign.id),
        "link_id": str(campaign.link_ids[0]),
    }
    fuzz = FuzzTarget(credentials, path_ids)
    yield fuzz
    assert fuzz.calls > 0, f"{request.node.name}: the fuzzer sent no request"


def _security_schemes(operation) -> list[str]:
    """The schemes of the operation's first non-empty security requirement (all are sent)."""
    requirements = operation.definition.raw.get("security", schema.raw_schema.get("security", []))
    return next((list(requirement) for requirement in requirements if requirement), [])


def _auth_headers(case, credentials: dict[str, str]) -> dict[str, str]:
    return _operation_auth_headers(case.operation, credentials)


def _operation_auth_headers(operation, credentials: dict[str, str]) -> dict[str, str]:
    headers = {}
    for scheme in _security_schemes(operation):
        if scheme == "jwt":
            refresh = (operation.method.upper(), operation.path) in REFRESH_TOKEN_OPERATIONS
            headers["Authorization"] = f"Bearer {credentials['jwt-refresh' if refresh else 'jwt']}"
        elif scheme == "apiKey":
            headers["Authorization"] = f"Bearer {credentials['apiKey']}"
        elif scheme == "serverKey":
            headers["X-API-Key"] = credentials["serverKey"]
        else:
            pytest.fail(f"{operation.label}: the fuzzer has no credential for {scheme!r}")
    return headers


def _use_real_ids(case, path_ids: dict[str, str]) -> None:
    """In the fuzzing phase, point valid path parameters at the caller's own objects (the
    coverage phase keeps its generated ids, so the 404 of an unknown id is exercised too)."""
    meta = case.meta
    if not case.path_parameters or meta is None or meta.phase.name.value != "fuzzing":
        return
    if meta.is_negative_at(ParameterLocation.PATH):
        return
    known = [name for name in case.path_parameters if name in path_ids]
    if known and known != ["service_type"]:
        for name in known:
            case.path_parameters[name] = path_ids[name]


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_documented_operation_never_answers_5xx(case, target):
    _use_real_ids(case, target.path_ids)
    headers = _auth_headers(case, target.credentials)
    response = case.call(headers=headers)
    target.calls += 1
    case.validate_response(
        response,
        checks=[checks.not_a_server_error, *CONTRACT_CHECKS],
        headers=headers,
        transport_kwargs={"app": app, "headers": headers},
    )


# --- hostile JSON bodies (issue 11): deep nesting, huge integers, lone surrogates, non-JSON
# numbers, put where each operation's body schema has a field, sent to every operation.
OPERATIONS = sorted(
    (result.ok() for result in schema.get_all_operations()),
    key=lambda operation: (operation.path, operation.method),
)


def _deep(levels: int, opener: str) -> str:
    closer = "]" if opener == "[" else "}"
    return opener * levels + "1" + closer * levels


# Each past what Python's json module or the database takes: its recursion limit (~1,000
# levels), its 4,300-digit integer conversion limit, 64-bit columns, UTF-8 text.
HOSTILE_VALUES = st.sampled_from(
    [
        _deep(1000, "["),
        _deep(3000, '{"a":'),
        _deep(65, "["),
        "9" * 4301,
        "-" + "9" * 6000,
        "99999999999999999999",
        '"\\ud800"',
        '"text \\udfff"',
        '"\\udbff\\u0041"',
        "NaN",
        "1e999",
    ]
)


def _body_fields(operation) -> list[str]:
    """The top-level property names of the operation's JSON body schema ($ref resolved)."""
    body = operation.definition.raw.get("requestBody", {})
    found = body.get("content", {}).get("application/json", {}).get("schema", {})
    found = (found.get("oneOf") or [found])[0]
    if "$ref" in found:
        found = schema.raw_schema["components"]["schemas"][found["$ref"].rsplit("/", 1)[1]]
    return sorted(found.get("properties", {})) or ["name"]


@st.composite
def hostile_bodies(draw, fields: list[str]) -> str:
    value = draw(HOSTILE_VALUES)
    field = json.dumps(draw(st.sampled_from(fields)))
    return draw(
        st.sampled_from(
            [
                value,
                f"{{{field}: {value}}}",
                f'{{{field}: [{value}], "items": [{{{field}: {value}}}]}}',
                '{"\\ud800": 1, ' + f"{field}: 1}}",
            ]
        )
    )


def _filled_path(operation, path_ids: dict[str, str]) -> str:
    return re.sub(r"{([^}]+)}", lambda m: path_ids.get(m.group(1), "1"), operation.path)


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda operation: operation.label)
def test_hostile_json_bodies_never_answer_5xx(operation, target):
    headers = _operation_auth_headers(operation, target.credentials)
    path = _filled_path(operation, target.path_ids)
    client = app.test_client()

    @settings(
        max_examples=12,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(body=hostile_bodies(_body_fields(operation)))
    def send(body):
        response = client.open(
            path, method=operation.method.upper(), data=body, headers=headers,
            content_type="application/json",
        )  # fmt: skip
        target.calls += 1
        assert response.status_code < 500, (body[:200], response.get_data(as_text=True)[:300])

    app.server_errors.clear()
    send()
    assert app.server_errors == []


def _documented_operations(document: dict) -> set[tuple[str, str]]:
    return {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in HTTP_METHODS
    }


def test_every_documented_operation_is_a_fuzz_target():
    loaded = [result.ok() for result in schema.get_all_operations()]
    fuzzed = {(operation.method.upper(), operation.path) for operation in loaded}
    documented = _documented_operations(schema.raw_schema)
    assert fuzzed == documented
    assert REFRESH_TOKEN_OPERATIONS <= documented


def test_openapi_documents_every_api_url_rule():
    documented = _documented_operations(app.test_client().get("/openapi.json").get_json())
    served = {
        (method, re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule))
        for rule in app.url_map.iter_rules()
        if rule.rule == "/api" or rule.rule.startswith("/api/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served, "the app serves no /api/ route"
    assert served - documented == set()


def test_docs_page_is_swagger_ui_with_local_assets_only():
    client = app.test_client()
    response = client.get("/docs/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="swagger-ui"' in page and "SwaggerUIBundle" in page
    assert re.search(r'"url":\s*"/openapi.json"', page)
    assert re.search(r'"validatorUrl":\s*null', page)

    absolute = re.findall(r"https?://[^\s\"'<>)]+", page)
    off_host = [url for url in absolute if urlsplit(url).hostname != "localhost"]
    assert off_host == []

    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", page)
    assert len(assets) >= 4
    for asset in assets:
        assert urlsplit(asset).netloc == "", asset
        assert client.get(asset).status_code == 200, asset


# --- the document is complete enough to generate a client from (issue 15 item 7) -----------
NOT_DOCUMENTED = {"/static/<path:filename>", "/openapi.json", "/docs/", "/docs/<path:path>"}


def _operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                yield method.upper(), path, operation


def test_every_operation_has_a_summary_and_a_description():
    document = schema.raw_schema
    missing = [
        (method, path)
        for method, path, operation in _operations(document)
        if not operation.get("summary", "").strip() or not operation.get("description", "").strip()
    ]
    assert missing == []


def test_shortener_operations_document_400_and_their_own_error_body():
    document = schema.raw_schema
    shortener = [
        (path, operation)
        for _method, path, operation in _operations(document)
        if path.startswith("/api/") and not path.startswith("/api/v1/")
    ]
    assert shortener
    for path, operation in shortener:
        responses = operation["responses"]
        assert "422" not in responses, path
        assert responses["default"] == {"$ref": "#/components/responses/SHORTENER_ERROR"}, path
    with_body = [operation for path, operation in shortener if "requestBody" in operation]
    assert with_body and all("400" in operation["responses"] for operation in with_body)
    error = document["components"]["schemas"]["ShortenerErrorRead"]
    assert set(error["properties"]) == {"error", "message"}
    assert document["components"]["schemas"]["ErrorRead"]["properties"]["success"]["example"] is (
        False
    )


def test_worker_tasks_are_documented_field_by_field():
    schemas = schema.raw_schema["components"]["schemas"]
    pulled = schemas["PulledTasks"]["properties"]["data"]["items"]
    assert pulled == {  # anyOf: a secondary task's fields are a primary task's too (no oneOf)
        "anyOf": [
            {"$ref": "#/components/schemas/PrimaryTask"},
            {"$ref": "#/components/schemas/SecondaryTask"},
        ]
    }
    checks_item = schemas["CheckTaskList"]["properties"]["data"]["items"]
    assert checks_item == {"allOf": [{"$ref": "#/components/schemas/CheckTask"}]}
    for name in ("PrimaryTask", "SecondaryTask", "CheckTask", "ReportItem", "InsertItem"):
        properties = schemas[name]["properties"]
        assert len(properties) >= 5 and all("type" in p for p in properties.values()), name


def test_public_routes_are_documented_under_their_own_tag():
    document = schema.raw_schema
    public = {
        re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule.rule)
        for rule in app.url_map.iter_rules()
        if not rule.rule.startswith(("/api/", "/user/login/sso/"))
        and rule.rule not in NOT_DOCUMENTED
    }
    assert {"/{alias}", "/qr/{alias}", "/r/{slug}", "/healthz", "/readyz", "/metrics"} <= public
    for path in public:
        for _method, operation in document["paths"][path].items():
            if isinstance(operation, dict) and "responses" in operation:
                assert operation["tags"] == ["public"], path
    assert "public" in {tag["name"] for tag in document["tags"]}
