//! The embedded engine's term cache: word look-ups, compound splits and the documents of
//! prefix and typo expansions, kept per searcher generation and shared by every reader.
//! The result cache is off here, so every search below goes through the term cache: one
//! that outlived an article change or mixed readers' scopes would show in the results.
use std::collections::BTreeSet;

use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{Scope, SearchDoc, SearchEngine, SearchQuery};

fn doc(slug: &str, body: &str, audience: &str, school: Option<&str>) -> SearchDoc {
    SearchDoc {
        slug: slug.into(),
        title: format!("Artikel {slug}"),
        body: body.into(),
        tags: vec![],
        audience: vec![audience.into()],
        service: None,
        school: school.map(str::to_string),
    }
}

fn desk() -> Scope {
    Scope { audiences: None, school: None, all_schools: true }
}

fn reader(audiences: &[&'static str], school: Option<&str>) -> Scope {
    Scope { audiences: Some(audiences.to_vec()), school: school.map(str::to_string), all_schools: false }
}

async fn found(engine: &EmbeddedEngine, text: &str, scope: Scope) -> BTreeSet<String> {
    let query = SearchQuery { text: text.into(), limit: 50, service: None, scope };
    let results = engine.search(&query).await.expect("search");
    assert_eq!(results.total, results.hits.len(), "{text:?}");
    results.hits.into_iter().map(|h| h.slug).collect()
}

fn set(slugs: &[&str]) -> BTreeSet<String> {
    slugs.iter().map(|s| s.to_string()).collect()
}

#[rocket::async_test]
async fn the_term_cache_never_mixes_scopes() {
    let engine = EmbeddedEngine::in_memory().without_cache();
    let body = "Die Zauberkreide liegt im Lehrerzimmer.";
    engine
        .upsert(vec![
            doc("zk-pupil", body, "pupil", None),
            doc("zk-teacher", body, "teacher", None),
            doc("zk-gym", body, "pupil", Some("gym")),
            doc("zk-rs", body, "pupil", Some("rs")),
        ])
        .await
        .expect("upsert");
    let all = set(&["zk-pupil", "zk-teacher", "zk-gym", "zk-rs"]);
    // The desk first and last, so that the others search with a cache the desk filled and
    // the desk with one the narrower readers filled.
    let readers = [
        ("desk", desk(), all.clone()),
        ("anonymous", reader(&["pupil"], None), set(&["zk-pupil"])),
        ("pupil gym", reader(&["pupil"], Some("gym")), set(&["zk-pupil", "zk-gym"])),
        ("pupil rs", reader(&["pupil"], Some("rs")), set(&["zk-pupil", "zk-rs"])),
        ("teacher gym", reader(&["pupil", "teacher"], Some("gym")), set(&["zk-pupil", "zk-teacher", "zk-gym"])),
        ("desk again", desk(), all),
    ];
    // As written, with a typo, as a prefix, and as a compound of known words.
    for text in ["Zauberkreide", "Zauberkride", "Zauberkr", "Lehrerzauberkreide"] {
        for (label, scope, want) in &readers {
            assert_eq!(found(&engine, text, scope.clone()).await, *want, "{label} searching {text:?}");
        }
    }
}

#[rocket::async_test]
async fn the_term_cache_follows_every_article_change() {
    let engine = EmbeddedEngine::in_memory().without_cache();
    engine
        .upsert(vec![doc("dienst", "Bitte die dienstliche E-Mail für Elternbriefe nutzen.", "pupil", None)])
        .await
        .expect("upsert");
    // No article has the word: it is split into two that some article has.
    assert_eq!(found(&engine, "Dienstmail", desk()).await, set(&["dienst"]));
    assert_eq!(found(&engine, "Elternbr", desk()).await, set(&["dienst"]));
    assert_eq!(found(&engine, "Elternbriefr", desk()).await, set(&["dienst"]));

    // Now an article has the word, so it is no longer split: a kept split would still
    // find the first article.
    engine.upsert(vec![doc("dienstmail", "Die Dienstmail ist eingerichtet.", "pupil", None)]).await.expect("upsert");
    assert_eq!(found(&engine, "Dienstmail", desk()).await, set(&["dienstmail"]));

    // An edit takes the word away; another article brings a longer one.
    engine
        .upsert(vec![
            doc("dienst", "Bitte die dienstliche E-Mail nutzen.", "pupil", None),
            doc("vorlage", "Die Elternbriefvorlage liegt im Sekretariat.", "pupil", None),
        ])
        .await
        .expect("upsert");
    assert_eq!(found(&engine, "Elternbr", desk()).await, set(&["vorlage"]));
    assert_eq!(found(&engine, "Elternbriefvorlag", desk()).await, set(&["vorlage"]));

    engine.remove(vec!["vorlage".into()]).await.expect("remove");
    assert!(found(&engine, "Elternbr", desk()).await.is_empty());
}
