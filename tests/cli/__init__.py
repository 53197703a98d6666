"""Tests of the Flask CLI (README, "Running in production"), driven through `runner.invoke`."""


def assert_fails(result, message: str) -> None:
    """A non-zero exit whose reason is one `Error: ...` line containing `message`."""
    assert result.exit_code != 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, result.output
    assert message in lines[0], result.output
