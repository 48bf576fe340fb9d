//! The attachment routes in the OpenAPI document.
use rocket::serde::json::{json, Value};

pub fn schemas() -> Value {
    json!({
        "Attachment": {
            "type": "object",
            "required": ["id", "name", "size", "content_type", "created_at"],
            "properties": {
                "id": { "type": "integer" },
                "name": { "type": "string", "description": "sanitised file name" },
                "size": { "type": "integer", "description": "bytes" },
                "content_type": { "type": "string", "description": "sniffed from the content" },
                "internal": { "type": "boolean", "description": "on an internal note or from a provider: the desk only" },
                "uploader": { "type": "string" },
                "from_report": { "type": "boolean" },
                "from_provider": { "type": "boolean" },
                "created_at": { "type": "string", "format": "date-time" }
            }
        },
        "Upload": {
            "type": "object",
            "required": ["files"],
            "properties": {
                "files": { "type": "array", "items": { "type": "string", "format": "binary" }, "description": "one part per file, at most 10; each at most the configured size (default 10 MB); PNG, JPEG, GIF, WebP, PDF, TXT/LOG/CSV (UTF-8) or DOCX/XLSX/PPTX/ODT/ODS/ODP, judged by content" },
                "body": { "type": "string", "description": "a message with the files (optional)" },
                "internal": { "type": "boolean", "default": false, "description": "desk only: the files go with an internal note" },
                "version": { "type": "integer" }
            }
        }
    })
}

/// A download's content: one entry per type a stored file can have.
pub fn downloaded_types() -> Value {
    let binary = json!({ "schema": { "type": "string", "format": "binary" } });
    let types = crate::attachments::sniff::mime_types();
    Value::Object(types.map(|mime| (mime.split(';').next().unwrap_or(mime).to_string(), binary.clone())).collect())
}

fn download(summary: &str, owner: &str) -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    json!({ "get": {
        "summary": summary,
        "parameters": [
            { "name": owner, "in": "path", "required": true, "schema": { "type": "string" } },
            { "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }
        ],
        "responses": {
            "200": {
                "description": "The file, with its sniffed Content-Type, `Content-Disposition: attachment` (inline for raster images), `X-Content-Type-Options: nosniff` and `Content-Security-Policy: sandbox`",
                "content": downloaded_types()
            },
            "401": error, "404": error, "410": error
        }
    }})
}

fn upload(summary: &str, owner: &str, result: &str) -> Value {
    let error = json!({ "$ref": "#/components/responses/Error" });
    json!({ "post": {
        "summary": summary,
        "parameters": [{ "name": owner, "in": "path", "required": true, "schema": { "type": "string" } }],
        "requestBody": { "required": true, "content": { "multipart/form-data": { "schema": { "$ref": "#/components/schemas/Upload" } } } },
        "responses": {
            "200": { "description": "After the upload", "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{result}") } } } },
            "400": error, "401": error, "403": error, "404": error, "409": error, "410": error, "413": error, "415": error, "422": error
        }
    }})
}

pub fn paths() -> Value {
    let mut ticket_upload = upload(
        "Add files to a ticket, with an optional message (school admins of the ticket's school, the desk)",
        "number",
        "TicketWithEvents",
    );
    ticket_upload["post"]["security"] = json!([{ "bearer": [] }]);
    let mut ticket_download = download("Download a ticket's file the caller may see", "number");
    ticket_download["get"]["security"] = json!([{ "bearer": [] }]);
    json!({
        "/tickets/{number}/attachments": ticket_upload,
        "/tickets/{number}/attachments/{id}": ticket_download,
        "/provider/{token}/attachments": upload("Upload files to the desk through the emailed link", "token", "SharedTicket"),
        "/provider/{token}/attachments/{id}": download("Download a file the desk shared (or the provider uploaded)", "token")
    })
}
