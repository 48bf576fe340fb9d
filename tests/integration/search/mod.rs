//! FAQ search: relevance on the shipped articles (typos, inflections, umlauts, ß, compounds,
//! prefixes, questions), safe snippets, scoping per role on both engines, recorded misses and
//! keeping the index in step with the database.
mod engines;
mod on_the_app;
mod relevance;
mod suggestions;

use std::collections::BTreeSet;
use std::path::Path;

use crate::common::{article_files, parsed};
use staffel::search::{Scope, SearchDoc};

/// The shipped articles as the engine indexes them, read straight from `kb/`.
fn shipped_docs() -> Vec<SearchDoc> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("kb");
    article_files(&dir)
        .into_iter()
        .map(|file| {
            let a = parsed(&file);
            SearchDoc {
                slug: a.slug,
                title: a.title,
                body: staffel::markdown::plain_text(&a.body),
                tags: a.tags,
                audience: a.audience,
                service: a.service,
                school: a.school,
            }
        })
        .collect()
}

fn everything() -> Scope {
    Scope { audiences: None, school: None, all_schools: true }
}

fn query_string(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

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

fn set<S: AsRef<str>>(items: &[S]) -> BTreeSet<String> {
    items.iter().map(|s| s.as_ref().to_string()).collect()
}

/// Where an app-level search test runs: on the embedded engine always, and on Meilisearch
/// too when `STAFFEL_TEST_MEILI` names a server (each run its own index, removed after).
pub enum EngineSetup {
    Embedded,
    Meili { url: String, key: String, index: String },
}

pub fn engine_setups() -> Vec<EngineSetup> {
    let mut setups = vec![EngineSetup::Embedded];
    if let Ok(url) = std::env::var("STAFFEL_TEST_MEILI") {
        if !url.trim().is_empty() {
            setups.push(EngineSetup::Meili {
                url: url.trim().to_string(),
                key: std::env::var("STAFFEL_TEST_MEILI_KEY").unwrap_or_default(),
                index: format!("staffel_test_{}_{}", std::process::id(), staffel::crypto::random_hex(4)),
            });
        }
    }
    setups
}

impl EngineSetup {
    pub fn is_meili(&self) -> bool {
        matches!(self, EngineSetup::Meili { .. })
    }

    pub fn apply(&self, figment: rocket::figment::Figment) -> rocket::figment::Figment {
        match self {
            EngineSetup::Embedded => figment,
            EngineSetup::Meili { url, key, index } => figment
                .merge(("staffel.search", "meilisearch"))
                .merge(("staffel.meili_url", url.as_str()))
                .merge(("staffel.meili_key", key.as_str()))
                .merge(("staffel.meili_index", index.as_str())),
        }
    }

    /// Removes the test's index from the server.
    pub async fn finish(&self) {
        if let EngineSetup::Meili { url, key, index } = self {
            let client =
                meilisearch_sdk::client::Client::new(url, (!key.is_empty()).then_some(key.as_str())).expect("client");
            if let Ok(task) = client.delete_index(index).await {
                let _ = task.wait_for_completion(&client, None, None).await;
            }
        }
    }
}
