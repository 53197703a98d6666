"""The shortener API's blueprint at `/api`; route modules in shortener.routes register on it."""

from flask_smorest import Blueprint
from marshmallow import EXCLUDE
from webargs import core
from webargs.flaskparser import FlaskParser, is_json_request

from likepion.core.validation import refuse_nul

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class ClientFriendlyParser(FlaskParser):
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
        else:
            body = core.parse_json(req.get_data(cache=True))
        refuse_nul(body, "json")  # the JSON content type's check runs before the view
        return body


bp = Blueprint("shortener", __name__, url_prefix="/api", description="Short links (seed 004)")
bp.ARGUMENTS_PARSER = ClientFriendlyParser()
