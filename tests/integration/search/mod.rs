//! FAQ search: relevance on the shipped articles (typos, inflections, umlauts, ß, compounds,
//! prefixes, questions), safe snippets, scoping per role on both engines, recorded misses and
//! keeping the index in step with the database.
mod engines;
mod on_the_app;
mod relevance;

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
