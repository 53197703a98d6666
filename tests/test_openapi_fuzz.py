"""Property-based fuzzing of every operation that GET /openapi.json documents (schemathesis,
in-process over WSGI), plus checks that the document and the docs page are complete and offline.

Each documented operation is its own test id, fuzzed with the credentials its `security`
declares (jwt, apiKey, serverKey) on an app with rate limits off. Schemathesis' coverage phase
also sends some cases without those credentials on purpose, so some 401s are expected. Only a 5xx
fails a test; responses that break the declared contract (schema, status code, content type,
headers, unenforced auth) are reported as warnings.
"""

import itertools
import re
import warnings
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
import schemathesis
from flask_jwt_extended import create_access_token, create_refresh_token
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.core.failures import FailureGroup
from schemathesis.core.parameters import ParameterLocation

from likepion.worker.services import create_server
from tests.conftest import build_app
from tests.factories import make_account, make_group, make_request, make_site, make_user

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
    # (check name, status code) pairs that already failed for this operation: one example each is
    # enough for the report, and formatting a failure (curl, sanitising) is the slow part.
    failed_checks: set[tuple[str, int]] = field(default_factory=set)
    contract_failures: dict[str, str] = field(default_factory=dict)


@pytest.fixture
def target(request):
    n = next(_serial)
    user = make_user(app, credits=1_000_000)
    with app.app_context():
        credentials = {
            "jwt": create_access_token(identity=str(user.uuid)),
            "jwt-refresh": create_refresh_token(identity=str(user.uuid)),
            "apiKey": user.api_key,
        }
        _server, credentials["serverKey"] = create_server(f"fuzz-{n}")
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
    if fuzz.contract_failures:
        report = "\n".join(
            f"- {summary}\n    e.g. {example}"
            for summary, example in fuzz.contract_failures.items()
        )
        warnings.warn(
            f"{request.node.name} answered outside its documented contract:\n{report}",
            stacklevel=1,
        )


def _security_schemes(operation) -> list[str]:
    """The schemes of the operation's first non-empty security requirement (all are sent)."""
    requirements = operation.definition.raw.get("security", schema.raw_schema.get("security", []))
    return next((list(requirement) for requirement in requirements if requirement), [])


def _auth_headers(case, credentials: dict[str, str]) -> dict[str, str]:
    headers = {}
    for scheme in _security_schemes(case.operation):
        if scheme == "jwt":
            refresh = (case.method.upper(), case.operation.path) in REFRESH_TOKEN_OPERATIONS
            headers["Authorization"] = f"Bearer {credentials['jwt-refresh' if refresh else 'jwt']}"
        elif scheme == "apiKey":
            headers["Authorization"] = f"Bearer {credentials['apiKey']}"
        elif scheme == "serverKey":
            headers["X-API-Key"] = credentials["serverKey"]
        else:
            pytest.fail(f"{case.operation.label}: the fuzzer has no credential for {scheme!r}")
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
    status = response.status_code
    contract = [c for c in CONTRACT_CHECKS if (c.__name__, status) not in target.failed_checks]
    try:
        case.validate_response(
            response,
            checks=[checks.not_a_server_error, *contract],
            headers=headers,
            transport_kwargs={"app": app, "headers": headers},
        )
    except FailureGroup as group:
        if any("not_a_server_error" in failure.checks for failure in group.exceptions):
            raise
        for failure in group.exceptions:
            summary = f"{failure.code} {failure.title}: {failure.message.strip().splitlines()[0]}"
            example = f"{case.method} {case.formatted_path} -> {status} {response.text}"
            target.contract_failures.setdefault(summary, example[:300])
            target.failed_checks.update((name, status) for name in failure.checks)


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
