from marshmallow import Schema, fields, validate

from likepion.core.fields import PlainTime


class AccountRead(Schema):
    id = fields.Integer()
    email = fields.String()
    username = fields.String()
    avatar = fields.String()
    status = fields.String()
    expires = PlainTime(allow_none=True)
    registered = PlainTime()


class AccountEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    data = fields.Nested(AccountRead)


class AccountUpdate(Schema):
    email = fields.Email(validate=validate.Length(max=254))
    password = fields.String(validate=validate.Length(min=8, max=128))


class MessageEnvelope(Schema):
    error = fields.Integer(dump_default=0)
    message = fields.String()
