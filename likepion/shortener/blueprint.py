"""The shortener API's blueprint at `/api`; route modules in shortener.routes register on it."""

from flask_smorest import Blueprint
from marshmallow import EXCLUDE
from webargs import core
from webargs.flaskparser import is_json_request

from likepion.core.validation import JsonBodyParser, refuse_nul
from likepion.shortener import alias_version  # noqa: F401 - registers the version's flush hook

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ClientFriendlyParser(JsonBodyParser):
    """Request bodies as GemPixel's clients send them (issue 12): fields a schema does not know
    are ignored, and a body is read whether it is JSON, form-encoded, or JSON sent without a
    JSON content type. The backlink and worker families keep flask-smorest's strict parser."""

    def __init__(self):
        super().__init__(unknown=EXCLUDE)

    def _raw_load_json(self, req):
        if is_json_request(req):
            return super()._raw_load_json(req)
        if req.mimetype in FORM_TYPES:
            body = req.form.to_dict()
        elif not req.get_data(cache=True):
            return core.missing
        else:
            body = req.get_json(force=True)  # the hardened loader: a bad body is a 400
        refuse_nul(body, "json")  # the JSON content type's check runs before the view
        return body


bp = Blueprint("shortener", __name__, url_prefix="/api", description="Short links (seed 004)")
bp.ARGUMENTS_PARSER = ClientFriendlyParser()
