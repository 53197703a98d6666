from marshmallow import Schema, fields, validate

from likepion.core.fields import IsoZ

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]{3,32}\Z", error="3-32 characters: letters, digits, '_', '.', '-'."
)
PASSWORD = validate.Length(min=8, max=128)


class RegisterIn(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=PASSWORD)


class LoginIn(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenRead(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class PlanBrief(Schema):
    id = fields.Integer()
    name = fields.String()
    free = fields.Boolean()


class UserRead(Schema):
    id = fields.UUID(attribute="uuid")
    numeric_id = fields.Integer(attribute="id")
    email = fields.String()
    username = fields.String()
    credits = fields.Integer()
    api_key = fields.String()
    is_admin = fields.Boolean()
    plan = fields.Nested(PlanBrief, allow_none=True)
    plan_expires = IsoZ()
    created_at = IsoZ()


class ApiKeyRead(Schema):
    api_key = fields.String()
