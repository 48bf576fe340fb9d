//! The ticket routes in the OpenAPI document.
use rocket::serde::json::{json, Value};

use super::openapi_fields::{email, line, lines, optional_lines, slug};
use crate::tickets::{TEXT_MAX, TITLE_MAX};

pub fn schemas() -> Value {
    json!({
        "Ticket": {
            "type": "object",
            "required": ["number", "title", "status", "level", "priority", "school", "service", "assignee", "provider", "created_at", "updated_at"],
            "properties": {
                "number": { "type": "string", "example": "T-000123" },
                "title": { "type": "string" },
                "description": { "type": "string", "description": "Markdown" },
                "status": { "type": "string", "enum": ["new", "open", "waiting_on_school", "at_provider", "resolved", "closed"] },
                "level": { "type": "integer", "minimum": 1, "maximum": 3, "description": "1 school, 2 service desk, 3 provider" },
                "priority": { "type": "string", "enum": ["P1", "P2", "P3", "P4"] },
                "school": { "type": "string", "description": "school slug" },
                "service": { "type": "string", "nullable": true },
                "assignee": { "type": "string", "nullable": true, "description": "email of the agent" },
                "provider": { "type": "string", "nullable": true },
                "triage": { "type": "object", "properties": { "scope": { "type": "string", "nullable": true }, "fault_type": { "type": "string", "nullable": true } } },
                "solution": { "type": "string", "nullable": true },
                "first_response_due": { "type": "string", "format": "date-time", "nullable": true },
                "resolution_due": { "type": "string", "format": "date-time", "nullable": true },
                "next_due": { "type": "string", "format": "date-time", "nullable": true, "description": "the earliest due time still to be met; null once the ticket is resolved or closed" },
                "sla": { "type": "string", "enum": ["near", "overdue"], "nullable": true },
                "version": { "type": "integer", "description": "send it back with a change to be told if someone else changed the ticket first" },
                "created_at": { "type": "string", "format": "date-time" },
                "updated_at": { "type": "string", "format": "date-time" }
            }
        },
        "TicketWithEvents": {
            "allOf": [
                { "$ref": "#/components/schemas/Ticket" },
                { "type": "object", "required": ["events"], "properties": {
                    "events": { "type": "array", "items": { "$ref": "#/components/schemas/TicketEvent" } },
                    "attachments": { "type": "array", "items": { "$ref": "#/components/schemas/Attachment" }, "description": "the files the caller may download" }
                } }
            ]
        },
        "TicketEvent": {
            "type": "object",
            "properties": {
                "kind": { "type": "string" }, "actor": { "type": "string" }, "body": { "type": "string" },
                "internal": { "type": "boolean" }, "data": { "type": "object" }, "created_at": { "type": "string", "format": "date-time" }
            }
        },
        "SharedTicket": {
            "type": "object",
            "properties": {
                "number": { "type": "string" }, "title": { "type": "string" },
                "description": { "type": "string", "nullable": true },
                "origin": {
                    "type": "object", "nullable": true,
                    "description": "the fields of the teacher's report the ticket came from, shared with the description (never who reported it)",
                    "properties": { "affected": { "type": "string" }, "since": { "type": "string" }, "how_many": { "type": "string" } }
                },
                "priority": { "type": "string" },
                "message": { "type": "string" }, "status": { "type": "string" }, "forward_status": { "type": "string" },
                "reference": { "type": "string", "nullable": true }, "provider": { "type": "string" },
                "due_at": { "type": "string", "format": "date-time" }, "solution": { "type": "string", "nullable": true },
                "events": { "type": "array", "items": { "type": "object" } },
                "attachments": { "type": "array", "items": { "$ref": "#/components/schemas/Attachment" }, "description": "shared with this forward or uploaded by the provider" }
            }
        },
        "TicketPage": {
            "type": "object",
            "required": ["items", "next"],
            "properties": {
                "items": { "type": "array", "items": { "$ref": "#/components/schemas/Ticket" } },
                "next": { "type": "string", "nullable": true, "description": "cursor for `after`" }
            }
        }
    })
}

fn action(summary: &str, body: Value) -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    // An action whose fields are all optional takes a request without a body too.
    let required = body["required"].as_array().is_some_and(|fields| !fields.is_empty());
    json!({ "post": {
        "summary": summary,
        "security": [{ "bearer": [] }],
        "parameters": [{ "name": "number", "in": "path", "required": true, "schema": { "type": "string" }, "example": "T-000123" }],
        "requestBody": { "required": required, "content": { "application/json": { "schema": body } } },
        "responses": {
            "200": { "description": "The ticket after the change", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TicketWithEvents" } } } },
            "401": error, "403": error, "404": error, "409": error, "422": error
        }
    }})
}

fn provider_action(summary: &str, field: &str, text: Value) -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    json!({ "post": {
        "summary": summary,
        "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
        "requestBody": { "required": true, "content": { "application/json": { "schema": {
            "type": "object", "required": [field], "additionalProperties": false, "properties": { field: text }
        }}}},
        "responses": {
            "200": { "description": "The shared ticket after the action", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SharedTicket" } } } },
            "404": error, "409": error, "410": error, "422": error
        }
    }})
}

pub fn paths() -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    let version = json!({ "type": "integer", "nullable": true, "description": "the version the change was made from (optional; without it nothing is checked)" });
    json!({
        "/tickets": {
            "post": {
                "summary": "Open a ticket (school admins, for their school)",
                "security": [{ "bearer": [] }],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "type": "object", "required": ["title", "description"], "additionalProperties": false,
                    "properties": {
                        "title": lines(TITLE_MAX),
                        "description": lines(TEXT_MAX),
                        "service": { "type": "string", "maxLength": 48, "pattern": "^([a-z](-?[a-z0-9])*)?$", "description": "service slug: one of `GET /services` (422 for one that is not); empty or left out: none" },
                        "priority": { "type": "string", "nullable": true, "enum": ["P1", "P2", "P3", "P4", null], "description": "left out or null: the service's default" },
                        "triage": { "type": "object", "nullable": true, "additionalProperties": false, "properties": {
                            "scope": { "type": "string", "enum": ["local", "school", "networked", "unknown"] },
                            "fault_type": { "type": "string", "enum": ["hardware", "software", "unknown"] }
                        }}
                    }
                }}}},
                "responses": {
                    "201": { "description": "The new ticket", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TicketWithEvents" } } } },
                    "401": error, "403": error, "422": error
                }
            },
            "get": {
                "summary": "Tickets the caller may see, newest change first unless sorted otherwise (keyset pagination)",
                "security": [{ "bearer": [] }],
                "parameters": [
                    { "name": "status", "in": "query", "schema": { "type": "string", "enum": ["new", "open", "waiting_on_school", "at_provider", "resolved", "closed"] } },
                    { "name": "priority", "in": "query", "schema": { "type": "string", "enum": ["P1", "P2", "P3", "P4"] } },
                    { "name": "school", "in": "query", "schema": { "type": "string" } },
                    { "name": "service", "in": "query", "schema": { "type": "string" } },
                    { "name": "queue", "in": "query", "schema": { "type": "string", "enum": ["new", "mine", "open", "waiting", "provider", "verify", "overdue", "all"] } },
                    { "name": "sort", "in": "query", "schema": { "type": "string", "default": "updated", "enum": ["updated", "-updated", "created", "-created", "due", "-due", "priority", "-priority"] }, "description": "updated: newest change first; created: oldest first; due: the next SLA due time first (the first response's while unmet and earlier, else the resolution's; none for resolved and closed tickets), tickets without one last; priority: P1 first, the oldest first within one; a leading `-` reverses the order (tickets without a due time stay last)" },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 50, "minimum": 1, "maximum": 200 } },
                    { "name": "after", "in": "query", "schema": { "type": "string", "minLength": 0 }, "description": "the `next` of the previous page, of the same `sort` (one of another order is refused); empty or left out: the first page" }
                ],
                "responses": {
                    "200": { "description": "A page", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TicketPage" } } } },
                    "401": error, "403": error, "422": error
                }
            }
        },
        "/tickets/{number}": { "get": {
            "summary": "A ticket with its timeline (schools never see internal notes)",
            "security": [{ "bearer": [] }],
            "parameters": [{ "name": "number", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {
                "200": { "description": "The ticket", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/TicketWithEvents" } } } },
                "401": error, "404": error
            }
        }},
        "/tickets/{number}/comments": action("A reply (or, for the desk, an internal note)", json!({
            "type": "object", "required": ["body"], "additionalProperties": false,
            "properties": { "body": lines(TEXT_MAX), "internal": { "type": "boolean", "default": false }, "version": version }
        })),
        "/tickets/{number}/assign": action("Assign to an agent (desk)", json!({
            "type": "object", "additionalProperties": false,
            "properties": { "agent": { "anyOf": [{ "type": "string", "enum": ["me", ""] }, email("an agent's email")], "description": "\"me\" or an agent's email; empty or left out: the caller" }, "version": version }
        })),
        "/tickets/{number}/resolve": action("Resolve with a solution (desk)", json!({
            "type": "object", "required": ["solution"], "additionalProperties": false,
            "properties": { "solution": lines(TEXT_MAX), "version": version }
        })),
        "/tickets/{number}/close": action("Close a resolved ticket (desk, or the school confirming)", json!({
            "type": "object", "additionalProperties": false, "properties": { "version": version }
        })),
        "/tickets/{number}/forward": action("Forward to a provider (desk): each contact gets their own emailed link", json!({
            "type": "object", "required": ["provider", "priority", "message"], "additionalProperties": false,
            "properties": {
                "provider": slug("provider slug"),
                "priority": { "type": "string", "enum": ["P1", "P2", "P3", "P4"] },
                "message": lines(TEXT_MAX),
                "share_description": { "type": "boolean", "default": true },
                "shared_events": { "type": "array", "items": { "type": "integer" }, "description": "public timeline entries to share" },
                "shared_attachments": { "type": "array", "items": { "type": "integer" }, "description": "public attachments (ids) the provider may download" },
                "version": version
            }
        })),
        "/provider/{token}": { "get": {
            "summary": "The shared ticket, for the provider holding the emailed link (no other credential)",
            "parameters": [{ "name": "token", "in": "path", "required": true, "schema": { "type": "string" } }],
            "responses": {
                "200": { "description": "What the desk shared, and the conversation with the provider", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SharedTicket" } } } },
                "404": error, "410": error
            }
        }},
        "/provider/{token}/ack": provider_action("Acknowledge, with the provider's own reference", "reference", line(120)),
        "/provider/{token}/comments": provider_action("Comment or ask back", "body", lines(TEXT_MAX)),
        "/provider/{token}/resolve": provider_action("Mark solved with a solution", "solution", lines(TEXT_MAX)),
        "/tickets/{number}/reopen": action("Reopen (the school within the reopen period, the desk any time)", json!({
            "type": "object", "additionalProperties": false,
            "properties": { "reason": optional_lines(TEXT_MAX), "version": version }
        }))
    })
}
