"""The registry service: FastAPI app, storage, and operator actions.

Needs the server extra: `pip install 'redline[server]'`.
"""

from redline.registry.server.admin import (
    TokenInfo,
    add_institute,
    list_institutes,
    list_tokens,
    new_token,
    register_key,
    revoke_token,
)
from redline.registry.server.app import create_app
from redline.registry.server.db import Database
from redline.registry.server.settings import Settings, default_database_url

__all__ = [
    "Database",
    "Settings",
    "TokenInfo",
    "add_institute",
    "create_app",
    "default_database_url",
    "list_institutes",
    "list_tokens",
    "new_token",
    "register_key",
    "revoke_token",
]
