//! FAQ search: relevance on the shipped articles (typos, inflections, umlauts, ß, compounds,
//! prefixes, questions), safe snippets, scoping per role on both engines, recorded misses and
//! keeping the index in step with the database.
mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::{article_text, write_article, Backend, TestApp, PASSWORD};
use rocket::http::Status;
use staffel::auth::{Actor, Role};
use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{Scope, SearchDoc, SearchEngine, SearchQuery};

// ---------------------------------------------------------------------------------------
// Relevance on the shipped articles
// ---------------------------------------------------------------------------------------

/// The shipped articles as the engine indexes them, read straight from `kb/`.
fn shipped_docs() -> Vec<SearchDoc> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kb");
    staffel::kb::import::read_dir(&dir)
        .expect("kb/ readable")
        .into_iter()
        .map(|file| {
            let a = staffel::kb::frontmatter::parse(&file.slug, &file.text)
                .unwrap_or_else(|e| panic!("{}: {e}", file.origin));
            SearchDoc {
                slug: a.slug,
                title: a.title,
                body: staffel::kb::render::plain_text(&a.body),
                tags: a.tags,
                audience: a.audience,
                service: a.service,
                school: a.school,
            }
        })
        .collect()
}

/// Keywords as readers type them, each with the article that must come first.
const KEYWORDS: &[(&str, &str)] = &[
    // One typo in a word of 5 to 8 letters (and one in a longer word).
    ("Bemer", "beamer-zeigt-kein-bild"),
    ("Beamr kein Bild", "beamer-zeigt-kein-bild"),
    ("Passwrt", "passwort-vergessen-zuruecksetzen"),
    ("Drucer", "drucker-offline-druckauftrag-haengt"),
    ("Phising", "phishing-mails-erkennen"),
    ("Zertifkat", "wlan-lehrkraefte-geraete-verbinden"),
    ("Hausaufgbe", "hausaufgabe-hochladen-lernplattform"),
    // Inflected forms.
    ("Druckers", "drucker-offline-druckauftrag-haengt"),
    ("Passwörter", "passwort-vergessen-zuruecksetzen"),
    ("Hausaufgaben", "hausaufgabe-hochladen-lernplattform"),
    ("Beamern", "beamer-zeigt-kein-bild"),
    ("Kopierers", "scannen-an-e-mail-kopierer"),
    ("Druckaufträge", "drucker-offline-druckauftrag-haengt"),
    ("Laptops", "dienstlaptop-updates-installieren"),
    ("Schülerpasswörter", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    // Without umlauts.
    ("Druckauftrag loschen", "drucker-offline-druckauftrag-haengt"),
    ("Schulerpasswort", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    ("Schuler WLAN", "wlan-verbinden-schueler"),
    ("Tablet ladt nicht", "tablet-laedt-nicht"),
    ("Kontosperre aufheben", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    // ß written as ss.
    ("Postfachgrosse", "postfach-voll-speicher-freigeben"),
    ("Display anschliessen", "interaktives-display-hdmi-adapter"),
    // Compounds: the word is the first part of a longer one in the article.
    ("Drucker", "drucker-offline-druckauftrag-haengt"),
    ("Speicher", "cloud-speicherplatz-voll"),
    ("Lizenz", "softwarelizenz-beantragen"),
    // Compounds in the query that the articles write apart or differently.
    ("Schulwlan", "wlan-verbinden-schueler"),
    ("Mailpostfach", "postfach-voll-speicher-freigeben"),
    ("Beamerkabel", "beamer-zeigt-kein-bild"),
    ("Tabletladekabel", "tablet-laedt-nicht"),
    // Prefixes while typing.
    ("Bea", "beamer-zeigt-kein-bild"),
    ("Phish", "phishing-mails-erkennen"),
    ("Zwei-Fak", "zwei-faktor-authentifizierung-einrichten"),
    ("Kursschl", "kurs-beitreten-lernplattform"),
];

/// Questions in plain German, each with the article that answers it.
const QUESTIONS: &[(&str, &str)] = &[
    ("Wie setze ich mein Passwort zurück?", "passwort-vergessen-zuruecksetzen"),
    ("Was mache ich, wenn der Beamer kein Bild zeigt?", "beamer-zeigt-kein-bild"),
    ("Ich habe mein Passwort vergessen", "passwort-vergessen-zuruecksetzen"),
    ("Mein Konto ist gesperrt, was kann ich tun?", "erste-anmeldung-konto-gesperrt"),
    ("Wie entsperre ich das Konto eines Schülers?", "schuelerpasswort-zuruecksetzen-adminkonsole"),
    ("Wie richte ich die Zwei-Faktor-Authentifizierung ein?", "zwei-faktor-authentifizierung-einrichten"),
    ("Welche Authenticator-App soll ich nehmen?", "zwei-faktor-authentifizierung-einrichten"),
    ("Wie teile ich einen Ordner mit meiner Klasse?", "cloud-ordner-synchronisieren-klasse-teilen"),
    ("Meine Cloud ist voll", "cloud-speicherplatz-voll"),
    ("Wie installiere ich Updates auf meinem Dienstlaptop?", "dienstlaptop-updates-installieren"),
    ("Wie melde ich ein neues iPad im MDM an?", "tablet-im-mdm-registrieren"),
    ("Mein iPad lädt nicht mehr", "tablet-laedt-nicht"),
    ("Wie richte ich meine dienstliche E-Mail auf dem Handy ein?", "dienstliche-e-mail-auf-dem-smartphone"),
    ("Mein Postfach ist voll, was soll ich löschen?", "postfach-voll-speicher-freigeben"),
    ("Wie gebe ich meine Hausaufgabe ab?", "hausaufgabe-hochladen-lernplattform"),
    ("Ich finde meinen Kurs nicht in der Lernplattform", "kurs-beitreten-lernplattform"),
    ("Wo bekomme ich den Kursschlüssel?", "kurs-beitreten-lernplattform"),
    ("Warum ist das Internet in der Schule so langsam?", "internet-langsam-schulnetz"),
    ("Wie messe ich die Bandbreite der Anbindung für den Provider?", "internetanbindung-messen-und-eskalieren"),
    ("Das interaktive Display reagiert nicht auf Touch", "interaktives-display-hdmi-adapter"),
    ("Welchen Adapter brauche ich für USB-C?", "interaktives-display-hdmi-adapter"),
    ("Der Drucker ist offline", "drucker-offline-druckauftrag-haengt"),
    ("Mein Druckauftrag hängt in der Warteschlange", "drucker-offline-druckauftrag-haengt"),
    ("Wie scanne ich ein Dokument und schicke es mir per Mail?", "scannen-an-e-mail-kopierer"),
    ("Darf ich Fotos von Schülern auf die Homepage stellen?", "datenschutz-grundlagen-schuelerdaten"),
    ("Ich habe auf einen Link in einer verdächtigen Mail geklickt", "phishing-mails-erkennen"),
    ("Wie erkenne ich eine Phishing-Mail?", "phishing-mails-erkennen"),
    ("Wie installiere ich eine App aus dem Softwarecenter?", "freigegebene-software-apps-installieren"),
    ("Ich brauche eine Lizenz für ein neues Programm", "softwarelizenz-beantragen"),
    ("Wie teile ich meinen Bildschirm in der Videokonferenz?", "bildschirm-teilen-videokonferenz"),
    ("Die anderen hören mich in der Videokonferenz nicht", "kamera-mikrofon-videokonferenz"),
    ("Meine Kamera geht im Videounterricht nicht", "kamera-mikrofon-videokonferenz"),
    ("Wie verbinde ich als Lehrkraft mein eigenes Gerät mit dem WLAN?", "wlan-lehrkraefte-geraete-verbinden"),
    ("Wie komme ich als Schüler ins Schul-WLAN?", "wlan-verbinden-schueler"),
    ("Was ist das Startpasswort bei der ersten Anmeldung?", "erste-anmeldung-konto-gesperrt"),
    ("Wie leere ich die Druckwarteschlange?", "drucker-offline-druckauftrag-haengt"),
    ("Wo finde ich die Druckwarteschlange?", "drucker-offline-druckauftrag-haengt"),
    ("Die Synchronisation der Cloud funktioniert nicht", "cloud-ordner-synchronisieren-klasse-teilen"),
    ("Wie viel Speicherplatz habe ich in der Cloud?", "cloud-speicherplatz-voll"),
    ("Wie lösche ich alte Mails?", "postfach-voll-speicher-freigeben"),
    ("Welche Dateiformate kann ich hochladen?", "hausaufgabe-hochladen-lernplattform"),
    ("Das WLAN fällt an mehreren Standorten aus", "wlan-stoerung-schuluebergreifend-eingrenzen"),
    // Compounds the articles spell differently.
    ("Wie bekomme ich meine Dienstmail aufs Handy?", "dienstliche-e-mail-auf-dem-smartphone"),
];

/// Spellings that must give exactly the same results.
const SAME: &[(&str, &str)] = &[
    ("löschen", "loschen"),
    ("Schüler", "Schuler"),
    ("Geräte", "Gerate"),
    ("anschließen", "anschliessen"),
    ("Größe", "Grösse"),
    ("Passwort", "passwort"),
    ("DRUCKER", "drucker"),
];

fn everything() -> Scope {
    Scope { audiences: None, school: None, all_schools: true }
}

async fn top(engine: &dyn SearchEngine, text: &str) -> Vec<String> {
    let query = SearchQuery { text: text.into(), limit: 5, service: None, scope: everything() };
    engine.search(&query).await.expect("search").hits.into_iter().map(|h| h.slug).collect()
}

/// Every case whose expected article is not first, with what came instead.
async fn misplaced(cases: &[(&str, &str)], mut first_five: impl AsyncFnMut(&str) -> Vec<String>) -> Vec<String> {
    let mut wrong = Vec::new();
    for (query, want) in cases {
        let got = first_five(query).await;
        if got.first().map(String::as_str) != Some(*want) {
            wrong.push(format!("{query:?}: want {want} first, got {got:?}"));
        }
    }
    wrong
}

#[rocket::async_test]
async fn the_embedded_engine_puts_the_right_shipped_article_first() {
    let engine = EmbeddedEngine::in_memory();
    let docs = shipped_docs();
    assert!(docs.len() >= 25);
    engine.upsert(docs).await.expect("index kb/");
    let wrong = misplaced(KEYWORDS, async |q| top(&engine, q).await).await;
    assert!(wrong.is_empty(), "keywords ranked wrong:\n{}", wrong.join("\n"));
    let wrong = misplaced(QUESTIONS, async |q| top(&engine, q).await).await;
    assert!(wrong.is_empty(), "questions ranked wrong:\n{}", wrong.join("\n"));
    for (a, b) in SAME {
        let (first, second) = (top(&engine, a).await, top(&engine, b).await);
        assert!(!first.is_empty(), "{a} finds something");
        assert_eq!(first, second, "{a} and {b} find the same");
    }
    // Stop words alone find nothing instead of everything.
    assert!(top(&engine, "wie ich mein und").await.is_empty());
    // Nonsense finds nothing.
    assert!(top(&engine, "xyzzy").await.is_empty());
}

#[rocket::async_test]
async fn query_compounds_find_their_parts() {
    let engine = EmbeddedEngine::in_memory();
    engine
        .upsert(vec![
            doc("anmeldung", "Fehler bei der Anmeldung am Laptop beheben.", &["pupil"], None, None),
            doc("wartung", "Die Wartung von Geräten der Schule.", &["pupil"], None, None),
            doc("drucker", "Den Drucker im Lehrerzimmer mit Papier füllen.", &["pupil"], None, None),
            doc("papier", "Papier bestellen.", &["pupil"], None, None),
        ])
        .await
        .unwrap();
    // Head and tail as written, inflected, or with a linking "s".
    assert_eq!(top(&engine, "Anmeldungsfehler").await, vec!["anmeldung"]);
    assert_eq!(top(&engine, "Schulgeräte").await, vec!["wartung"]);
    assert_eq!(top(&engine, "Laptopanmeldung").await, vec!["anmeldung"]);
    assert_eq!(top(&engine, "Druckerpapier").await.first().map(String::as_str), Some("drucker"));
    // Both parts are needed; a word that exists is not split.
    assert!(top(&engine, "Druckerpatrone").await.is_empty());
    assert_eq!(top(&engine, "Papier").await.len(), 2);
}

fn query_string(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

async fn api_top(app: &TestApp, token: &str, text: &str) -> Vec<String> {
    let reply = app.api_get(Some(token), &format!("/api/v1/kb/search?q={}&limit=5", query_string(text))).await;
    assert_eq!(reply.status, Status::Ok, "{text}: {}", reply.body);
    let json = reply.json();
    json["hits"].as_array().expect("hits").iter().map(|h| h["slug"].as_str().expect("slug").to_string()).collect()
}

async fn api_relevance_for_the_desk(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.user("lead@desk.de", "desk_lead", "").await;
    let token = app.token("lead@desk.de").await;
    let wrong = misplaced(KEYWORDS, async |q| api_top(&app, &token, q).await).await;
    assert!(wrong.is_empty(), "keywords ranked wrong through the API:\n{}", wrong.join("\n"));
    let wrong = misplaced(QUESTIONS, async |q| api_top(&app, &token, q).await).await;
    assert!(wrong.is_empty(), "questions ranked wrong through the API:\n{}", wrong.join("\n"));
    // The API answers with links and highlighted snippets.
    let reply = app.api_get(Some(&token), "/api/v1/kb/search?q=Beamer&limit=3").await;
    let json = reply.json();
    assert!(json["total"].as_u64().unwrap() >= 1);
    assert_eq!(json["hits"][0]["url"], "/kb/beamer-zeigt-kein-bild");
    assert!(json["hits"][0]["snippet"].as_str().unwrap().contains("<mark>"), "{json}");
    // The service filter narrows.
    let reply = app.api_get(Some(&token), "/api/v1/kb/search?q=Passwort&limit=20&service=wifi").await;
    let slugs: Vec<String> =
        reply.json()["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
    assert!(!slugs.is_empty() && slugs.iter().all(|s| s.starts_with("wlan-")), "{slugs:?}");
}

#[rocket::async_test]
async fn the_api_puts_the_right_shipped_article_first() {
    on_each_backend!(api_relevance_for_the_desk);
}

async fn suggestions_while_typing(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("t@gym.de", "teacher", "gym").await;
    let mut teacher = app.login("t@gym.de", PASSWORD).await;
    let reply = teacher.get("/faq/suggest?q=Bea").await;
    assert_eq!(reply.status, Status::Ok);
    let json = reply.json();
    assert_eq!(json[0]["slug"], "beamer-zeigt-kein-bild", "{json}");
    assert_eq!(json[0]["url"], "/kb/beamer-zeigt-kein-bild");
    let reply = teacher.get(&format!("/faq/suggest?q={}", query_string("Drucker offl"))).await;
    assert_eq!(reply.json()[0]["slug"], "drucker-offline-druckauftrag-haengt");
    // An anonymous reader (a pupil) is not offered the teachers' beamer article.
    let reply = app.browser().get("/faq/suggest?q=Beamer").await;
    let json = reply.json();
    assert!(json.as_array().unwrap().iter().all(|h| h["slug"] != "beamer-zeigt-kein-bild"), "{json}");
    // Empty input, empty list.
    assert_eq!(teacher.get("/faq/suggest?q=").await.json(), serde_json::json!([]));
}

#[rocket::async_test]
async fn suggestions_follow_the_typing() {
    on_each_backend!(suggestions_while_typing);
}

// ---------------------------------------------------------------------------------------
// Snippets, compounds and scoping: the same checks on both engines
// ---------------------------------------------------------------------------------------

fn doc(slug: &str, body: &str, audience: &[&str], school: Option<&str>, service: Option<&str>) -> SearchDoc {
    SearchDoc {
        slug: slug.into(),
        title: format!("Artikel {slug}"),
        body: body.into(),
        tags: vec![],
        audience: audience.iter().map(|a| a.to_string()).collect(),
        service: service.map(str::to_string),
        school: school.map(str::to_string),
    }
}

/// Snippets are escaped text with `<mark>` around the matches; compounds are found by
/// their first part.
async fn check_snippets_and_compounds(engine: &dyn SearchEngine) {
    let name = engine.name();
    engine
        .upsert(vec![
            doc(
                "xss-snippet",
                "Vor dem Ausdrucken <script>alert(1)</script> bitte den Toner & die \"Warteschlange\" prüfen.",
                &["pupil"],
                None,
                None,
            ),
            doc(
                "compound-only",
                "Der Druckertreiber fehlt und der Speicherplatz reicht nicht.",
                &["pupil"],
                None,
                None,
            ),
        ])
        .await
        .expect("upsert");
    let query = |text: &str| SearchQuery { text: text.into(), limit: 10, service: None, scope: everything() };
    let results = engine.search(&query("Toner Warteschlange")).await.expect("search");
    let hit = results.hits.iter().find(|h| h.slug == "xss-snippet").unwrap_or_else(|| panic!("{name}: no hit"));
    assert!(hit.snippet.contains("<mark>"), "{name}: {}", hit.snippet);
    assert!(hit.snippet.contains("</mark>"), "{name}: {}", hit.snippet);
    assert!(hit.snippet.contains("&lt;script&gt;"), "{name}: {}", hit.snippet);
    assert!(!hit.snippet.contains("<script"), "{name}: {}", hit.snippet);
    assert!(hit.snippet.contains("&amp;"), "{name}: {}", hit.snippet);
    // Apart from the marks, the snippet is plain escaped text.
    let unmarked = hit.snippet.replace("<mark>", "").replace("</mark>", "");
    assert!(!unmarked.contains('<') && !unmarked.contains('>') && !unmarked.contains('"'), "{name}: {unmarked}");
    for (word, compound) in [("Drucker", "Druckertreiber"), ("Speicher", "Speicherplatz")] {
        let results = engine.search(&query(word)).await.expect("search");
        assert!(
            results.hits.iter().any(|h| h.slug == "compound-only"),
            "{name}: {word} finds the article with {compound}"
        );
    }
    engine.remove(vec!["xss-snippet".into(), "compound-only".into()]).await.expect("remove");
}

/// The scoping fixture: (slug, audience, school). Every article has the word `MAGIC`.
const SCOPED: &[(&str, &[&str], Option<&str>)] = &[
    ("zk-g-pupil", &["pupil"], None),
    ("zk-g-teacher", &["teacher"], None),
    ("zk-g-pupil-teacher", &["pupil", "teacher"], None),
    ("zk-g-admin", &["school_admin"], None),
    ("zk-g-agent", &["agent"], None),
    ("zk-gym-pupil", &["pupil"], Some("gym")),
    ("zk-gym-teacher", &["teacher"], Some("gym")),
    ("zk-gym-admin", &["school_admin"], Some("gym")),
    ("zk-rs-pupil", &["pupil"], Some("rs")),
    ("zk-rs-admin", &["school_admin"], Some("rs")),
];
const MAGIC: &str = "Zauberkreide";

const GLOBAL_PUPIL: &[&str] = &["zk-g-pupil", "zk-g-pupil-teacher"];
const GLOBAL_ALL: &[&str] = &["zk-g-pupil", "zk-g-teacher", "zk-g-pupil-teacher", "zk-g-admin", "zk-g-agent"];

type ReaderCase = (&'static str, Option<Role>, Option<&'static str>, Vec<&'static str>);

/// Who reads what, written out by hand (not derived from `Scope`): label, role, school,
/// the fixture's articles they find.
fn readers() -> Vec<ReaderCase> {
    let all: Vec<&str> = SCOPED.iter().map(|s| s.0).collect();
    vec![
        ("anonymous", None, None, GLOBAL_PUPIL.to_vec()),
        ("pupil@gym", Some(Role::Pupil), Some("gym"), [GLOBAL_PUPIL, &["zk-gym-pupil"]].concat()),
        (
            "teacher@gym",
            Some(Role::Teacher),
            Some("gym"),
            vec!["zk-g-pupil", "zk-g-teacher", "zk-g-pupil-teacher", "zk-gym-pupil", "zk-gym-teacher"],
        ),
        (
            "school_admin@gym",
            Some(Role::SchoolAdmin),
            Some("gym"),
            vec![
                "zk-g-pupil",
                "zk-g-teacher",
                "zk-g-pupil-teacher",
                "zk-g-admin",
                "zk-gym-pupil",
                "zk-gym-teacher",
                "zk-gym-admin",
            ],
        ),
        (
            "school_admin@rs",
            Some(Role::SchoolAdmin),
            Some("rs"),
            vec!["zk-g-pupil", "zk-g-teacher", "zk-g-pupil-teacher", "zk-g-admin", "zk-rs-pupil", "zk-rs-admin"],
        ),
        ("agent", Some(Role::Agent), None, all.clone()),
        ("desk_lead", Some(Role::DeskLead), None, all),
        ("operator", Some(Role::Operator), None, GLOBAL_ALL.to_vec()),
    ]
}

fn actor(role: Role, school: Option<&str>) -> Actor {
    Actor {
        id: 1,
        email: format!("{}@test.de", role.as_str()),
        name: "Test".into(),
        role,
        school_id: school.map(|s| if s == "gym" { 1 } else { 2 }),
        school_slug: school.map(str::to_string),
        school_name: None,
        language: "de".into(),
    }
}

fn set<S: AsRef<str>>(items: &[S]) -> BTreeSet<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// The scoping rules of SPEC §2/§3 on one engine: every reader finds exactly their share.
async fn check_scoping(engine: &dyn SearchEngine) {
    let name = engine.name();
    let docs: Vec<SearchDoc> = SCOPED
        .iter()
        .enumerate()
        .map(|(i, (slug, audience, school))| {
            let service = if i % 2 == 0 { "printing" } else { "wifi" };
            doc(slug, &format!("Die {MAGIC} für {slug} liegt im Lehrerzimmer."), audience, *school, Some(service))
        })
        .collect();
    engine.upsert(docs).await.expect("upsert");
    for (label, role, school, want) in readers() {
        let reader = role.map(|r| actor(r, school));
        let scope = Scope::for_reader(reader.as_ref());
        for text in [MAGIC, "zauberkreide", "Zauberkride", "Zauberkr"] {
            let query = SearchQuery { text: text.into(), limit: 50, service: None, scope: scope.clone() };
            let results = engine.search(&query).await.expect("search");
            let got: Vec<String> = results.hits.iter().map(|h| h.slug.clone()).collect();
            assert_eq!(set(&got), set(&want), "{name}: {label} searching {text:?}");
            assert_eq!(results.total, want.len(), "{name}: {label} total for {text:?}");
            // The direct-read rule agrees with the search filter.
            for (slug, audience, doc_school) in SCOPED {
                let audience: Vec<String> = audience.iter().map(|a| a.to_string()).collect();
                assert_eq!(scope.allows(&audience, *doc_school), want.contains(slug), "{label} may read {slug}");
            }
        }
        // The service filter narrows within the scope.
        let query =
            SearchQuery { text: MAGIC.into(), limit: 50, service: Some("printing".into()), scope: scope.clone() };
        let got: Vec<String> = engine.search(&query).await.expect("search").hits.into_iter().map(|h| h.slug).collect();
        let want_printing: Vec<&str> =
            SCOPED.iter().enumerate().filter(|(i, s)| i % 2 == 0 && want.contains(&s.0)).map(|(_, s)| s.0).collect();
        assert_eq!(set(&got), set(&want_printing), "{name}: {label} with service=printing");
    }
    // A removed article is gone for everyone.
    engine.remove(vec!["zk-g-pupil".into()]).await.expect("remove");
    let query = SearchQuery { text: MAGIC.into(), limit: 50, service: None, scope: Scope::for_reader(None) };
    let got: Vec<String> = engine.search(&query).await.expect("search").hits.into_iter().map(|h| h.slug).collect();
    assert_eq!(got, vec!["zk-g-pupil-teacher".to_string()], "{name}");
    engine.remove(SCOPED.iter().map(|s| s.0.to_string()).collect()).await.expect("remove");
    let query = SearchQuery { text: MAGIC.into(), limit: 50, service: None, scope: everything() };
    assert_eq!(engine.search(&query).await.expect("search").total, 0, "{name}");
}

#[rocket::async_test]
async fn the_embedded_engine_scopes_every_role() {
    let engine = EmbeddedEngine::in_memory();
    engine.upsert(shipped_docs()).await.expect("index kb/");
    check_scoping(&engine).await;
    check_snippets_and_compounds(&engine).await;
    // The shipped articles are still there, untouched by the fixture's removal.
    assert_eq!(engine.doc_count().await.unwrap() as usize, shipped_docs().len());
}

#[rocket::async_test]
async fn the_meilisearch_engine_scopes_every_role() {
    let url = match std::env::var("STAFFEL_TEST_MEILI") {
        Ok(url) if !url.trim().is_empty() => url.trim().to_string(),
        _ => {
            eprintln!(
                "\n!!! SKIPPED: STAFFEL_TEST_MEILI not set: the Meilisearch engine is NOT tested.\n\
                 !!! Set STAFFEL_TEST_MEILI=http://127.0.0.1:7700 (and STAFFEL_TEST_MEILI_KEY) to test it.\n"
            );
            return;
        }
    };
    let key = std::env::var("STAFFEL_TEST_MEILI_KEY").unwrap_or_default();
    let uid = format!("staffel_test_{}_{}", std::process::id(), staffel::auth::tokens::random_hex(4));
    let engine = staffel::search::meili::MeiliEngine::connect(&url, &key, &uid).await.expect("connect to Meilisearch");
    check_scoping(&engine).await;
    check_snippets_and_compounds(&engine).await;
    // Clean up the test's index.
    let client = meilisearch_sdk::client::Client::new(&url, (!key.is_empty()).then_some(key)).expect("client");
    if let Ok(task) = client.delete_index(&uid).await {
        let _ = task.wait_for_completion(&client, None, None).await;
    }
}

// ---------------------------------------------------------------------------------------
// Scoping through the pages and the API, with imported school-local articles and drafts
// ---------------------------------------------------------------------------------------

/// Writes the fixture as article files, plus two drafts.
fn scoped_article_files(dir: &Path) {
    for (slug, audience, school) in SCOPED {
        let mut front = format!("title: \"{MAGIC} {slug}\"\naudience: [{}]\nservice: printing", audience.join(", "));
        if let Some(school) = school {
            front.push_str(&format!("\nschool: {school}"));
        }
        let body = format!("## {MAGIC}\n\nDie {MAGIC} für {slug} liegt im Lehrerzimmer.");
        write_article(dir, &format!("{}/{slug}.md", school.unwrap_or("global")), &article_text(&front, &body));
    }
    write_article(
        dir,
        "drafts/zk-draft-global.md",
        &article_text(
            "title: Entwurf\naudience: [pupil, teacher, school_admin]\nstatus: draft",
            &format!("{MAGIC} im Entwurf"),
        ),
    );
    write_article(
        dir,
        "drafts/zk-draft-gym.md",
        &article_text(
            "title: Entwurf gym\naudience: [pupil, teacher, school_admin]\nschool: gym\nstatus: draft",
            &format!("{MAGIC} im Entwurf"),
        ),
    );
}

async fn every_role_reads_and_finds_only_its_share(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.school("rs").await;
    let dir = tempfile::tempdir().unwrap();
    scoped_article_files(dir.path());
    let report = app.import_articles(dir.path()).await;
    assert!(report.rejected.is_empty(), "{:?}", report.rejected);
    assert_eq!(report.added.len(), SCOPED.len() + 2);
    app.sync_search().await;

    let accounts = [
        ("pupil@gym", "p@gym.de", "pupil", "gym"),
        ("teacher@gym", "t@gym.de", "teacher", "gym"),
        ("school_admin@gym", "a@gym.de", "school_admin", "gym"),
        ("school_admin@rs", "a@rs.de", "school_admin", "rs"),
        ("agent", "ag@desk.de", "agent", ""),
        ("desk_lead", "l@desk.de", "desk_lead", ""),
        ("operator", "o@op.de", "operator", ""),
    ];
    for (_, email, role, school) in accounts {
        app.user(email, role, school).await;
    }
    for (label, _, _, want) in readers() {
        let email = accounts.iter().find(|a| a.0 == label).map(|a| a.1);
        let token = match email {
            Some(email) => Some(app.token(email).await),
            None => None,
        };
        let mut browser = match email {
            Some(email) => app.login(email, PASSWORD).await,
            None => app.browser(),
        };
        // Search through the API.
        let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/search?q={MAGIC}&limit=50")).await;
        assert_eq!(reply.status, Status::Ok, "{label}");
        let json = reply.json();
        let got: Vec<String> =
            json["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
        assert_eq!(set(&got), set(&want), "{label}: API search");
        assert_eq!(json["total"].as_u64(), Some(want.len() as u64), "{label}: API total");
        // Search on the FAQ page.
        let page = browser.get(&format!("/faq?q={MAGIC}")).await;
        assert_eq!(page.status, Status::Ok, "{label}");
        for (slug, _, _) in SCOPED {
            let listed = page.body.contains(&format!("href=\"/kb/{slug}\""));
            assert_eq!(listed, want.contains(slug), "{label}: /faq lists {slug}");
        }
        assert!(!page.body.contains("zk-draft"), "{label}: drafts are never found");
        // Suggestions.
        let reply = browser.get("/faq/suggest?q=Zauberkr").await;
        let suggested: Vec<String> =
            reply.json().as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect();
        assert!(suggested.iter().all(|s| want.contains(&s.as_str())), "{label}: suggestions {suggested:?}");
        assert_eq!(suggested.len(), want.len().min(6), "{label}: suggestions {suggested:?}");
        // Opening each article directly.
        for (slug, _, _) in SCOPED {
            let expected = if want.contains(slug) { Status::Ok } else { Status::NotFound };
            let page = browser.get(&format!("/kb/{slug}")).await;
            assert_eq!(page.status, expected, "{label}: GET /kb/{slug}");
            if expected == Status::Ok {
                assert!(page.body.contains(&format!("{MAGIC} {slug}")), "{label}: /kb/{slug} shows the article");
            } else {
                assert!(!page.body.contains(&format!("{MAGIC} {slug}")), "{label}: /kb/{slug} shows nothing of it");
            }
            let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/articles/{slug}")).await;
            assert_eq!(reply.status, expected, "{label}: GET /api/v1/kb/articles/{slug}");
            if expected == Status::Ok {
                assert_eq!(reply.json()["slug"], *slug);
            }
        }
        // Drafts: the desk reads them; a school admin reads their own school's; nobody else.
        let desk = matches!(label, "agent" | "desk_lead");
        for (slug, readable) in [("zk-draft-global", desk), ("zk-draft-gym", desk || label == "school_admin@gym")] {
            let expected = if readable { Status::Ok } else { Status::NotFound };
            assert_eq!(browser.get(&format!("/kb/{slug}")).await.status, expected, "{label}: GET /kb/{slug}");
            let reply = app.api_get(token.as_deref(), &format!("/api/v1/kb/articles/{slug}")).await;
            assert_eq!(reply.status, expected, "{label}: API {slug}");
        }
    }
    // A rating is only accepted for an article the reader may read.
    let mut teacher = app.login("t@gym.de", PASSWORD).await;
    teacher.get("/kb/zk-g-teacher").await;
    assert_eq!(teacher.post_form("/kb/zk-rs-pupil/rate", &[("helpful", "yes")]).await.status, Status::NotFound);
    assert_eq!(teacher.post_form("/kb/zk-g-teacher/rate", &[("helpful", "yes")]).await.status, Status::SeeOther);
}

#[rocket::async_test]
async fn every_role_reads_and_finds_only_its_share_on_the_app() {
    on_each_backend!(every_role_reads_and_finds_only_its_share);
}

// ---------------------------------------------------------------------------------------
// Searches that found nothing
// ---------------------------------------------------------------------------------------

async fn misses_of(app: &TestApp) -> Vec<(String, i32, String)> {
    use sea_orm::EntityTrait;
    let mut all: Vec<(String, i32, String)> = entities::kb_search_miss::Entity::find()
        .all(app.db())
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.query, m.count, m.last_role))
        .collect();
    all.sort();
    all
}

async fn searches_without_results_are_recorded(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.school("gym").await;
    app.user("t@gym.de", "teacher", "gym").await;
    app.user("l@desk.de", "desk_lead", "").await;
    let token = app.token("t@gym.de").await;
    let mut teacher = app.login("t@gym.de", PASSWORD).await;
    let mut anonymous = app.browser();

    // Keystroke suggestions are not recorded, neither on the page nor through the API.
    for q in ["xyz", "xyzzyq", "Quantenfluxkompensator"] {
        assert_eq!(teacher.get(&format!("/faq/suggest?q={q}")).await.json(), serde_json::json!([]));
        let reply = app.api_get(Some(&token), &format!("/api/v1/kb/search?q={q}&suggest=true")).await;
        assert_eq!(reply.json()["total"], 0);
    }
    assert!(misses_of(&app).await.is_empty(), "suggestions are not misses: {:?}", misses_of(&app).await);

    // Full searches that found something are not recorded either.
    assert_eq!(teacher.get("/faq?q=Drucker").await.status, Status::Ok);
    assert!(app.api_get(Some(&token), "/api/v1/kb/search?q=Beamer").await.json()["total"].as_u64().unwrap() > 0);
    assert!(misses_of(&app).await.is_empty());

    // Full searches that found nothing are, counted per query (case-insensitively).
    let page = teacher.get("/faq?q=Quantenfluxkompensator").await;
    assert_eq!(page.status, Status::Ok);
    anonymous.get("/faq?q=quantenfluxkompensator").await;
    assert_eq!(app.api_get(Some(&token), "/api/v1/kb/search?q=Holodeck%20kaputt").await.json()["total"], 0);
    assert_eq!(
        misses_of(&app).await,
        vec![
            ("holodeck kaputt".to_string(), 1, "teacher".to_string()),
            ("quantenfluxkompensator".into(), 2, "pupil".into())
        ]
    );
    // A teacher cannot see the list; the desk can.
    assert_eq!(teacher.get("/desk/kb/misses").await.status, Status::Forbidden);
    assert_eq!(anonymous.get("/desk/kb/misses").await.status, Status::SeeOther, "anonymous: to the login");
    let mut lead = app.login("l@desk.de", PASSWORD).await;
    let page = lead.get("/desk/kb/misses").await;
    assert_eq!(page.status, Status::Ok);
    assert!(page.body.contains("quantenfluxkompensator"), "{}", page.body);
    assert!(page.body.contains("holodeck kaputt"));
    // Most frequent first.
    assert!(page.body.find("quantenfluxkompensator").unwrap() < page.body.find("holodeck kaputt").unwrap());
    // A query with markup is shown escaped.
    anonymous.get(&format!("/faq?q={}", query_string("<b>fett</b>xyzzy"))).await;
    let page = lead.get("/desk/kb/misses").await;
    assert!(
        page.body.contains("&lt;b&gt;fett&lt;&#x2F;b&gt;xyzzy") || page.body.contains("&lt;b&gt;fett&lt;/b&gt;xyzzy")
    );
    assert!(!page.body.contains("<b>fett"));
}

#[rocket::async_test]
async fn searches_without_results_are_recorded_for_the_desk() {
    on_each_backend!(searches_without_results_are_recorded);
}

// ---------------------------------------------------------------------------------------
// The index follows the database
// ---------------------------------------------------------------------------------------

async fn api_slugs(app: &TestApp, token: &str, q: &str) -> Vec<String> {
    let reply = app.api_get(Some(token), &format!("/api/v1/kb/search?q={}&limit=50", query_string(q))).await;
    reply.json()["hits"].as_array().unwrap().iter().map(|h| h["slug"].as_str().unwrap().to_string()).collect()
}

async fn imports_reach_the_index(backend: Backend) {
    let app = TestApp::new(&backend).await;
    app.user("l@desk.de", "desk_lead", "").await;
    let token = app.token("l@desk.de").await;
    let dir = tempfile::tempdir().unwrap();
    let path = "neu/whiteboard-stift-kalibrieren.md";
    let front = "title: Whiteboard-Stift kalibrieren\naudience: [teacher]\nservice: presentation\ntags: [stift]";
    write_article(dir.path(), path, &article_text(front, "Den Kalibrierassistent am Smartboard starten."));
    let before = staffel::search::sync::sync_changes(app.db(), &app.engine(), chrono::Utc::now()).await.unwrap();
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.added, vec!["whiteboard-stift-kalibrieren".to_string()]);
    // Not in the index until the sync runs (the server runs it every few seconds).
    assert!(api_slugs(&app, &token, "Kalibrierassistent").await.is_empty());
    let mark = staffel::search::sync::sync_changes(app.db(), &app.engine(), before).await.unwrap();
    assert!(mark >= before);
    assert_eq!(api_slugs(&app, &token, "Kalibrierassistent").await, vec!["whiteboard-stift-kalibrieren"]);
    assert_eq!(
        api_slugs(&app, &token, "Whiteboard Stift").await.first().map(String::as_str),
        Some("whiteboard-stift-kalibrieren")
    );

    // A changed text replaces the old one in the index.
    write_article(dir.path(), path, &article_text(front, "Die Stiftkalibrierung im Menü des Displays öffnen."));
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.changed, vec!["whiteboard-stift-kalibrieren".to_string()]);
    let mark = staffel::search::sync::sync_changes(app.db(), &app.engine(), mark).await.unwrap();
    assert!(api_slugs(&app, &token, "Kalibrierassistent").await.is_empty());
    assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);

    // Made a draft: gone from every result, even the desk's.
    write_article(
        dir.path(),
        path,
        &article_text(&format!("{front}\nstatus: draft"), "Die Stiftkalibrierung im Menü des Displays öffnen."),
    );
    let report = app.import_articles(dir.path()).await;
    assert_eq!(report.changed.len(), 1);
    let mark = staffel::search::sync::sync_changes(app.db(), &app.engine(), mark).await.unwrap();
    assert!(api_slugs(&app, &token, "Stiftkalibrierung").await.is_empty());
    assert!(app.engine().doc_count().await.unwrap() > 0, "the other articles stay");

    // Published again: back.
    write_article(dir.path(), path, &article_text(front, "Die Stiftkalibrierung im Menü des Displays öffnen."));
    app.import_articles(dir.path()).await;
    staffel::search::sync::sync_changes(app.db(), &app.engine(), mark).await.unwrap();
    assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);

    // A rebuild from the database gives the same answers.
    let engine = app.engine();
    let count = staffel::search::sync::reindex_all(app.db(), &engine, |_, _| {}).await.unwrap();
    assert_eq!(count, engine.doc_count().await.unwrap());
    assert_eq!(api_slugs(&app, &token, "Stiftkalibrierung").await, vec!["whiteboard-stift-kalibrieren"]);
}

#[rocket::async_test]
async fn imports_reach_the_index_through_the_sync() {
    on_each_backend!(imports_reach_the_index);
}
