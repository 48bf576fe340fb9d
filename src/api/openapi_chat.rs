//! The chat routes in the OpenAPI document.
use rocket::serde::json::{json, Value};

use super::openapi_fields::{email, line, lines, slug};
use crate::validate::NAME_MAX;

/// The longest chat message with the default configuration (`STAFFEL_CHAT_MESSAGE_MAX`).
const CHAT_MESSAGE_MAX: usize = 4000;

pub fn schemas() -> Value {
    json!({
        "Availability": {
            "type": "object",
            "required": ["available", "channels", "phone", "hours"],
            "properties": {
                "available": { "type": "boolean", "description": "whether any channel is available" },
                "channels": { "type": "array", "items": { "type": "object", "required": ["slug", "name", "available"], "properties": {
                    "slug": { "type": "string" }, "name": { "type": "string" }, "available": { "type": "boolean" }
                }}},
                "phone": { "type": "string", "description": "the desk's phone, for when nobody is there" },
                "hours": { "type": "string" }
            }
        },
        "Person": {
            "type": "object",
            "required": ["name", "email"],
            "properties": { "name": { "type": "string" }, "email": { "type": "string" } }
        },
        "Presence": {
            "type": "object",
            "required": ["state"],
            "properties": {
                "state": { "type": "string", "enum": ["online", "away", "xa", "dnd", "offline"] },
                "people": { "type": "array", "items": { "type": "object", "properties": {
                    "name": { "type": "string" }, "email": { "type": "string" }, "role": { "type": "string" },
                    "state": { "type": "string", "enum": ["online", "away", "xa", "dnd", "offline"] }
                }}}
            }
        },
        "Chat": {
            "type": "object",
            "required": ["id", "kind", "status", "requester", "agents", "last_seq", "created_at"],
            "properties": {
                "id": { "type": "integer" },
                "kind": { "type": "string", "enum": ["request", "direct"], "description": "a school's request, or agents among themselves" },
                "status": { "type": "string", "enum": ["waiting", "active", "closed"] },
                "channel": { "type": "object", "nullable": true, "properties": { "slug": { "type": "string" }, "name": { "type": "string" } } },
                "school": { "type": "string", "nullable": true, "description": "school slug" },
                "school_name": { "type": "string", "nullable": true },
                "requester": { "$ref": "#/components/schemas/Person" },
                "agents": { "type": "array", "items": { "$ref": "#/components/schemas/Person" }, "description": "the agents in the chat now" },
                "context": { "type": "object", "additionalProperties": { "type": "string" }, "description": "the page the chat was started on and what it passed along" },
                "position": { "type": "integer", "nullable": true, "description": "a waiting request's place in its channel's queue (1: next)" },
                "last_seq": { "type": "integer", "description": "the number of the chat's last line" },
                "ticket": { "type": "string", "nullable": true, "description": "the ticket the chat became or was attached to" },
                "created_at": { "type": "string", "format": "date-time" },
                "accepted_at": { "type": "string", "format": "date-time", "nullable": true },
                "answered_via": { "type": "string", "enum": ["web", "xmpp"], "description": "where the agent who took it answers: the browser or their XMPP client" },
                "closed_at": { "type": "string", "format": "date-time", "nullable": true }
            }
        },
        "ChatMessage": {
            "type": "object",
            "required": ["seq", "kind", "author", "role", "body", "at"],
            "properties": {
                "seq": { "type": "integer", "description": "the line's number in its chat: 1, 2, 3, … without gaps" },
                "kind": { "type": "string", "enum": ["message", "file", "joined", "left", "closed"] },
                "author": { "type": "string" },
                "role": { "type": "string", "description": "the author's role, or `system`" },
                "body": { "type": "string", "description": "plain text; for a file its name" },
                "client_id": { "type": "string", "nullable": true, "description": "the sender's id for the message: sent again, it is stored once" },
                "file": { "type": "integer", "nullable": true, "description": "a file line's attachment (`/chats/{id}/attachments/{file}`)" },
                "at": { "type": "string", "format": "date-time" }
            }
        },
        "ChatUnavailable": {
            "type": "object",
            "required": ["error", "alternatives"],
            "properties": {
                "error": { "$ref": "#/components/schemas/Error/properties/error" },
                "alternatives": { "type": "object", "properties": {
                    "ticket_form": { "type": "string", "example": "/helpdesk/tickets/new" },
                    "phone": { "type": "string" }, "hours": { "type": "string" },
                    "channels": { "type": "array", "items": { "type": "object" } }
                }}
            }
        }
    })
}

fn error() -> Value {
    json!({ "$ref": "#/components/responses/Error" })
}

fn json_of(schema: &str) -> Value {
    json!({ "application/json": { "schema": { "$ref": format!("#/components/schemas/{schema}") } } })
}

fn body(properties: Value, required: &[&str]) -> Value {
    json!({ "required": !required.is_empty(), "content": { "application/json": { "schema": {
        "type": "object", "additionalProperties": false, "required": required, "properties": properties
    }}}})
}

fn id() -> Value {
    json!({ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } })
}

fn after() -> Value {
    json!({ "name": "after", "in": "query", "schema": { "type": "integer", "default": 0, "minimum": 0, "maximum": 2147483647 }, "description": "the number of the last line the caller has" })
}

/// A chat action: the chat's id, an optional body, and what it answers.
fn action(summary: &str, request: Option<Value>, ok: &str, answer: Value) -> Value {
    let mut op = json!({
        "summary": summary, "security": [{ "bearer": [] }],
        "parameters": [id()],
        "responses": { ok: answer, "400": error(), "401": error(), "403": error(), "404": error(), "409": error(), "413": error(), "415": error(), "422": error() }
    });
    if let Some(request) = request {
        op["requestBody"] = request;
    }
    json!({ "post": op })
}

fn events(summary: &str, extra: Value) -> Value {
    json!({ "get": {
        "summary": summary,
        "parameters": extra,
        "responses": {
            "200": { "description": "Server-Sent Events; each event's data is JSON with a `type`", "content": { "text/event-stream": { "schema": {
                "type": "object", "required": ["data"],
                "description": "one event: `data` is JSON with a `type`; `id` the line's number where it has one",
                "properties": { "data": { "type": "string" }, "event": { "type": "string" }, "id": { "type": "string" } }
            } } } },
            "401": error(), "403": error(), "404": error()
        }
    }})
}

pub fn paths() -> Value {
    let agent = || json!({ "agent": email("the agent's email") });
    let session = || json!({ "type": "string", "pattern": "^[A-Za-z0-9-]{1,64}$", "description": "the tab's own id: letters, digits, -" });
    let message = || lines(CHAT_MESSAGE_MAX);
    json!({
        "/chat/availability": { "get": {
            "summary": "Whether chat is available, per channel, with the desk's phone and hours (names nobody; anonymous callers may ask)",
            "responses": { "200": { "description": "Availability", "content": json_of("Availability") } }
        }},
        "/chat/availability/events": events("Availability, live: an `availability` event now and whenever it changes", json!([])),
        "/chat/presence": {
            "get": {
                "summary": "The caller's presence and everyone's at the desk (the desk)", "security": [{ "bearer": [] }],
                "responses": { "200": { "description": "Presence", "content": json_of("Presence") }, "401": error(), "403": error() }
            },
            "put": {
                "summary": "Choose a presence (the desk): a chosen state sticks until changed; `online` goes back to the automatic state",
                "security": [{ "bearer": [] }],
                "requestBody": body(json!({ "state": { "type": "string", "enum": ["online", "away", "xa", "dnd", "offline"] } }), &["state"]),
                "responses": { "200": { "description": "The state now", "content": json_of("Presence") }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
            }
        },
        "/chat/presence/heartbeat": { "post": {
            "summary": "A desk tab or device reports in (every 20 s or so); `input`: its person typed or moved since",
            "security": [{ "bearer": [] }],
            "requestBody": body(json!({ "session": session(), "input": { "type": "boolean" } }), &["session"]),
            "responses": { "200": { "description": "The state now", "content": json_of("Presence") }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
        }},
        "/chat/presence/leave": { "post": {
            "summary": "A desk tab says goodbye", "security": [{ "bearer": [] }],
            "requestBody": body(json!({ "session": session() }), &["session"]),
            "responses": { "204": { "description": "Gone" }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
        }},
        "/chat/channels": {
            "get": {
                "summary": "The caller's chat channels and whether they take each one's requests (the desk)", "security": [{ "bearer": [] }],
                "responses": { "200": { "description": "`{\"items\":[{\"slug\",\"name\",\"taking\"}]}`", "content": { "application/json": { "schema": { "type": "object" } } } }, "401": error(), "403": error() }
            },
            "post": {
                "summary": "Create or change a channel and choose its agents (desk leads)", "security": [{ "bearer": [] }],
                "requestBody": body(json!({
                    "slug": slug("the channel's slug"), "name": line(NAME_MAX),
                    "service": slug("service slug; a ticket made from a chat keeps it"),
                    "hours_only": { "type": "boolean", "default": false, "description": "available only within the desk's business hours" },
                    "active": { "type": "boolean", "default": true },
                    "agents": { "type": "array", "items": email("an agent's email"), "description": "the agents' emails" }
                }), &["slug", "name"]),
                "responses": { "200": { "description": "The channel", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
            }
        },
        "/chat/channels/{slug}/taking": { "put": {
            "summary": "Take a channel's requests, or stop taking them (the desk)", "security": [{ "bearer": [] }],
            "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" } }],
            "requestBody": body(json!({ "taking": { "type": "boolean" } }), &[]),
            "responses": { "200": { "description": "The caller's channels", "content": { "application/json": { "schema": { "type": "object" } } } }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
        }},
        "/chat/desk/events": events("The desk, live (agents): a `snapshot` first (requests of the caller's channels, people, own state), then `request`, `taken`, `closed`, `invited`, `direct` and `presence`", json!([])),
        "/chats": {
            "get": {
                "summary": "Chats: for the desk the waiting requests and their own chats, for a school admin their own",
                "security": [{ "bearer": [] }],
                "parameters": [{ "name": "status", "in": "query", "schema": { "type": "string", "enum": ["waiting", "active", "closed"] } }],
                "responses": { "200": { "description": "`{\"items\":[Chat]}`", "content": { "application/json": { "schema": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Chat" } } } } } } }, "401": error(), "403": error(), "422": error() }
            },
            "post": {
                "summary": "Ask the desk (school admins): a first message, a channel (default: the default channel) and the page's context",
                "security": [{ "bearer": [] }],
                "requestBody": body(json!({
                    "channel": { "type": "string", "nullable": true, "maxLength": 48, "pattern": "^[a-z](-?[a-z0-9])*$", "description": "channel slug" },
                    "message": message(),
                    "context": {
                        "type": "object", "nullable": true, "maxProperties": 20,
                        "additionalProperties": { "anyOf": [line(500), { "type": "number" }, { "type": "boolean" }], "nullable": true },
                        "description": "up to 20 keys (letters, digits, `_-.`, at most 40) with short text values"
                    }
                }), &["message"]),
                "responses": {
                    "201": { "description": "The waiting request, with its place in the queue", "content": json_of("Chat") },
                    "409": { "description": "Nobody is there: the ticket form, phone and hours instead", "content": json_of("ChatUnavailable") },
                    "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error(), "429": error()
                }
            }
        },
        "/chats/direct": { "post": {
            "summary": "Chat with another agent, outside any request (the desk)", "security": [{ "bearer": [] }],
            "requestBody": body(json!({ "agent": email("the agent's email"), "message": message() }), &["agent", "message"]),
            "responses": { "201": { "description": "The chat", "content": json_of("Chat") }, "400": error(), "401": error(), "403": error(), "413": error(), "415": error(), "422": error() }
        }},
        "/chats/{id}": { "get": {
            "summary": "One chat the caller may see", "security": [{ "bearer": [] }],
            "parameters": [id()],
            "responses": { "200": { "description": "The chat", "content": json_of("Chat") }, "401": error(), "404": error() }
        }},
        "/chats/{id}/accept": action("Take a waiting request (the desk); a second accept is told who was first", None, "200", json!({ "description": "The chat", "content": json_of("Chat") })),
        "/chats/{id}/invite": action("Bring another agent into the chat", Some(body(agent(), &["agent"])), "200", json!({ "description": "The chat", "content": json_of("Chat") })),
        "/chats/{id}/handover": action("Hand the chat over to another agent (and leave it)", Some(body(agent(), &["agent"])), "200", json!({ "description": "The chat", "content": json_of("Chat") })),
        "/chats/{id}/close": action("Close the chat (a requester may withdraw a waiting request)", None, "200", json!({ "description": "The chat", "content": json_of("Chat") })),
        "/chats/{id}/ticket": action("Turn the chat into a ticket of its school: the transcript on its timeline and as a PDF", None, "201", json!({ "description": "The ticket", "content": json_of("TicketWithEvents") })),
        "/chats/{id}/attach": action("Attach the chat to an open ticket of its school", Some(body(json!({ "ticket": { "type": "string", "pattern": "^([Tt]-)?[0-9]{1,9}$", "example": "T-000123" } }), &["ticket"])), "200", json!({ "description": "The ticket", "content": json_of("TicketWithEvents") })),
        "/chats/{id}/transcript/mail": action("Mail the transcript to the caller (through the outbox)", None, "202", json!({ "description": "Queued" })),
        "/chats/{id}/transcript.pdf": { "get": {
            "summary": "The transcript as a PDF document", "security": [{ "bearer": [] }],
            "parameters": [id()],
            "responses": { "200": { "description": "PDF", "content": { "application/pdf": { "schema": { "type": "string", "format": "binary" } } } }, "401": error(), "404": error() }
        }},
        "/chats/{id}/messages": {
            "get": {
                "summary": "The lines after `after`, in order (at most 500 at a time)", "security": [{ "bearer": [] }],
                "parameters": [id(), after()],
                "responses": { "200": { "description": "`{\"items\":[ChatMessage]}`", "content": { "application/json": { "schema": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/ChatMessage" } } } } } } }, "401": error(), "404": error(), "422": error() }
            },
            "post": {
                "summary": "Send a message; the same `client_id` again gets the stored one back (200)", "security": [{ "bearer": [] }],
                "parameters": [id()],
                "requestBody": body(json!({ "body": message(), "client_id": { "type": "string", "nullable": true, "pattern": "^[\\u0009-\\u000D\\u0020]*[\\u0021-\\u007E]{0,64}[\\u0009-\\u000D\\u0020]*$", "description": "printable ASCII without spaces, at most 64" } }), &["body"]),
                "responses": {
                    "201": { "description": "Stored", "content": json_of("ChatMessage") },
                    "200": { "description": "Stored before, with this client id", "content": json_of("ChatMessage") },
                    "400": error(), "401": error(), "403": error(), "404": error(), "409": error(), "413": error(), "415": error(), "422": error(), "429": error()
                }
            }
        },
        "/chats/{id}/typing": action("Tell the chat the caller is typing (nothing is stored)", None, "204", json!({ "description": "Told" })),
        "/chats/{id}/attachments": { "post": {
            "summary": "Send files or screenshots into the chat (the ladder's file rules)", "security": [{ "bearer": [] }],
            "parameters": [id()],
            "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "$ref": "#/components/schemas/Upload" } } } },
            "responses": {
                "201": { "description": "`{\"items\":[ChatMessage]}`: one line per file", "content": { "application/json": { "schema": { "type": "object" } } } },
                "400": error(), "401": error(), "403": error(), "404": error(), "409": error(), "413": error(), "415": error(), "422": error(), "429": error()
            }
        }},
        "/chats/{id}/attachments/{file}": { "get": {
            "summary": "A file sent in the chat", "security": [{ "bearer": [] }],
            "parameters": [id(), { "name": "file", "in": "path", "required": true, "schema": { "type": "integer" } }],
            "responses": { "200": { "description": "The file, with the safe download headers", "content": super::openapi_attachments::downloaded_types() }, "401": error(), "404": error() }
        }},
        "/chats/{id}/events": events("The chat, live, for networks that block WebSockets: its lines (event id = the line's number; `Last-Event-ID` or `after` resumes), `typing` and `position`; send with POST", json!([id(), after()])),
        "/chats/{id}/ws": { "get": {
            "summary": "The chat over WebSocket: frames `message`, `joined`, `left`, `closed`, `typing`, `position` (JSON with a `type`); send `{\"type\":\"message\",\"body\",\"client_id\"}`, `{\"type\":\"typing\"}`, `{\"type\":\"ping\"}`; `after` resumes. A browser's upgrade must come from Staffel's own origin",
            "parameters": [id(), after()],
            "responses": { "101": { "description": "Switching to WebSocket" }, "400": error(), "401": error(), "403": error(), "404": error() }
        }}
    })
}
