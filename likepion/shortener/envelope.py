"""The shortener's envelope family: `{"error": 0, ...}` / `{"error": 1, "message": ...}`."""

from flask import jsonify


def error_message(message: str, details: dict | None) -> str:
    """One readable line: the message, then the first field error when there is one."""
    field, problems = _first_problem(details or {})
    return f"{message} {field}: {problems}" if field else message


def _first_problem(details: dict, prefix: str = ""):
    for key, value in details.items():
        name = f"{prefix}{key}" if not prefix else f"{prefix}.{key}"
        if isinstance(value, dict):
            return _first_problem(value, name)
        if isinstance(value, list) and value:
            return name, " ".join(str(v) for v in value)
        return name, str(value)
    return None, None


def error_response(status: int, code: str, message: str, details: dict, headers=None):
    response = jsonify(error=1, message=error_message(message, details))
    response.status_code = status
    response.headers.extend(headers or [])
    return response
