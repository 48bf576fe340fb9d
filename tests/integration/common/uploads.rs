//! Files for the upload tests: small valid and disguised files, multipart bodies as a
//! browser's form or an API client sends them, downloads with their headers, and what is
//! stored (rows and files on disk).
use rocket::http::{ContentType, Header, Method, Status};
use sea_orm::{EntityTrait, QueryOrder};

use super::{Browser, Reply, TestApp};

/// A tiny valid PNG (1×1 pixel).
pub const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x56, 0xc7, 0x2f,
    0x0d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];
pub const PDF: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n";
pub const LOG: &[u8] = "Druckertreiber: Fehler 0x0000011b um 07:45 – Warteschlange hängt\n".as_bytes();
pub const HTML: &[u8] = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>";

/// A file part: field, file name, declared content type, bytes.
pub type Part<'a> = (&'a str, &'a str, &'a str, &'a [u8]);

pub fn multipart(fields: &[(&str, &str)], files: &[Part<'_>]) -> (ContentType, Vec<u8>) {
    let boundary = "staffel-attachments-7f3a9c";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    for (name, filename, content_type, bytes) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (ContentType::new("multipart", "form-data").with_params(("boundary", boundary)), body)
}

/// Posts a multipart form the way the browser's form does: with the CSRF token first.
pub async fn post_files(browser: &mut Browser<'_>, path: &str, fields: &[(&str, &str)], files: &[Part<'_>]) -> Reply {
    let csrf = browser.csrf.clone();
    let mut all = vec![("_csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (ct, body) = multipart(&all, files);
    browser.send(Method::Post, path, body, Some(ct), &[]).await
}

/// An API call with a multipart body.
pub async fn api_files(
    app: &TestApp,
    token: Option<&str>,
    path: &str,
    fields: &[(&str, &str)],
    files: &[Part<'_>],
) -> Reply {
    let (ct, body) = multipart(fields, files);
    let mut request = app.client.post(path.to_string()).header(ct).body(body);
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    Reply::read(request.dispatch().await).await
}

/// A download with all its headers and the raw bytes.
pub struct Download {
    pub status: Status,
    pub headers: std::collections::HashMap<String, String>,
    pub bytes: Vec<u8>,
}

pub async fn download(app: &TestApp, browser: Option<&Browser<'_>>, token: Option<&str>, path: &str) -> Download {
    let mut request = app.client.get(path.to_string());
    if let Some(browser) = browser {
        request = request.cookies(browser.cookies.values().cloned().collect::<Vec<_>>());
    }
    if let Some(token) = token {
        request = request.header(Header::new("Authorization", format!("Bearer {token}")));
    }
    let response = request.dispatch().await;
    let status = response.status();
    let headers =
        response.headers().iter().map(|h| (h.name().as_str().to_lowercase(), h.value().to_string())).collect();
    let bytes = response.into_bytes().await.unwrap_or_default();
    Download { status, headers, bytes }
}

/// Every attachment row, oldest first.
pub async fn attachments(app: &TestApp) -> Vec<entities::attachment::Model> {
    entities::attachment::Entity::find().order_by_asc(entities::attachment::Column::Id).all(app.db()).await.unwrap()
}

/// The names of the files under `<data_dir>/files`.
pub fn stored_files(app: &TestApp) -> Vec<String> {
    std::fs::read_dir(app.dir.path().join("files"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().to_string()).collect())
        .unwrap_or_default()
}
