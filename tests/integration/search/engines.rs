//! Snippets, compounds and scoping: the same checks on both engines.
use super::{doc, everything, set, shipped_docs};
use crate::common;
use staffel::auth::{Actor, Role};
use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{Scope, SearchDoc, SearchEngine, SearchQuery};

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
pub(super) const SCOPED: &[(&str, &[&str], Option<&str>)] = &[
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
pub(super) const MAGIC: &str = "Zauberkreide";

const GLOBAL_PUPIL: &[&str] = &["zk-g-pupil", "zk-g-pupil-teacher"];
const GLOBAL_ALL: &[&str] = &["zk-g-pupil", "zk-g-teacher", "zk-g-pupil-teacher", "zk-g-admin", "zk-g-agent"];

type ReaderCase = (&'static str, Option<Role>, Option<&'static str>, Vec<&'static str>);

/// Who reads what, written out by hand (not derived from `Scope`): label, role, school,
/// the fixture's articles they find.
pub(super) fn readers() -> Vec<ReaderCase> {
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

/// The scoping rules on one engine: every reader finds exactly their share.
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
            common::loud_notice(
                "\n!!! SKIPPED: STAFFEL_TEST_MEILI not set: the Meilisearch engine is NOT tested.\n\
                 !!! Set STAFFEL_TEST_MEILI=http://127.0.0.1:7700 (and STAFFEL_TEST_MEILI_KEY) to test it.\n\n",
            );
            return;
        }
    };
    let key = std::env::var("STAFFEL_TEST_MEILI_KEY").unwrap_or_default();
    let uid = format!("staffel_test_{}_{}", std::process::id(), staffel::crypto::random_hex(4));
    let engine = staffel::search::meili::MeiliEngine::connect(&url, &key, &uid).await.expect("connect to Meilisearch");
    check_scoping(&engine).await;
    check_snippets_and_compounds(&engine).await;
    // Clean up the test's index.
    let client = meilisearch_sdk::client::Client::new(&url, (!key.is_empty()).then_some(key)).expect("client");
    if let Ok(task) = client.delete_index(&uid).await {
        let _ = task.wait_for_completion(&client, None, None).await;
    }
}
