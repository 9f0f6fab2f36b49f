"""Web sessions kept on the server: the cookie holds a random token, the table says whose it is."""

from consentgate.runtime.sessions.schemas import ABSOLUTE_LIFETIME, IDLE_TIMEOUT, LoadedSession
from consentgate.runtime.sessions.service import WebSessions

__all__ = ["ABSOLUTE_LIFETIME", "IDLE_TIMEOUT", "LoadedSession", "WebSessions"]
