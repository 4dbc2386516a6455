"""The OpenAPI 3.1 document of /api/v1, written out by hand next to the
routes it describes (tests/api run schemathesis against it, so a route that
answers what the document does not say fails)."""

from __future__ import annotations

from typing import Any

from meetup.api.inputs import EVENT_FIELDS

JSON = "application/json"
ERRORS = {
    400: "The request is not right: the message says why",
    401: "No token, or one that is not valid (revoked?)",
    403: "The token may only read",
    404: "No such page, event or guest (another page's are not found either)",
    409: "In the way of something already there (a link taken, …)",
    422: "Fields that break the rules, each with its problem",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _content(schema: dict[str, Any], *types: str) -> dict[str, Any]:
    return {kind: {"schema": schema} for kind in (types or (JSON,))}


def _errors(*statuses: int) -> dict[str, Any]:
    return {
        str(status): {
            "description": ERRORS[status],
            "content": _content(_ref("Error")),
        }
        for status in statuses
    }


def _ok(schema: dict[str, Any], description: str, status: int = 200) -> dict[str, Any]:
    return {str(status): {"description": description, "content": _content(schema)}}


NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TIME = {"type": "string", "format": "date-time"}
COUNT = {"type": "integer", "minimum": 0}

EVENT = {
    "type": "object",
    "required": [
        "id",
        "slug",
        "url",
        "calendar_url",
        "title",
        "summary",
        "description",
        "starts_at",
        "ends_at",
        "timezone",
        "all_day",
        "local_start",
        "local_end",
        "venue",
        "status",
        "visibility",
        "capacity",
        "going",
        "places_left",
    ],
    "properties": {
        "id": {"type": "integer"},
        "slug": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "calendar_url": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string", "description": "Markdown"},
        "starts_at": TIME,
        "ends_at": TIME,
        "timezone": {"type": "string", "examples": ["Europe/Berlin"]},
        "all_day": {"type": "boolean"},
        "local_start": {"type": "string", "description": "In the event's zone"},
        "local_end": {"type": "string"},
        "venue": {
            "type": "object",
            "required": ["name", "address", "latitude", "longitude"],
            "properties": {
                "name": {"type": "string"},
                "address": {"type": "string"},
                "latitude": {"type": ["number", "null"]},
                "longitude": {"type": ["number", "null"]},
            },
        },
        "status": {"enum": ["draft", "published", "cancelled"]},
        "visibility": {"enum": ["public", "unlisted"]},
        "capacity": {"type": ["integer", "null"]},
        "going": COUNT,
        "places_left": {"type": ["integer", "null"]},
        "waitlisted": COUNT,
        "maybe": COUNT,
        "pending": COUNT,
        "checked_in": COUNT,
    },
}

_JSON_TYPES = {str: "string", bool: "boolean", int: "integer", type(None): "null"}
_FIELD_NOTES = {
    "starts_at": "Local time in the event's zone: YYYY-MM-DDTHH:MM (a date for all-day events)",
    "ends_at": "Local time in the event's zone; for all-day events the last day",
    "timezone": "An IANA zone; the page's when left out",
    "slug": "The link /e/{slug}; made from the title when left out",
    "capacity": "Places, 1 to 100,000; null for no limit",
    "visibility": "public or unlisted",
}


LOCAL_TIME = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2})?$"
# What the editor's form enforces, said in the schema (the API enforces it:
# it runs the same form).
_LIMITS: dict[str, dict[str, Any]] = {
    "title": {"minLength": 1, "maxLength": 140},
    "slug": {"maxLength": 80},
    "summary": {"maxLength": 300},
    "description": {"maxLength": 20000},
    "starts_at": {"pattern": LOCAL_TIME},
    "ends_at": {"pattern": LOCAL_TIME},
    "venue_name": {"maxLength": 140},
    "venue_address": {"maxLength": 300},
    "capacity": {"minimum": 1, "maximum": 100000},
    "max_guests": {"minimum": 0, "maximum": 10},
    "visibility": {"enum": ["public", "unlisted"]},
}


def _input(required: list[str]) -> dict[str, Any]:
    properties = {}
    for name, types in EVENT_FIELDS.items():
        kinds = [_JSON_TYPES[kind] for kind in types]
        field: dict[str, Any] = {"type": kinds[0] if len(kinds) == 1 else kinds}
        if name in _FIELD_NOTES:
            field["description"] = _FIELD_NOTES[name]
        field.update(_LIMITS.get(name, {}))
        properties[name] = field
    schema: dict[str, Any] = {
        "type": "object",
        "additionalProperties": False,
        "properties": properties,
    }
    if required:
        schema["required"] = required
    return schema


GUEST = {
    "type": "object",
    "required": [
        "id",
        "name",
        "email",
        "status",
        "extra_guests",
        "answered_at",
        "checked_in_at",
        "walk_in",
        "source",
    ],
    "properties": {
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "email": {"type": "string"},
        "status": {
            "type": "string",
            "description": "going, maybe, not_going, waitlisted, pending, invited, requested, …",
        },
        "extra_guests": COUNT,
        "answered_at": TIME,
        "checked_in_at": NULLABLE_TIME,
        "walk_in": {"type": "boolean"},
        "source": {
            "oneOf": [
                {"type": "null"},
                {
                    "type": "object",
                    "required": ["id", "label"],
                    "properties": {
                        "id": {"type": "integer"},
                        "label": {"type": "string"},
                    },
                },
            ]
        },
    },
}

FUNNEL_COUNTS = [
    "previews",
    "clicks",
    "visitors",
    "rsvps",
    "first_touch",
    "attended",
    "met",
    "chats",
    "followers",
]

SOURCE = {
    "type": "object",
    "required": ["id", "label", "kind", "platform", "link", "created_at", "counts"],
    "properties": {
        "id": {"type": "integer"},
        "label": {"type": "string"},
        "kind": {"type": "string"},
        "platform": {"type": "string"},
        "link": {"type": "string", "format": "uri"},
        "created_at": TIME,
        "counts": {
            "type": "object",
            "required": FUNNEL_COUNTS,
            "properties": {name: COUNT for name in FUNNEL_COUNTS},
        },
    },
}

PAGE = {
    "type": "object",
    "required": ["handle", "name", "url", "timezone"],
    "properties": {
        "handle": {"type": "string"},
        "name": {"type": "string"},
        "url": {"type": "string", "format": "uri"},
        "timezone": {"type": "string"},
    },
}

DASHBOARD = {
    "type": "object",
    "required": ["people", "goal", "connections_per_week", "events"],
    "properties": {
        "people": {
            "type": "object",
            "required": ["rsvped", "came", "chats", "followers"],
            "properties": {
                name: COUNT for name in ("rsvped", "came", "chats", "followers")
            },
        },
        "goal": {
            "type": "object",
            "required": ["period", "target", "count", "streak"],
            "properties": {
                "period": {"enum": ["day", "week"]},
                "target": COUNT,
                "count": COUNT,
                "streak": COUNT,
            },
        },
        "connections_per_week": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["week_of", "connections"],
                "properties": {
                    "week_of": {"type": "string", "format": "date"},
                    "connections": COUNT,
                },
            },
        },
        "events": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "title", "starts_at", "going", "checked_in", "met"],
                "properties": {
                    "id": {"type": "integer"},
                    "title": {"type": "string"},
                    "starts_at": TIME,
                    "going": COUNT,
                    "checked_in": COUNT,
                    "met": COUNT,
                },
            },
        },
    },
}

ERROR = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["status", "code", "message"],
            "properties": {
                "status": {"type": "integer"},
                "code": {"type": "string"},
                "message": {"type": "string"},
                "fields": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "array",
                        "items": {"type": "string"},
                    },
                },
            },
        }
    },
}


def _listing(key: str, item: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": [key, "total"],
        "properties": {key: {"type": "array", "items": _ref(item)}, "total": COUNT},
    }


def _id(name: str, about: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": about,
        "schema": {"type": "integer", "minimum": 1, "maximum": 999999999},
    }


PAGING = [
    {
        "name": "limit",
        "in": "query",
        "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
    },
    {
        "name": "offset",
        "in": "query",
        "schema": {"type": "integer", "minimum": 0, "default": 0},
    },
]
EVENT_ID = _id("event_id", "An event of the token's page")
READ: list[dict[str, list[str]]] = [{"token": []}]
READ_ERRORS = (400, 401, 404)
WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


def document(base_url: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "meetup API",
            "version": "1",
            "description": (
                "Read a page's published events without a token. With a page's "
                "token (made, named, scoped and revoked by the page's owner in "
                "Admin → API) read its events, guests, sources and dashboard "
                "figures, and with a read-and-write token create, edit and "
                "publish events and check guests in. Times are UTC (ISO 8601). "
                "Errors are JSON: {error: {status, code, message, fields?}}."
            ),
        },
        "servers": [{"url": f"{base_url}/api/v1"}],
        "components": {
            "securitySchemes": {
                "token": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "A page's API token, mtk_…",
                }
            },
            "schemas": {
                "Error": ERROR,
                "Event": EVENT,
                "NewEvent": _input(["title", "starts_at", "ends_at"]),
                "EventChanges": _input([]),
                "Guest": GUEST,
                "Source": SOURCE,
                "Page": PAGE,
                "Dashboard": DASHBOARD,
            },
        },
        "paths": {
            "/pages/{handle}/events": {
                "get": {
                    "operationId": "publicEvents",
                    "summary": "A page's upcoming published events (no token)",
                    "parameters": [
                        {
                            "name": "handle",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "string"},
                        },
                        {
                            "name": "format",
                            "in": "query",
                            "description": "jsonld for schema.org JSON-LD (or Accept: application/ld+json)",
                            "schema": {"enum": ["json", "jsonld"], "default": "json"},
                        },
                    ],
                    "security": [],
                    "responses": {
                        "200": {
                            "description": "The events",
                            "content": {
                                JSON: {
                                    "schema": {
                                        "type": "object",
                                        "required": ["page", "events"],
                                        "properties": {
                                            "page": _ref("Page"),
                                            "events": {
                                                "type": "array",
                                                "items": _ref("Event"),
                                            },
                                        },
                                    }
                                },
                                "application/ld+json": {
                                    "schema": {
                                        "type": "object",
                                        "required": ["@context", "@type"],
                                    }
                                },
                            },
                        },
                        **_errors(400, 404),
                    },
                }
            },
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "The token's page and scope",
                    "security": READ,
                    "responses": {
                        **_ok(
                            {
                                "type": "object",
                                "required": ["page", "token"],
                                "properties": {
                                    "page": _ref("Page"),
                                    "token": {
                                        "type": "object",
                                        "required": ["name", "scope"],
                                        "properties": {
                                            "name": {"type": "string"},
                                            "scope": {"enum": ["read", "write"]},
                                        },
                                    },
                                },
                            },
                            "The page",
                        ),
                        **_errors(401),
                    },
                }
            },
            "/events": {
                "get": {
                    "operationId": "listEvents",
                    "summary": "The page's events, latest first",
                    "security": READ,
                    "parameters": [
                        *PAGING,
                        {
                            "name": "status",
                            "in": "query",
                            "schema": {"enum": ["draft", "published", "cancelled"]},
                        },
                    ],
                    "responses": {
                        **_ok(_listing("events", "Event"), "The events"),
                        **_errors(*READ_ERRORS),
                    },
                },
                "post": {
                    "operationId": "createEvent",
                    "summary": "Create a draft event (read-and-write token)",
                    "security": READ,
                    "requestBody": {
                        "required": True,
                        "content": _content(_ref("NewEvent")),
                    },
                    "responses": {
                        **_ok(_ref("Event"), "The new draft", 201),
                        **_errors(*WRITE_ERRORS),
                    },
                },
            },
            "/events/{event_id}": {
                "parameters": [EVENT_ID],
                "get": {
                    "operationId": "getEvent",
                    "security": READ,
                    "responses": {
                        **_ok(_ref("Event"), "The event"),
                        **_errors(*READ_ERRORS),
                    },
                },
                "patch": {
                    "operationId": "changeEvent",
                    "summary": "Change some of an event's fields (read-and-write token); guests hear of a new time or place as from the editor",
                    "security": READ,
                    "requestBody": {
                        "required": True,
                        "content": _content(_ref("EventChanges")),
                    },
                    "responses": {
                        **_ok(_ref("Event"), "The event as changed"),
                        **_errors(*WRITE_ERRORS),
                    },
                },
            },
            "/events/{event_id}/publish": {
                "parameters": [EVENT_ID],
                "post": {
                    "operationId": "publishEvent",
                    "summary": "Publish a draft (read-and-write token)",
                    "security": READ,
                    "responses": {
                        **_ok(_ref("Event"), "The published event"),
                        **_errors(*WRITE_ERRORS),
                    },
                },
            },
            "/events/{event_id}/guests": {
                "parameters": [EVENT_ID],
                "get": {
                    "operationId": "listGuests",
                    "summary": "Everyone who answered, in the order they did",
                    "security": READ,
                    "parameters": PAGING,
                    "responses": {
                        **_ok(_listing("guests", "Guest"), "The guests"),
                        **_errors(*READ_ERRORS),
                    },
                },
            },
            "/events/{event_id}/guests/{guest_id}/check-in": {
                "parameters": [EVENT_ID, _id("guest_id", "A guest of that event")],
                "post": {
                    "operationId": "checkIn",
                    "summary": "Check a guest in (read-and-write token); again changes nothing",
                    "security": READ,
                    "responses": {
                        **_ok(_ref("Guest"), "The guest, checked in"),
                        **_errors(*WRITE_ERRORS),
                    },
                },
                "delete": {
                    "operationId": "undoCheckIn",
                    "summary": "Undo a check-in (read-and-write token)",
                    "security": READ,
                    "responses": {
                        **_ok(_ref("Guest"), "The guest, not checked in"),
                        **_errors(*WRITE_ERRORS),
                    },
                },
            },
            "/sources": {
                "get": {
                    "operationId": "listSources",
                    "summary": "Tracked links and what each brought (as the dashboard counts)",
                    "security": READ,
                    "parameters": PAGING,
                    "responses": {
                        **_ok(_listing("sources", "Source"), "The sources"),
                        **_errors(*READ_ERRORS),
                    },
                }
            },
            "/dashboard": {
                "get": {
                    "operationId": "dashboard",
                    "summary": "The dashboard's figures",
                    "security": READ,
                    "responses": {
                        **_ok(_ref("Dashboard"), "The figures"),
                        **_errors(401),
                    },
                }
            },
        },
    }
