"""Extension objects created unbound and bound in create_app.

The flask-smorest Api and the Limiter are built per app instead (create_app, core.ratelimit):
both keep app-specific state on the object, and tests build many apps.
"""

from flask_jwt_extended import JWTManager
from flask_migrate import Migrate

from likepion.core.db import db

__all__ = ["db", "jwt", "migrate"]

migrate = Migrate()
jwt = JWTManager()
