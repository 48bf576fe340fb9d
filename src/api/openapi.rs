//! The OpenAPI document: written by hand next to the routes it describes, and checked by
//! a test against the mounted routes so it cannot drift.
use rocket::serde::json::{json, Value};
use rocket::{get, Route};

pub fn document() -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Staffel API",
            "version": "1",
            "description": "Tiered IT support for schools. Authenticate with `Authorization: Bearer TOKEN` (create one with `staffel token new --email E`). Anonymous callers are treated as pupils where a route allows them. The chat routes also take the session cookie of Staffel's own pages (changes with the page's CSRF token in `X-CSRF-Token`)."
        },
        "servers": [{ "url": "/api/v1" }],
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": { "error": {
                        "type": "object",
                        "required": ["code", "message"],
                        "properties": {
                            "code": { "type": "string", "example": "invalid" },
                            "message": { "type": "string" },
                            "field": { "type": "string" }
                        }
                    }}
                },
                "Me": {
                    "type": "object",
                    "required": ["email", "name", "role", "school", "language"],
                    "properties": {
                        "email": { "type": "string" },
                        "name": { "type": "string" },
                        "role": { "type": "string", "enum": ["pupil", "teacher", "school_admin", "agent", "desk_lead", "operator"] },
                        "school": { "type": "string", "nullable": true, "description": "school slug" },
                        "language": { "type": "string", "enum": ["de", "en"] }
                    }
                },
                "Service": {
                    "type": "object",
                    "required": ["slug", "name", "name_de", "name_en"],
                    "properties": {
                        "slug": { "type": "string" }, "name": { "type": "string" },
                        "name_de": { "type": "string" }, "name_en": { "type": "string" }
                    }
                },
                "SearchResults": {
                    "type": "object",
                    "required": ["hits", "total"],
                    "properties": {
                        "hits": { "type": "array", "items": {
                            "type": "object",
                            "required": ["slug", "title", "snippet", "url"],
                            "properties": {
                                "slug": { "type": "string" },
                                "title": { "type": "string" },
                                "snippet": { "type": "string", "description": "HTML: the matching text with <mark> around the hits" },
                                "url": { "type": "string", "example": "/kb/wlan-passwort" }
                            }
                        }},
                        "total": { "type": "integer" }
                    }
                },
                "Article": {
                    "type": "object",
                    "required": ["slug", "title", "html", "url"],
                    "properties": {
                        "slug": { "type": "string" },
                        "title": { "type": "string" },
                        "html": { "type": "string", "description": "the rendered, sanitised article" },
                        "markdown": { "type": "string" },
                        "toc": { "type": "array", "items": { "type": "object", "properties": {
                            "level": { "type": "integer" }, "id": { "type": "string" }, "text": { "type": "string" }
                        }}},
                        "audience": { "type": "array", "items": { "type": "string" } },
                        "tags": { "type": "array", "items": { "type": "string" } },
                        "service": { "type": "string", "nullable": true },
                        "school": { "type": "string", "nullable": true, "description": "school slug of a school-local article" },
                        "status": { "type": "string" },
                        "version": { "type": "integer" },
                        "views": { "type": "integer" },
                        "helpful": { "type": "integer" },
                        "not_helpful": { "type": "integer" },
                        "updated_at": { "type": "string", "format": "date-time" },
                        "url": { "type": "string" }
                    }
                },
                "Provider": {
                    "type": "object",
                    "required": ["slug", "name", "response_hours", "contacts", "services"],
                    "properties": {
                        "id": { "type": "integer" },
                        "slug": { "type": "string" },
                        "name": { "type": "string" },
                        "response_hours": { "type": "integer", "description": "agreed response time in business hours" },
                        "active": { "type": "boolean" },
                        "contacts": { "type": "array", "items": { "type": "object", "properties": { "name": { "type": "string" }, "email": { "type": "string" } } } },
                        "services": { "type": "array", "items": { "type": "string" } }
                    }
                }
            },
            "responses": {
                "Error": {
                    "description": "An error: 4xx for anything the caller can fix.",
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } }
                }
            }
        },
        "paths": {
            "/me": { "get": {
                "summary": "The caller", "security": [{ "bearer": [] }],
                "responses": {
                    "200": { "description": "The caller", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Me" } } } },
                    "401": error
                }
            }},
            "/services": { "get": {
                "summary": "The active services of the catalogue",
                "responses": {
                    "200": { "description": "Services", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Service" } } } } }
                }
            }},
            "/providers": { "get": {
                "summary": "Active providers with contacts and services (service desk and operators)",
                "security": [{ "bearer": [] }],
                "responses": {
                    "200": { "description": "Providers", "content": { "application/json": { "schema": { "type": "array", "items": { "$ref": "#/components/schemas/Provider" } } } } },
                    "401": error, "403": error
                }
            }},
            "/kb/search": { "get": {
                "summary": "Search the FAQ the caller may read (anonymous callers: pupils)",
                "parameters": [
                    { "name": "q", "in": "query", "schema": { "type": "string", "maxLength": 200 } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "default": 10, "minimum": 1, "maximum": 50 } },
                    { "name": "service", "in": "query", "schema": { "type": "string" }, "description": "service slug" },
                    { "name": "suggest", "in": "query", "schema": { "type": "boolean" }, "description": "a search-as-you-type keystroke, not recorded as a miss" }
                ],
                "responses": {
                    "200": { "description": "Hits", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/SearchResults" } } } },
                    "422": error
                }
            }},
            "/kb/articles/{slug}": { "get": {
                "summary": "One FAQ article the caller may read",
                "parameters": [{ "name": "slug", "in": "path", "required": true, "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "The article", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Article" } } } },
                    "404": error
                }
            }},
            "/openapi.json": { "get": {
                "summary": "This document",
                "responses": { "200": { "description": "OpenAPI 3 document" } }
            }}
        }
    });
    // The ticket, attachment and chat routes are documented in files of their own.
    for (section, entries) in [
        ("paths", super::openapi_tickets::paths()),
        ("schemas", super::openapi_tickets::schemas()),
        ("paths", super::openapi_attachments::paths()),
        ("schemas", super::openapi_attachments::schemas()),
        ("paths", super::openapi_chat::paths()),
        ("schemas", super::openapi_chat::schemas()),
    ] {
        let target = if section == "paths" { &mut doc["paths"] } else { &mut doc["components"]["schemas"] };
        if let (Some(target), Value::Object(entries)) = (target.as_object_mut(), entries) {
            target.extend(entries);
        }
    }
    super::openapi_fields::conform(&mut doc);
    doc
}

#[get("/openapi.json")]
fn openapi() -> Value {
    document()
}

pub fn routes() -> Vec<Route> {
    rocket::routes![openapi]
}
