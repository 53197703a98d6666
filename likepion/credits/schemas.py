from marshmallow import Schema, fields

from likepion.core.fields import IsoZ


class LedgerEntryRead(Schema):
    id = fields.UUID()
    amount = fields.Integer()
    reason = fields.String()
    reference = fields.String(allow_none=True)
    balance_after = fields.Integer()
    created_at = IsoZ()


class CreditsRead(Schema):
    credits = fields.Integer()
    ledger = fields.List(fields.Nested(LedgerEntryRead))


class CreditsEnvelope(Schema):
    success = fields.Boolean(dump_default=True)
    data = fields.Nested(CreditsRead)
    total = fields.Integer()
    page = fields.Integer()
    limit = fields.Integer()
