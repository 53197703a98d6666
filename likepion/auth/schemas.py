from flask import Flask, current_app
from marshmallow import Schema, fields, validate

from likepion.core.fields import IsoZ

USER_PLAN = "likepion.user_plan"

USERNAME = validate.Regexp(
    r"^[A-Za-z0-9_.-]{3,32}\Z", error="3-32 characters: letters, digits, '_', '.', '-'."
)
PASSWORD = validate.Length(min=8, max=128)


class RegistrationCreate(Schema):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    username = fields.String(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=PASSWORD)


class LoginCreate(Schema):
    login = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=128))


class TokenRead(Schema):
    access_token = fields.String()
    refresh_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class UserPlanRead(Schema):
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
    plan = fields.Nested(UserPlanRead, allow_none=True)
    plan_expires = IsoZ()
    created_at = IsoZ()

    def get_attribute(self, obj, attr, default):
        if attr == "plan":
            return user_plan(obj)
        return super().get_attribute(obj, attr, default)


def show_plans_with(app: Flask, lookup) -> None:
    """Auth keeps only a user's `plan_id`; the family that knows plans gives `lookup(user)`, the
    plan a user is on, for UserRead's `plan`."""
    app.extensions[USER_PLAN] = lookup


def user_plan(user):
    lookup = current_app.extensions.get(USER_PLAN)
    return lookup(user) if lookup is not None else None


class ApiKeyRead(Schema):
    api_key = fields.String()
