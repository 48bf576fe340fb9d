//! FAQ search: one trait, two engines. The embedded engine (tantivy, on disk in the data
//! dir) is the default; Meilisearch serves several instances at once. The database is the
//! source of truth: engines are filled from it and can be rebuilt from it at any time.
pub mod cache;
pub mod embedded;
pub mod expansion;
pub mod german;
pub mod meili;
pub mod misses;
pub mod ranking;
pub mod snippets;
pub mod sync;
pub mod terms;
pub mod vocabulary;

use serde::Serialize;

use crate::auth::{Actor, Role};

/// What an engine indexes of a published article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub slug: String,
    pub title: String,
    /// Plain text of the body (Markdown stripped).
    pub body: String,
    pub tags: Vec<String>,
    /// Roles the article is written for.
    pub audience: Vec<String>,
    pub service: Option<String>,
    /// School slug for school-local articles; None for global ones.
    pub school: Option<String>,
}

/// Who may find what: the filter every search carries, derived from the reader.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    /// Articles for any of these audiences; None: every audience.
    pub audiences: Option<Vec<&'static str>>,
    /// Global articles plus this school's; None with `all_schools`: every school.
    pub school: Option<String>,
    pub all_schools: bool,
}

impl Scope {
    /// The scope of a reader (anonymous readers are pupils). Readers find what is written
    /// for them and for the levels below them; the desk finds everything; operators run
    /// the platform and find the global articles only.
    pub fn for_reader(reader: Option<&Actor>) -> Scope {
        let role = reader.map(|a| a.role).unwrap_or(Role::Pupil);
        let school = reader.and_then(|a| a.school_slug.clone());
        match role {
            Role::Pupil => Scope { audiences: Some(vec!["pupil"]), school, all_schools: false },
            Role::Teacher => Scope { audiences: Some(vec!["pupil", "teacher"]), school, all_schools: false },
            Role::SchoolAdmin => {
                Scope { audiences: Some(vec!["pupil", "teacher", "school_admin"]), school, all_schools: false }
            }
            Role::Agent | Role::DeskLead => Scope { audiences: None, school: None, all_schools: true },
            Role::Operator => Scope { audiences: None, school: None, all_schools: false },
        }
    }

    /// The same rule, for one article (used when opening an article directly).
    pub fn allows(&self, audience: &[String], school: Option<&str>) -> bool {
        let audience_ok = match &self.audiences {
            None => true,
            Some(allowed) => audience.iter().any(|a| allowed.contains(&a.as_str())),
        };
        let school_ok = match school {
            None => true,
            Some(slug) => self.all_schools || self.school.as_deref() == Some(slug),
        };
        audience_ok && school_ok
    }
}

#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    pub limit: usize,
    pub service: Option<String>,
    pub scope: Scope,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Hit {
    pub slug: String,
    pub title: String,
    /// HTML: escaped text with the matches in `<mark>`.
    pub snippet: String,
    pub score: f32,
    /// The share of the query's (significant) words the article matched, 0 to 1, where the
    /// engine tells; Meilisearch does not, and gives 1.
    #[serde(skip)]
    pub share: f32,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Results {
    pub hits: Vec<Hit>,
    pub total: usize,
}

#[rocket::async_trait]
pub trait SearchEngine: Send + Sync {
    /// Adds or replaces documents (by slug).
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), String>;
    /// Removes documents by slug; unknown slugs are fine.
    async fn remove(&self, slugs: Vec<String>) -> Result<(), String>;
    /// The slug of every document the engine holds.
    async fn slugs(&self) -> Result<Vec<String>, String>;
    async fn search(&self, query: &SearchQuery) -> Result<Results, String>;
    /// How many documents the engine holds.
    async fn doc_count(&self) -> Result<u64, String>;
    fn name(&self) -> &'static str;
}

pub type Engine = std::sync::Arc<dyn SearchEngine>;

/// The engine the settings ask for.
pub async fn open(settings: &crate::config::Settings) -> Result<Engine, String> {
    match settings.search {
        crate::config::SearchKind::Embedded => {
            Ok(std::sync::Arc::new(embedded::EmbeddedEngine::open(&settings.index_dir())?))
        }
        crate::config::SearchKind::Meilisearch => Ok(std::sync::Arc::new(
            meili::MeiliEngine::connect(&settings.meili_url, &settings.meili_key, &settings.meili_index).await?,
        )),
    }
}
