//! Mail end to end: a real SMTP conversation with an in-process server, an outage with a
//! restart in between, two workers on the same rows, rollbacks, and the file transport.
mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Backend, SmtpServer, TestApp, PASSWORD};
use entities::mail_outbox;
use rocket::figment::Figment;
use rocket::http::Status;
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, QueryOrder, Set, TransactionTrait};
use serde_json::json;
use staffel::mail::{Mailer, Outgoing};

const SUBJECT_DE: &str = "Ihr Link zum Zurücksetzen des Passworts";
const SUBJECT_EN: &str = "Your link to reset your password";

fn smtp_app(smtp_url: String, retry_base_secs: i64) -> impl FnOnce(Figment) -> Figment {
    move |f: Figment| {
        f.merge(("staffel.mail", "smtp"))
            .merge(("staffel.smtp_url", smtp_url))
            .merge(("staffel.mail_retry_base_secs", retry_base_secs))
    }
}

// ---------------------------------------------------------------------------------------
// Reading a message: just enough MIME to check what a mail client would show.

#[derive(Debug)]
struct Mime {
    headers: Vec<(String, String)>,
    /// (content type, decoded body) of each leaf part; a single-part mail has one.
    parts: Vec<(String, String)>,
}

impl Mime {
    fn parse(raw: &[u8]) -> Mime {
        let raw = String::from_utf8_lossy(raw).replace("\r\n", "\n");
        let (headers, body) = split_entity(&raw);
        let mut parts = Vec::new();
        collect_parts(&headers, body, &mut parts);
        Mime { headers, parts }
    }

    fn header(&self, name: &str) -> Option<String> {
        header_of(&self.headers, name)
    }

    fn subject(&self) -> String {
        decode_words(&self.header("Subject").expect("a Subject header"))
    }

    fn part(&self, content_type: &str) -> &str {
        self.parts
            .iter()
            .find(|(ct, _)| ct.starts_with(content_type))
            .map(|(_, body)| body.as_str())
            .unwrap_or_else(|| panic!("no {content_type} part in {:?}", self.parts))
    }
}

fn header_of(headers: &[(String, String)], name: &str) -> Option<String> {
    headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
}

/// Headers (unfolded) and body of one entity.
fn split_entity(text: &str) -> (Vec<(String, String)>, &str) {
    let (head, body) = text.split_once("\n\n").unwrap_or((text, ""));
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.lines() {
        if line.starts_with([' ', '\t']) {
            if let Some(last) = headers.last_mut() {
                last.1.push(' ');
                last.1.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_string(), value.trim().to_string()));
        }
    }
    (headers, body)
}

fn collect_parts(headers: &[(String, String)], body: &str, out: &mut Vec<(String, String)>) {
    let content_type = header_of(headers, "Content-Type").unwrap_or_else(|| "text/plain".into());
    if content_type.to_lowercase().starts_with("multipart/") {
        let boundary = content_type
            .split(';')
            .find_map(|p| p.trim().strip_prefix("boundary="))
            .expect("a boundary")
            .trim_matches('"')
            .to_string();
        let delimiter = format!("--{boundary}");
        for chunk in body.split(&delimiter).skip(1) {
            if chunk.starts_with("--") {
                break;
            }
            let chunk = chunk.strip_prefix('\n').unwrap_or(chunk);
            let (part_headers, part_body) = split_entity(chunk);
            collect_parts(&part_headers, part_body, out);
        }
        return;
    }
    let encoding = header_of(headers, "Content-Transfer-Encoding").unwrap_or_default().to_lowercase();
    let decoded = match encoding.as_str() {
        "quoted-printable" => quoted_printable(body),
        "base64" => {
            use base64::Engine;
            let compact: String = body.chars().filter(|c| !c.is_whitespace()).collect();
            let bytes = base64::engine::general_purpose::STANDARD.decode(compact).expect("valid base64 body");
            String::from_utf8(bytes).expect("UTF-8 body")
        }
        _ => body.to_string(),
    };
    out.push((content_type.to_lowercase(), decoded));
}

fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'=' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
            if let Ok(byte) = u8::from_str_radix(hex, 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 after quoted-printable")
}

/// Decodes RFC 2047 encoded words (`=?utf-8?b?…?=`, `=?utf-8?q?…?=`) in a header value.
fn decode_words(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    let mut last_was_word = false;
    while let Some(start) = rest.find("=?") {
        let before = &rest[..start];
        if !(last_was_word && before.trim().is_empty()) {
            out.push_str(before);
        }
        let word = &rest[start + 2..];
        let mut pieces = word.splitn(3, '?');
        let (Some(_charset), Some(encoding), Some(tail)) = (pieces.next(), pieces.next(), pieces.next()) else {
            out.push_str(&rest[start..]);
            return out;
        };
        let end = tail.find("?=").expect("an encoded word ends with ?=");
        let text = &tail[..end];
        let decoded = if encoding.eq_ignore_ascii_case("b") {
            use base64::Engine;
            String::from_utf8(base64::engine::general_purpose::STANDARD.decode(text).expect("base64 word"))
                .expect("UTF-8 word")
        } else {
            quoted_printable(&text.replace('_', " "))
        };
        out.push_str(&decoded);
        rest = &tail[end + 2..];
        last_was_word = true;
    }
    out.push_str(rest);
    out
}

/// Resolves the character references Tera's escaping produces.
fn unescape_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('&') {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let Some(end) = tail.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let entity = &tail[1..end];
        let decoded = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            _ => entity
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The reset link in a mail body: `http://staffel.test/password/reset/<64 hex>`.
fn reset_link(body: &str) -> String {
    let prefix = "http://staffel.test/password/reset/";
    let start = body.find(prefix).unwrap_or_else(|| panic!("no reset link in {body}"));
    let token: String = body[start + prefix.len()..].chars().take_while(|c| c.is_ascii_hexdigit()).collect();
    assert_eq!(token.len(), 64, "a 256-bit token in hex: {token}");
    format!("/password/reset/{token}")
}

// ---------------------------------------------------------------------------------------
// Helpers on the outbox table.

async fn outbox(app: &TestApp) -> Vec<mail_outbox::Model> {
    mail_outbox::Entity::find().order_by_asc(mail_outbox::Column::Id).all(app.db()).await.unwrap()
}

async fn request_reset_by_form(app: &TestApp, email: &str) {
    let mut browser = app.browser();
    assert_eq!(browser.get("/password/forgot").await.status, Status::Ok);
    let reply = browser.post_form("/password/forgot", &[("email", email)]).await;
    assert_eq!(reply.status, Status::Ok, "{}", reply.body);
    assert!(reply.body.contains("ist eine E-Mail mit einem Link unterwegs"), "{}", reply.body);
}

async fn user_with_language(app: &TestApp, email: &str, language: &str) {
    let input = staffel::accounts::service::UserInput {
        email: email.into(),
        name: "Jörg Müller".into(),
        role: "teacher".into(),
        school: "gym".into(),
        language: language.into(),
        password: PASSWORD.into(),
    };
    staffel::accounts::service::create_user(app.db(), staffel::audit::By::Cli, input).await.expect("create user");
}

/// Enqueues a mail in a transaction that commits or rolls back.
async fn enqueue(app: &TestApp, to: &str, commit: bool) -> mail_outbox::Model {
    let mailer = app.client.rocket().state::<Mailer>().expect("mailer");
    let txn = app.db().begin().await.unwrap();
    let row = staffel::mail::enqueue(
        &txn,
        mailer,
        Outgoing {
            to_addr: to,
            to_name: "Empfänger",
            lang: staffel::i18n::Lang::De,
            template: "password_reset",
            context: &json!({ "link": "http://staffel.test/x", "minutes": "60" }),
            thread: None,
        },
    )
    .await
    .expect("enqueue");
    if commit {
        txn.commit().await.unwrap();
    } else {
        txn.rollback().await.unwrap();
    }
    row
}

// ---------------------------------------------------------------------------------------
// (a) A password reset over real SMTP, followed to the end.

async fn reset_mail_goes_out_by_smtp_and_its_link_works(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;

    request_reset_by_form(&app, "lehrer@gym.de").await;
    assert!(smtp.messages().is_empty(), "the request only enqueues");
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].status, "pending");

    let pass = app.deliver_mail().await;
    assert_eq!(pass.sent, 1, "{pass:?}");
    assert_eq!(pass.failed, 0);

    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "exactly one message");
    let message = &messages[0];
    assert_eq!(message.to, vec!["lehrer@gym.de".to_string()]);
    assert_eq!(message.from, "staffel@localhost");
    let mail = Mime::parse(&message.data);
    assert_eq!(mail.subject(), SUBJECT_DE);
    let row = &outbox(&app).await[0];
    assert_eq!(row.status, "sent");
    assert!(row.sent_at.is_some());
    assert_eq!(mail.header("Message-ID").as_deref(), Some(row.message_id.as_str()));
    assert!(row.message_id.ends_with("@staffel.test>"), "{}", row.message_id);
    assert!(mail.header("To").unwrap().contains("lehrer@gym.de"));
    assert!(mail.header("Content-Type").unwrap().starts_with("multipart/alternative"));
    let text = mail.part("text/plain");
    // Tera escapes `/` in attributes as `&#x2F;`; a mail client reads the decoded value.
    let html = &unescape_html(mail.part("text/html"));
    assert!(text.contains("Jörg Müller"), "greets by name: {text}");
    assert!(html.contains("<a href=\"http://staffel.test/password/reset/"), "{html}");
    let link = reset_link(text);
    assert_eq!(reset_link(html), link, "both parts carry the same link");

    // The link sets a new password once.
    let mut browser = app.browser();
    let page = browser.get(&link).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("Neues Passwort setzen"), "{}", page.body);
    let new_password = "ein-ganz-neues-passwort";
    let done = browser.post_form(&link, &[("new", new_password), ("confirm", new_password)]).await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    assert_eq!(done.location.as_deref(), Some("/login"));
    app.login("lehrer@gym.de", new_password).await;
    let old = app.browser().post_form("/login", &[("email", "lehrer@gym.de"), ("password", PASSWORD)]).await;
    assert_eq!(old.status, Status::UnprocessableEntity, "the old password is gone");
    let again = app.browser().get(&link).await;
    assert_eq!(again.status, Status::Gone);
    assert!(again.body.contains("abgelaufen oder wurde schon benutzt"));

    // Nothing more to send.
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(smtp.messages().len(), 1);
}

#[rocket::async_test]
async fn reset_mail_over_smtp() {
    on_each_backend!(reset_mail_goes_out_by_smtp_and_its_link_works);
}

// ---------------------------------------------------------------------------------------
// (b) The mail server is down; the process restarts; the server comes back.

async fn mail_survives_an_outage_and_a_restart(backend: Backend) {
    let port = common::free_port();
    let url = format!("smtp://127.0.0.1:{port}");
    let app = TestApp::with(&backend, smtp_app(url.clone(), 1)).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;

    let before = chrono::Utc::now();
    let pass = app.deliver_mail().await;
    let after = chrono::Utc::now();
    assert_eq!(pass.sent, 0);
    assert_eq!(pass.failed, 1, "nothing listens on {port}");
    let rows = outbox(&app).await;
    assert_eq!(rows.len(), 1, "nothing lost");
    let row = &rows[0];
    assert_eq!(row.status, "pending");
    assert_eq!(row.attempts, 1);
    assert!(row.sent_at.is_none());
    assert!(row.claimed_until.is_none(), "the claim is released");
    let error = row.last_error.as_deref().expect("the error is kept");
    assert!(!error.trim().is_empty());
    // Backoff: base 1 s doubled per attempt.
    let backoff = chrono::Duration::seconds(2);
    assert!(
        row.next_attempt_at >= before + backoff - chrono::Duration::milliseconds(1)
            && row.next_attempt_at <= after + backoff + chrono::Duration::milliseconds(1),
        "retry at {} (pass between {before} and {after})",
        row.next_attempt_at
    );

    // The process restarts (a new Rocket on the same data) and the server comes back.
    let app = app.restart(smtp_app(url, 1)).await;
    let smtp = SmtpServer::start_on(port);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        // Each pass by a freshly built worker, as a restarted process would run it.
        let pass = app.fresh_mail_worker().deliver_due().await.unwrap();
        assert_eq!(pass.failed, 0, "the server is up now");
        if pass.sent == 1 {
            break;
        }
        assert_eq!(pass.sent, 0);
        assert!(Instant::now() < deadline, "the retry never came");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1, "delivered once");
    assert_eq!(messages[0].to, vec!["lehrer@gym.de".to_string()]);
    let row = &outbox(&app).await[0];
    assert_eq!(row.status, "sent");
    assert_eq!(row.attempts, 2);
    assert!(row.last_error.is_none());
    assert_eq!(Mime::parse(&messages[0].data).header("Message-ID").as_deref(), Some(row.message_id.as_str()));
    // The link from the delayed mail still works.
    let link = reset_link(Mime::parse(&messages[0].data).part("text/plain"));
    assert_eq!(app.browser().get(&link).await.status, Status::Ok);

    for _ in 0..3 {
        assert_eq!(app.deliver_mail().await, Default::default());
    }
    assert_eq!(smtp.messages().len(), 1, "and never again");
}

#[rocket::async_test]
async fn outage_and_restart() {
    on_each_backend!(mail_survives_an_outage_and_a_restart);
}

/// A worker that died after claiming a row: the claim protects the row until it expires,
/// then another worker delivers it.
async fn a_dead_workers_claim_expires(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    let row = enqueue(&app, "a@gym.de", true).await;
    let claimed = |until: chrono::DateTime<chrono::Utc>| mail_outbox::ActiveModel {
        id: Set(row.id),
        attempts: Set(1),
        claimed_until: Set(Some(until)),
        ..Default::default()
    };
    claimed(chrono::Utc::now() + chrono::Duration::minutes(5)).update(app.db()).await.unwrap();
    assert_eq!(app.deliver_mail().await.sent, 0, "still claimed");
    assert!(smtp.messages().is_empty());
    claimed(chrono::Utc::now() - chrono::Duration::seconds(1)).update(app.db()).await.unwrap();
    assert_eq!(app.deliver_mail().await.sent, 1, "the claim has expired");
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(smtp.messages().len(), 1);
}

#[rocket::async_test]
async fn expired_claims_are_taken_over() {
    on_each_backend!(a_dead_workers_claim_expires);
}

// ---------------------------------------------------------------------------------------
// (c) Two workers, the same due rows: each mail goes out once.

async fn two_workers_deliver_each_mail_once(backend: Backend) {
    const MAILS: usize = 24;
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    for i in 0..MAILS {
        enqueue(&app, &format!("m{i}@gym.de"), true).await;
    }
    let start = Arc::new(tokio::sync::Barrier::new(2));
    let mut handles = Vec::new();
    for _ in 0..2 {
        let worker = app.fresh_mail_worker();
        let start = start.clone();
        handles.push(tokio::spawn(async move {
            start.wait().await;
            worker.deliver_due().await.expect("pass")
        }));
    }
    let mut sent = 0;
    for handle in handles {
        let pass = handle.await.unwrap();
        assert_eq!(pass.failed, 0, "{pass:?}");
        sent += pass.sent;
    }
    assert_eq!(sent, MAILS, "together the passes sent every mail once");
    assert_eq!(app.deliver_mail().await, Default::default());

    let messages = smtp.messages();
    assert_eq!(messages.len(), MAILS);
    let rows = outbox(&app).await;
    for row in &rows {
        assert_eq!(row.status, "sent");
        assert_eq!(row.attempts, 1, "claimed once");
        let copies = messages
            .iter()
            .filter(|m| Mime::parse(&m.data).header("Message-ID").as_deref() == Some(&row.message_id))
            .count();
        assert_eq!(copies, 1, "{} arrived {copies} times", row.to_addr);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_workers_claim() {
    on_each_backend!(two_workers_deliver_each_mail_once);
}

// ---------------------------------------------------------------------------------------
// (d) A rolled-back change has no mail.

async fn rolled_back_mail_never_appears(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    enqueue(&app, "weg@gym.de", false).await;
    assert_eq!(mail_outbox::Entity::find().count(app.db()).await.unwrap(), 0, "the rollback took the mail with it");
    assert_eq!(app.deliver_mail().await, Default::default());
    enqueue(&app, "da@gym.de", true).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 1);
    assert_eq!(messages[0].to, vec!["da@gym.de".to_string()]);
}

#[rocket::async_test]
async fn rollback_discards_mail() {
    on_each_backend!(rolled_back_mail_never_appears);
}

// ---------------------------------------------------------------------------------------
// (e) The file transport: one .eml per row under a stable name.

fn eml_names(app: &TestApp) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(app.dir.path().join("outbox"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

async fn file_transport_writes_one_file_per_row(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;
    assert!(eml_names(&app).is_empty(), "nothing written before the pass");
    assert_eq!(app.deliver_mail().await.sent, 1);
    let row = outbox(&app).await.remove(0);
    let name = format!("{:08}.eml", row.id);
    assert_eq!(eml_names(&app), vec![name.clone()]);
    let first = std::fs::read(app.dir.path().join("outbox").join(&name)).unwrap();
    let mail = Mime::parse(&first);
    assert_eq!(mail.subject(), SUBJECT_DE);
    assert_eq!(mail.header("Message-ID").as_deref(), Some(row.message_id.as_str()));
    assert!(mail.header("To").unwrap().contains("lehrer@gym.de"));
    reset_link(mail.part("text/plain"));
    reset_link(&unescape_html(mail.part("text/html")));

    // The transport delivering the same row again rewrites the same file.
    let transport = app.client.rocket().state::<staffel::mail::Transport>().unwrap();
    transport.send(&app.settings().mail_from, &row).await.unwrap();
    assert_eq!(eml_names(&app), vec![name.clone()]);

    // A worker that crashed after writing but before marking the row sent: after a restart
    // the row goes out again, into the same file.
    mail_outbox::ActiveModel {
        id: Set(row.id),
        status: Set("pending".into()),
        sent_at: Set(None),
        ..Default::default()
    }
    .update(app.db())
    .await
    .unwrap();
    let app = app.restart(|f| f).await;
    assert_eq!(app.fresh_mail_worker().deliver_due().await.unwrap().sent, 1);
    assert_eq!(eml_names(&app), vec![name.clone()], "still one file");
    assert_eq!(app.outbox_files().len(), 1);
    let second = Mime::parse(&std::fs::read(app.dir.path().join("outbox").join(&name)).unwrap());
    assert_eq!(second.header("Message-ID"), mail.header("Message-ID"));

    // A second mail gets a file of its own.
    enqueue(&app, "b@gym.de", true).await;
    assert_eq!(app.deliver_mail().await.sent, 1);
    assert_eq!(eml_names(&app).len(), 2);
    assert_eq!(app.deliver_mail().await.sent, 0);
    assert_eq!(eml_names(&app).len(), 2);
}

#[rocket::async_test]
async fn file_transport() {
    on_each_backend!(file_transport_writes_one_file_per_row);
}

// ---------------------------------------------------------------------------------------
// (f) The recipient's language, not the browser's.

async fn english_users_get_english_mail(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    app.school("gym").await;
    user_with_language(&app, "teacher@gym.de", "en").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    // The request comes from a German browser either way.
    request_reset_by_form(&app, "teacher@gym.de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;
    assert_eq!(app.deliver_mail().await.sent, 2);
    let messages = smtp.messages();
    assert_eq!(messages.len(), 2);
    let to = |addr: &str| {
        let m = messages.iter().find(|m| m.to == vec![addr.to_string()]).unwrap_or_else(|| panic!("no mail to {addr}"));
        Mime::parse(&m.data)
    };
    let english = to("teacher@gym.de");
    assert_eq!(english.subject(), SUBJECT_EN);
    assert!(english.part("text/plain").contains("You (or someone else) asked for a new password"));
    assert!(english.part("text/html").contains("lang=\"en\""));
    let german = to("lehrer@gym.de");
    assert_eq!(german.subject(), SUBJECT_DE);
    assert!(german.part("text/plain").contains("Sie (oder jemand anderes)"));
}

#[rocket::async_test]
async fn recipient_language() {
    on_each_backend!(english_users_get_english_mail);
}

#[test]
fn mime_helpers_decode_what_they_claim() {
    assert_eq!(quoted_printable("a=C3=BCb=\nc"), "aübc");
    assert_eq!(
        decode_words("=?utf-8?b?SWhyIExpbmsgenVtIFp1csO8Y2tzZXR6ZW4=?= =?utf-8?q?_des?="),
        "Ihr Link zum Zurücksetzen des"
    );
    assert_eq!(decode_words("plain"), "plain");
    assert_eq!(unescape_html("a&#x2F;b&amp;c&#47;&x"), "a/b&c/&x");
}

// ---------------------------------------------------------------------------------------
// Reset links: a reset kills the account's older links; the public form cannot flood an
// inbox; unknown addresses get the same answer and no mail.

async fn links_from_the_outbox(app: &TestApp) -> Vec<String> {
    assert_eq!(app.deliver_mail().await.failed, 0);
    app.outbox_files().iter().map(|raw| reset_link(Mime::parse(raw.as_bytes()).part("text/plain"))).collect()
}

async fn a_reset_ends_the_older_links(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;
    request_reset_by_form(&app, "lehrer@gym.de").await;
    let links = links_from_the_outbox(&app).await;
    assert_eq!(links.len(), 2);
    assert_ne!(links[0], links[1]);
    for link in &links {
        assert_eq!(app.browser().get(link).await.status, Status::Ok, "both links work at first");
    }
    let mut browser = app.browser();
    browser.get(&links[1]).await;
    let new_password = "ein-ganz-neues-passwort";
    let done = browser.post_form(&links[1], &[("new", new_password), ("confirm", new_password)]).await;
    assert_eq!(done.status, Status::SeeOther, "{}", done.body);
    // The older mail's link is dead now: it cannot set another password.
    let mut attacker = app.browser();
    assert_eq!(attacker.get(&links[0]).await.status, Status::Gone);
    attacker.get("/login").await;
    let late = attacker.post_form(&links[0], &[("new", "noch-ein-passwort!"), ("confirm", "noch-ein-passwort!")]).await;
    assert_eq!(late.status, Status::Gone);
    app.login("lehrer@gym.de", new_password).await;
}

#[rocket::async_test]
async fn reset_ends_older_links() {
    on_each_backend!(a_reset_ends_the_older_links);
}

async fn the_public_form_cannot_flood_an_inbox(backend: Backend) {
    let smtp = SmtpServer::start();
    let app = TestApp::with(&backend, smtp_app(smtp.url(), 0)).await;
    app.school("gym").await;
    user_with_language(&app, "lehrer@gym.de", "de").await;
    user_with_language(&app, "andere@gym.de", "de").await;
    for _ in 0..(staffel::accounts::reset::MAILS_PER_HOUR + 4) {
        // The page says the same every time.
        request_reset_by_form(&app, "lehrer@gym.de").await;
    }
    request_reset_by_form(&app, "niemand@gym.de").await;
    request_reset_by_form(&app, "andere@gym.de").await;
    app.deliver_mail().await;
    let messages = smtp.messages();
    let to = |addr: &str| messages.iter().filter(|m| m.to == vec![addr.to_string()]).count();
    assert_eq!(to("lehrer@gym.de") as u64, staffel::accounts::reset::MAILS_PER_HOUR);
    assert_eq!(to("andere@gym.de"), 1, "other accounts are not affected");
    assert_eq!(to("niemand@gym.de"), 0);
    assert_eq!(messages.len() as u64, staffel::accounts::reset::MAILS_PER_HOUR + 1);
}

#[rocket::async_test]
async fn reset_mails_are_limited() {
    on_each_backend!(the_public_form_cannot_flood_an_inbox);
}
