//! Bad uploads to the API (multipart/form-data): bad files and bodies get a JSON error, and
//! nothing is stored.
use super::api::{api_invalid, api_invalid_arg, api_status, api_unreadable, judge_json, ApiCase, ApiMsg};
use super::*;
use crate::common::uploads::{multipart, Part, PNG};
use rocket::http::Status;

/// A multipart body of text fields and file parts (name, file name, bytes), each file
/// declared a PNG.
fn upload_body(fields: &[(&str, &str)], files: &[(&str, &str, &[u8])]) -> (ContentType, Vec<u8>) {
    let parts: Vec<Part<'_>> =
        files.iter().map(|(name, filename, bytes)| (*name, *filename, "image/png", *bytes)).collect();
    multipart(fields, &parts)
}

/// A state-changing upload route of the API.
pub(super) struct UploadTarget {
    pub(super) route: &'static str,
    path: String,
    who: Option<&'static str>,
    cases: Vec<ApiCase>,
    /// What a valid upload answers.
    valid: Status,
}

fn upload_case(label: &str, fields: &[(&str, &str)], files: &[(&str, &str, &[u8])], expect: ApiMsg) -> ApiCase {
    let (ct, body) = upload_body(fields, files);
    ApiCase { label: label.to_string(), path: None, body, content_type: Some(ct), expect }
}

pub(super) fn upload_targets(f: &Fixture) -> Vec<UploadTarget> {
    let html: &[u8] = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
    let exe: &[u8] = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00";
    let too_big: &'static [u8] = Box::leak(vec![0x89u8; 10 * 1024 * 1024 + 1].into_boxed_slice());
    let type_refused = |name: &str| api_invalid_arg("files", "attachments.type_refused", name);
    let common = |cases: &mut Vec<ApiCase>| {
        cases.extend([
            upload_case("no file", &[("body", "Nur Text")], &[], api_invalid("files", "attachments.none")),
            upload_case("HTML named .png", &[], &[("files", "bild.png", html)], type_refused("bild.png")),
            upload_case("an executable named .png", &[], &[("files", "bild.png", exe)], type_refused("bild.png")),
            upload_case("an empty file", &[], &[("files", "leer.png", b"")], {
                api_invalid_arg("files", "attachments.empty", "leer.png")
            }),
            upload_case("a good file and a bad one", &[], &[("files", "gut.png", PNG), ("files", "x.png", html)], {
                type_refused("x.png")
            }),
            upload_case("over the 10 MB limit", &[], &[("files", "gross.png", too_big)], {
                api_invalid_arg("files", "attachments.too_large", "10 MB")
            }),
            upload_case("a body with a NUL", &[("body", "a\0b")], &[("files", "gut.png", PNG)], {
                api_invalid("body", "validation.control_chars")
            }),
            ApiCase {
                label: "JSON instead of multipart".into(),
                path: None,
                body: br#"{"body":"x"}"#.to_vec(),
                content_type: Some(ContentType::JSON),
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "no content type".into(),
                path: None,
                body: b"files=x".to_vec(),
                content_type: None,
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "a urlencoded form".into(),
                path: None,
                body: b"files=x".to_vec(),
                content_type: Some(ContentType::Form),
                expect: api_status(415, "invalid", "error.unsupported_type").with_field("body"),
            },
            ApiCase {
                label: "multipart garbage".into(),
                path: None,
                body: b"--xyz\r\nnot a part at all\r\n".to_vec(),
                content_type: Some(ContentType::new("multipart", "form-data").with_params(("boundary", "xyz"))),
                expect: api_unreadable(400),
            },
        ]);
    };
    let mut ticket_cases = Vec::new();
    common(&mut ticket_cases);
    let ticket = &f.tickets["api upload"];
    ticket_cases.extend([
        upload_case("a stale version", &[("version", "99")], &[("files", "gut.png", PNG)], {
            api_status(409, "conflict", "tickets.stale")
        }),
        upload_case("an internal note by a school", &[("internal", "true")], &[("files", "gut.png", PNG)], {
            api_status(403, "forbidden", "error.forbidden")
        }),
        upload_case("another school's ticket", &[], &[("files", "bild.png", html)], {
            api_status(404, "not_found", "error.not_found")
        })
        .on(format!("/api/v1/tickets/{}/attachments", f.tickets["other school"])),
        upload_case(
            "an unknown ticket",
            &[],
            &[("files", "gut.png", PNG)],
            api_status(404, "not_found", "error.not_found"),
        )
        .on("/api/v1/tickets/T-999999/attachments"),
    ]);
    let mut provider_cases = Vec::new();
    common(&mut provider_cases);
    provider_cases.push(
        upload_case(
            "an unknown link",
            &[],
            &[("files", "gut.png", PNG)],
            api_status(404, "not_found", "error.not_found"),
        )
        .on(format!("/api/v1/provider/{}/attachments", "0".repeat(64))),
    );
    // A chat line is a file and nothing else: a text with it is not read.
    let mut chat_cases = Vec::new();
    common(&mut chat_cases);
    chat_cases.retain(|c| c.label != "a body with a NUL");
    let chat_upload = |id: i32| format!("/api/v1/chats/{id}/attachments");
    chat_cases.extend([
        upload_case("another school's chat", &[], &[("files", "gut.png", PNG)], {
            api_status(404, "not_found", "error.not_found")
        })
        .on(chat_upload(f.chats["other"])),
        upload_case("an unknown chat", &[], &[("files", "gut.png", PNG)], {
            api_status(404, "not_found", "error.not_found")
        })
        .on(chat_upload(999_999)),
    ]);
    vec![
        UploadTarget {
            route: "/api/v1/tickets/<number>/attachments",
            path: format!("/api/v1/tickets/{ticket}/attachments"),
            who: Some(SCHOOL_ADMIN),
            cases: ticket_cases,
            valid: Status::Ok,
        },
        UploadTarget {
            route: "/api/v1/provider/<_>/attachments",
            path: format!("/api/v1/provider/{}/attachments", f.provider_links["upload"]),
            who: None,
            cases: provider_cases,
            valid: Status::Ok,
        },
        UploadTarget {
            route: "/api/v1/chats/<id>/attachments",
            path: chat_upload(f.chats["upload"]),
            who: Some(SCHOOL_ADMIN),
            cases: chat_cases,
            valid: Status::Created,
        },
    ]
}

impl ApiMsg {
    fn with_field(mut self, field: &'static str) -> ApiMsg {
        self.field = Some(field);
        self
    }
}

fn files_on_disk(app: &TestApp) -> usize {
    std::fs::read_dir(app.dir.path().join("files")).map(|d| d.count()).unwrap_or(0)
}

/// The upload route's bad uploads on a fresh fixture: each gets the expected JSON error and
/// leaves no row and no file; a valid upload then stores one file.
async fn check_uploads(backend: Backend, route: &str) {
    let app = TestApp::new(&backend).await;
    let f = fixture(&app).await;
    let token = app.token(SCHOOL_ADMIN).await;
    assert_eq!(app.api_get(Some(&token), "/api/v1/me").await.status, Status::Ok);
    let auth = format!("Bearer {token}");
    let mut failures = Vec::new();
    let mut client = app.browser();
    for target in upload_targets(&f).into_iter().filter(|t| t.route == route) {
        let headers: Vec<(&str, &str)> = target.who.map(|_| vec![("Authorization", auth.as_str())]).unwrap_or_default();
        let mut before = app.fingerprint().await;
        let mut files_before = files_on_disk(&app);
        for case in target.cases {
            let path = case.path.clone().unwrap_or_else(|| target.path.clone());
            let reply = client.send(Method::Post, &path, case.body, case.content_type, &headers).await;
            let mut problems = Vec::new();
            if let Some(problem) = judge_json(&reply, &case.expect) {
                problems.push(problem);
            }
            let after = app.fingerprint().await;
            if after != before {
                problems.push(format!("the database changed:\n{}", first_difference(&before, &after)));
                before = after;
            }
            if files_on_disk(&app) != files_before {
                problems.push("a file was left in the files dir".into());
                files_before = files_on_disk(&app);
            }
            if !problems.is_empty() {
                failures.push(format!("{} POST {path} [{}]: {}", backend.name(), case.label, problems.join("; ")));
            }
        }
        let (ct, body) = upload_body(&[("body", "Foto anbei")], &[("files", "screenshot.png", PNG)]);
        let reply = client.send(Method::Post, &target.path, body, Some(ct), &headers).await;
        if reply.status != target.valid {
            failures.push(format!(
                "{} POST {}: the valid upload answered {}: {}",
                backend.name(),
                target.path,
                reply.status,
                reply.body
            ));
        } else if app.fingerprint().await == before || files_on_disk(&app) != files_before + 1 {
            failures.push(format!("{} POST {}: the valid upload stored nothing", backend.name(), target.path));
        }
    }
    assert!(failures.is_empty(), "{} answers to bad uploads are wrong:\n{}", failures.len(), failures.join("\n"));
}

both_dbs!(
    async fn bad_uploads_to_a_ticket_get_a_json_error_and_store_nothing(backend: Backend) {
        check_uploads(backend, "/api/v1/tickets/<number>/attachments").await;
    }
);

both_dbs!(
    async fn bad_uploads_through_the_providers_link_get_a_json_error_and_store_nothing(backend: Backend) {
        check_uploads(backend, "/api/v1/provider/<_>/attachments").await;
    }
);

both_dbs!(
    async fn bad_uploads_into_a_chat_get_a_json_error_and_store_nothing(backend: Backend) {
        check_uploads(backend, "/api/v1/chats/<id>/attachments").await;
    }
);
