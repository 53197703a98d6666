"""Application errors: raised by services and guards, rendered by each API family's envelope."""


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or {}
        if code:
            self.code = code


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class InsufficientCredits(AppError):
    status = 402
    code = "insufficient_credits"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class Gone(AppError):
    status = 410
    code = "gone"


class ValidationFailed(AppError):
    status = 422
    code = "validation_error"

    @classmethod
    def on_field(cls, field: str, problem: str) -> "ValidationFailed":
        """`Invalid <field>.`, with `problem` as that field's error."""
        return cls(f"Invalid {field}.", details={field: [problem]})
