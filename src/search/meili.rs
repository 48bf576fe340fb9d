//! The Meilisearch engine, for several Staffel instances sharing one search service.
//! Staffel owns the index settings: searchable attributes in rank order (title, tags,
//! body), filterable scope attributes, German stop words, typo tolerance of SPEC §3, and
//! the `frequency` matching strategy so a question's rare words decide, not its last ones.
use meilisearch_sdk::client::Client;
use meilisearch_sdk::documents::DocumentsQuery;
use meilisearch_sdk::indexes::Index;
use meilisearch_sdk::search::{MatchingStrategies, SearchResults, Selectors};
use meilisearch_sdk::settings::{MinWordSizeForTypos, Settings, TypoToleranceSettings};
use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::german::STOP_WORDS;
use super::{Hit, Results, SearchDoc, SearchEngine, SearchQuery};

const GLOBAL: &str = "_global";
// Markers that cannot occur in article text; swapped for <mark> after escaping.
const PRE: &str = "\u{1}";
const POST: &str = "\u{2}";

#[derive(Debug, Serialize, Deserialize)]
struct MeiliDoc {
    id: String,
    title: String,
    tags: Vec<String>,
    body: String,
    audience: Vec<String>,
    school: String,
    service: String,
}

pub struct MeiliEngine {
    client: Client,
    index: Index,
}

fn err(e: impl std::fmt::Display) -> String {
    format!("meilisearch: {e}")
}

/// Staffel's index settings.
fn wanted_settings() -> Settings {
    Settings::new()
        .with_searchable_attributes(["title", "tags", "body"])
        .with_filterable_attributes(["audience", "school", "service"])
        .with_ranking_rules(RANKING)
        .with_stop_words(STOP_WORDS.iter().copied())
        .with_typo_tolerance(TypoToleranceSettings {
            enabled: Some(true),
            disable_on_attributes: None,
            disable_on_words: None,
            disable_on_numbers: None,
            min_word_size_for_typos: Some(MinWordSizeForTypos { one_typo: Some(5), two_typos: Some(9) }),
        })
}

const RANKING: [&str; 6] = ["words", "typo", "proximity", "attribute", "sort", "exactness"];

/// Whether an index already has what `wanted_settings` sets (the parts Staffel decides;
/// Meilisearch answers every other setting too).
fn same_settings(current: &Settings, wanted: &Settings) -> bool {
    let words = |list: &Option<Vec<String>>| {
        // Meilisearch answers its stop words decomposed ("fu\u{308}r"): compare composed.
        list.iter()
            .flatten()
            .map(|w| w.nfc().collect::<String>().to_lowercase())
            .collect::<std::collections::BTreeSet<_>>()
    };
    let typos = |s: &Settings| {
        s.typo_tolerance
            .as_ref()
            .map(|t| (t.enabled, t.min_word_size_for_typos.as_ref().map(|m| (m.one_typo, m.two_typos))))
    };
    current.searchable_attributes == wanted.searchable_attributes
        && current.ranking_rules == wanted.ranking_rules
        && words(&current.stop_words) == words(&wanted.stop_words)
        && serde_json::to_value(&current.filterable_attributes).ok()
            == serde_json::to_value(&wanted.filterable_attributes).ok()
        && typos(current) == typos(wanted)
}

impl MeiliEngine {
    pub async fn connect(url: &str, key: &str, index_uid: &str) -> Result<MeiliEngine, String> {
        let client = Client::new(url, (!key.is_empty()).then(|| key.to_string())).map_err(err)?;
        let task = client.create_index(index_uid, Some("id")).await.map_err(err)?;
        // "Index already exists" is fine; any other failure shows up in set_settings.
        let _ = task.wait_for_completion(&client, None, None).await;
        let index = client.index(index_uid);
        let settings = wanted_settings();
        // Several instances start against one index: each applies the same settings, and
        // only when the index does not have them already, so a start does not queue a
        // settings task (and Meilisearch's reindex behind it) in front of searches.
        let current = index.get_settings().await.map_err(err)?;
        if !same_settings(&current, &settings) {
            index
                .set_settings(&settings)
                .await
                .map_err(err)?
                .wait_for_completion(&client, None, Some(std::time::Duration::from_secs(120)))
                .await
                .map_err(err)?;
        }
        Ok(MeiliEngine { client, index })
    }

    async fn run(&self, text: &str, limit: usize, filter: &str) -> Result<SearchResults<MeiliDoc>, String> {
        let mut search = self.index.search();
        search
            .with_query(text)
            .with_limit(limit.clamp(1, 100))
            .with_matching_strategy(MatchingStrategies::FREQUENCY)
            .with_attributes_to_crop(Selectors::Some(&[("body", Some(30))]))
            .with_attributes_to_highlight(Selectors::Some(&["body"]))
            .with_highlight_pre_tag(PRE)
            .with_highlight_post_tag(POST)
            .with_show_ranking_score(true);
        if !filter.is_empty() {
            search.with_filter(filter);
        }
        search.execute::<MeiliDoc>().await.map_err(err)
    }

    async fn wait(&self, task: meilisearch_sdk::task_info::TaskInfo) -> Result<(), String> {
        let done = task
            .wait_for_completion(&self.client, None, Some(std::time::Duration::from_secs(60)))
            .await
            .map_err(err)?;
        if done.is_failure() {
            return Err(err(format!("{:?}", done.unwrap_failure())));
        }
        Ok(())
    }
}

/// The query without German function words. Meilisearch ignores its stop words inside
/// documents, but a question that begins with one ("Wie setze …") found nothing at all
/// with the `frequency` strategy (measured on 1.50). A query of stop words only is kept.
fn without_stop_words(text: &str) -> String {
    let kept: Vec<&str> = text.split_whitespace().filter(|word| !super::german::is_stop_word(word)).collect();
    if kept.is_empty() {
        text.to_string()
    } else {
        kept.join(" ")
    }
}

fn quote(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

fn escape_with_marks(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace(PRE, "<mark>")
        .replace(POST, "</mark>")
}

#[rocket::async_trait]
impl SearchEngine for MeiliEngine {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), String> {
        if docs.is_empty() {
            return Ok(());
        }
        let docs: Vec<MeiliDoc> = docs
            .into_iter()
            .map(|d| MeiliDoc {
                id: d.slug,
                title: d.title,
                tags: d.tags,
                body: d.body,
                audience: d.audience,
                school: d.school.unwrap_or_else(|| GLOBAL.into()),
                service: d.service.unwrap_or_default(),
            })
            .collect();
        let task = self.index.add_or_replace(&docs, Some("id")).await.map_err(err)?;
        self.wait(task).await
    }

    async fn remove(&self, slugs: Vec<String>) -> Result<(), String> {
        if slugs.is_empty() {
            return Ok(());
        }
        let task = self.index.delete_documents(&slugs).await.map_err(err)?;
        self.wait(task).await
    }

    async fn slugs(&self) -> Result<Vec<String>, String> {
        #[derive(Deserialize)]
        struct Id {
            id: String,
        }
        const PAGE: usize = 1_000;
        let mut slugs = Vec::new();
        loop {
            let page = DocumentsQuery::new(&self.index)
                .with_fields(["id"])
                .with_offset(slugs.len())
                .with_limit(PAGE)
                .execute::<Id>()
                .await
                .map_err(err)?;
            let got = page.results.len();
            slugs.extend(page.results.into_iter().map(|doc| doc.id));
            if got < PAGE {
                return Ok(slugs);
            }
        }
    }

    async fn search(&self, query: &SearchQuery) -> Result<Results, String> {
        let mut filters = Vec::new();
        if let Some(audiences) = &query.scope.audiences {
            let list: Vec<String> = audiences.iter().map(|a| quote(a)).collect();
            filters.push(format!("audience IN [{}]", list.join(", ")));
        }
        if !query.scope.all_schools {
            let mut schools = vec![quote(GLOBAL)];
            if let Some(school) = &query.scope.school {
                schools.push(quote(school));
            }
            filters.push(format!("school IN [{}]", schools.join(", ")));
        }
        if let Some(service) = &query.service {
            filters.push(format!("service = {}", quote(service)));
        }
        let filter = filters.join(" AND ");
        let text = without_stop_words(&query.text);
        let found = self.run(&text, query.limit, &filter).await?;
        let hits = found
            .hits
            .into_iter()
            .map(|hit| {
                let cropped = hit
                    .formatted_result
                    .as_ref()
                    .and_then(|f| f.get("body"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| hit.result.body.chars().take(180).collect());
                Hit {
                    slug: hit.result.id,
                    title: hit.result.title,
                    snippet: escape_with_marks(&cropped),
                    score: hit.ranking_score.unwrap_or(0.0) as f32,
                    share: 1.0,
                }
            })
            .collect::<Vec<_>>();
        let total = found.estimated_total_hits.unwrap_or(hits.len());
        Ok(Results { hits, total })
    }

    async fn doc_count(&self) -> Result<u64, String> {
        let stats = self.index.get_stats().await.map_err(err)?;
        Ok(stats.number_of_documents as u64)
    }

    fn name(&self) -> &'static str {
        "meilisearch"
    }
}
