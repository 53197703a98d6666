"""Worker API schemas of the tasks handed to workers (seed 002 field names); they dump the
records of worker.tasks."""

from marshmallow import Schema, fields

from likepion.core.fields import IsoZ


class TaskCredentials(Schema):
    """An account's credentials as every worker task carries them (seed 002 names)."""

    email = fields.String()
    username = fields.String()
    password = fields.String()
    pass_mail = fields.String()
    twofa = fields.String()
    app_password = fields.String()
    cookie = fields.String()


class SecondaryTask(TaskCredentials):
    """Seed 002 section 1: a virtual task; id = account_id."""

    id = fields.String()
    request_id = fields.String()
    type_request = fields.String()
    status = fields.String()
    account_id = fields.String()
    group_id = fields.String()
    target = fields.Integer()
    accounts_remaining = fields.Integer()
    domain = fields.String()
    website = fields.String()
    link_rss = fields.String()


class PrimaryTask(TaskCredentials):
    """A claimed link with its request's small fields and its account's credentials, flat;
    the request's config, data and folder_urls are in the pull's `requests` map."""

    id = fields.String()
    kind = fields.String()
    request_id = fields.String()
    type_request = fields.String()
    status = fields.String()
    service_type = fields.String()
    site_id = fields.String(allow_none=True)
    domain = fields.String()
    account_id = fields.String(allow_none=True)
    group_id = fields.String(allow_none=True)
    website = fields.String()
    target = fields.Integer()
    priority = fields.Integer()
    auction_price = fields.Integer()
    retry_count = fields.Integer()
    max_retries = fields.Integer()
    claimed_until = IsoZ()
    link_rss = fields.String()


class RequestFieldsRead(Schema):
    """A pulled request's JSON fields, once per request (the pull's `requests` map)."""

    config = fields.Dict(metadata={"description": "As the request's owner sent it (free-form)"})
    data = fields.Dict(metadata={"description": "As the request's owner sent it (free-form)"})
    folder_urls = fields.Dict(
        metadata={"description": "As the request's owner sent it (free-form)"}
    )


class CheckTask(TaskCredentials):
    """An account queued for a credentials check."""

    account_id = fields.String()
    group_id = fields.String()
    service_type = fields.String()
    domain = fields.String()
    claimed_until = IsoZ()


class TaskList(fields.List):
    """Tasks of several kinds (worker.tasks), each dumped by its kind's schema and documented
    field by field as one of them (the task schemas are registered in likepion.openapi)."""

    def __init__(self, schemas: dict[str, type[Schema]], **kwargs):
        refs = [{"$ref": f"#/components/schemas/{schema.__name__}"} for schema in schemas.values()]
        one_of = {"anyOf" if len(refs) > 1 else "allOf": refs}
        super().__init__(fields.Raw(metadata=one_of), **kwargs)
        self.schemas = {kind: schema() for kind, schema in schemas.items()}

    def _serialize(self, value, attr, obj, **kwargs):
        if value is None:
            return None
        return [self.schemas[task.kind].dump(task) for task in value]


class CheckTaskList(Schema):
    success = fields.Boolean(dump_default=True)
    data = TaskList({"check": CheckTask})


class PulledTasks(Schema):
    success = fields.Boolean(dump_default=True)
    data = TaskList({"primary": PrimaryTask, "secondary": SecondaryTask}, attribute="tasks")
    requests = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(RequestFieldsRead),
        metadata={
            "description": "config, data and folder_urls of each primary task's request, keyed "
            "by request_id: sent once per request, not once per task.",
            "example": {
                "0b9a4c1e-7f2d-4a57-9d3e-3c1f2b8e6a10": {
                    "config": {"anchor": "buy shoes"},
                    "data": {"title": "Post title"},
                    "folder_urls": {},
                }
            },
        },
    )


class WorkerAccountEnvelope(Schema):
    success = fields.Boolean(dump_default=True)
    data = fields.Nested(SecondaryTask)
