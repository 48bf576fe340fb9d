//! The embedded engine: a tantivy index on disk. Writers are opened per batch and closed
//! after the commit, so an idle server holds no indexing memory and `staffel reindex` can
//! take the index while no batch runs.
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::indexer::LogMergePolicy;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, Value, STORED, STRING};
use tantivy::{
    doc, BitSet, DocSet, Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, Term, TERMINATED,
};
use tokio::sync::Mutex;

use super::cache::{CacheKey, ResultCache};
use super::expansion::{Expansion, ExpansionQuery};
use super::german::{self, ANALYZER, WORDS_ANALYZER};
use super::ranking::{self, Ranked};
use super::snippets::Snippets;
use super::terms::{CompoundParts, ScopeKey, TermCache, TermCaches};
use super::{Results, SearchDoc, SearchEngine, SearchQuery};

const WRITER_BUDGET: usize = 32_000_000;
/// The share of deleted documents in a segment that has it merged away.
const DELETED_BEFORE_MERGE: f32 = 0.25;
/// Decompressed 16 kB blocks of stored documents kept per segment (tantivy keeps 100): every
/// hit's text is read for its snippet, and at 100 blocks most reads decompressed a block
/// again. 512 blocks hold ~8 MB of text per segment at most, filled only as read.
const DOC_STORE_BLOCKS: usize = 512;
/// The marker for "global" in the school field: a real slug never starts with `_`.
const GLOBAL: &str = "_global";

/// How a query word's typos are matched.
enum Typos {
    /// Too short for a typo.
    None,
    /// The word occurs as written: only that spelling counts as the typo match.
    SpelledRight,
    Expand(Expansion),
}

#[derive(Clone, Copy)]
struct Fields {
    slug: Field,
    title: Field,
    tags: Field,
    body: Field,
    title_words: Field,
    tags_words: Field,
    body_words: Field,
    audience: Field,
    school: Field,
    service: Field,
}

pub struct EmbeddedEngine {
    index: Index,
    reader: IndexReader,
    fields: Fields,
    /// One batch writes at a time.
    writing: Arc<Mutex<()>>,
    /// Recent results; None: every search runs (benchmarks of the engine itself).
    cache: Option<ResultCache>,
    /// Term dictionary look-ups of the current searcher generation, shared by all queries
    /// and readers (they depend on the index only).
    terms: TermCaches,
}

/// The index in `dir` (a new one when `create`), with a reader that has loaded every
/// segment: a damaged segment fails here, not in the first search.
fn open_in(dir: &Path, create: bool) -> tantivy::Result<EmbeddedEngine> {
    let (schema, fields) = schema();
    let index = if create {
        Index::create_in_dir(dir, schema)?
    } else {
        Index::open_or_create(tantivy::directory::MmapDirectory::open(dir)?, schema)?
    };
    register_analyzers(&index);
    // Watch the index for commits by other processes (`staffel reindex` while the
    // server runs); this process's own commits reload at once.
    let reader = index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .doc_store_cache_num_blocks(DOC_STORE_BLOCKS)
        .try_into()?;
    Ok(EmbeddedEngine::with(index, reader, fields))
}

fn schema() -> (Schema, Fields) {
    let mut builder = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(ANALYZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let words = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default().set_tokenizer(WORDS_ANALYZER).set_index_option(IndexRecordOption::Basic),
    );
    let fields = Fields {
        slug: builder.add_text_field("slug", STRING | STORED),
        title: builder.add_text_field("title", text.clone()),
        tags: builder.add_text_field("tags", text.clone()),
        body: builder.add_text_field("body", text),
        title_words: builder.add_text_field("title_words", words.clone()),
        tags_words: builder.add_text_field("tags_words", words.clone()),
        body_words: builder.add_text_field("body_words", words),
        audience: builder.add_text_field("audience", STRING),
        school: builder.add_text_field("school", STRING),
        service: builder.add_text_field("service", STRING),
    };
    (builder.build(), fields)
}

impl EmbeddedEngine {
    pub fn open(dir: &Path) -> Result<EmbeddedEngine, String> {
        crate::private_files::create_dir(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        match open_in(dir, false) {
            Ok(engine) => Ok(engine),
            Err(e) => {
                // An index of an older schema, or a damaged one (files cut short, garbage,
                // missing segments): rebuilt from the database, the source of truth.
                tracing::warn!(error = %e, dir = %dir.display(), "search index unreadable; starting a new one, rebuilt from the database");
                std::fs::remove_dir_all(dir).map_err(|e| e.to_string())?;
                crate::private_files::create_dir(dir).map_err(|e| e.to_string())?;
                open_in(dir, true).map_err(|e| e.to_string())
            }
        }
    }

    /// An in-memory index (for tests and benchmarks of the engine alone).
    pub fn in_memory() -> EmbeddedEngine {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        register_analyzers(&index);
        let reader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().expect("reader");
        EmbeddedEngine::with(index, reader, fields)
    }

    /// An engine over this index and reader, with empty caches.
    fn with(index: Index, reader: IndexReader, fields: Fields) -> EmbeddedEngine {
        EmbeddedEngine {
            index,
            reader,
            fields,
            writing: Arc::new(Mutex::new(())),
            cache: Some(ResultCache::default()),
            terms: TermCaches::default(),
        }
    }

    /// The same engine without its result cache: every search runs (for measuring it).
    pub fn without_cache(mut self) -> EmbeddedEngine {
        self.cache = None;
        self
    }

    async fn write(
        &self,
        change: impl FnOnce(&mut IndexWriter, Fields) -> tantivy::Result<()> + Send + 'static,
    ) -> Result<(), String> {
        let _guard = self.writing.lock().await;
        let index = self.index.clone();
        let fields = self.fields;
        tokio::task::spawn_blocking(move || -> tantivy::Result<()> {
            let mut writer: IndexWriter = index.writer_with_num_threads(1, WRITER_BUDGET)?;
            writer.set_merge_policy(Box::new(merge_policy()));
            change(&mut writer, fields)?;
            writer.commit()?;
            writer.wait_merging_threads()
        })
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| format!("search index: {e}"))?;
        self.reader.reload().map_err(|e| e.to_string())
    }

    /// Adds many documents in one commit: the fast path for rebuilding.
    pub async fn bulk_load(&self, docs: Vec<SearchDoc>) -> Result<(), String> {
        self.write(move |writer, f| {
            for d in docs {
                writer.add_document(to_document(&d, f))?;
            }
            Ok(())
        })
        .await
    }

    /// One query word as alternatives, whose scores add up: its stemmed form in title, tags
    /// and body (scored by BM25, title and tags weighing more), plus typos and prefixes of
    /// the words as written (a constant score, less than an exact match). The ranking walks
    /// each alternative on its own: a union of them per word cost more than the scoring.
    fn word_alternatives(
        &self,
        searcher: &Searcher,
        terms: &Arc<TermCache>,
        word: &german::QueryWord,
        is_last: bool,
        parts: Option<&CompoundParts>,
    ) -> Vec<Box<dyn Query>> {
        let f = self.fields;
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        // A compound the articles do not spell as one word ("Dienstmail") also matches
        // where both of its parts occur ("dienstliche E-Mail").
        if let Some((head, tail)) = parts {
            let any_of = |word| -> Box<dyn Query> {
                let should = self.word_alternatives(searcher, terms, word, false, None);
                Box::new(BooleanQuery::new(should.into_iter().map(|q| (Occur::Should, q)).collect()))
            };
            let both: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, any_of(head)), (Occur::Must, any_of(tail))];
            alternatives.push(Box::new(BoostQuery::new(Box::new(BooleanQuery::new(both)), 0.5)));
        }
        let typos = match german::allowed_typos(word.typed_len) {
            0 => Typos::None,
            // A word some article spells exactly this way is taken as spelled right: the
            // typo search (an edit-distance walk through the words of the index) is the
            // costliest part of a query, and the exact word scores as a typo match did.
            _ if self.has_word(searcher, terms, &word.folded, false) => Typos::SpelledRight,
            // The word being typed that starts some written word is typed right so far: the
            // prefix match finds what it stands for, without the typo walk.
            _ if is_last && self.has_word(searcher, terms, &word.folded, true) => Typos::None,
            // The walk runs when a segment's expansion is not in the term cache.
            distance => Typos::Expand(Expansion::typos(&word.folded, distance)),
        };
        // Compounds ("Drucker" in "Druckertreiber") and the word being typed (the last
        // one, from three letters) match as prefixes of written words.
        let prefix = (word.typed_len >= 4 || (is_last && word.typed_len >= 3))
            .then(|| Expansion::Prefix(Arc::from(word.folded.as_bytes())));
        for (field, words_field, weight) in
            [(f.title, f.title_words, 3.0f32), (f.tags, f.tags_words, 2.5), (f.body, f.body_words, 1.0)]
        {
            let term = Term::from_field_text(field, &word.term);
            alternatives
                .push(Box::new(BoostQuery::new(Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)), weight)));
            let typo_match: Option<Box<dyn Query>> = match &typos {
                Typos::None => None,
                Typos::SpelledRight => Some(Box::new(ConstScoreQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(words_field, &word.folded),
                        IndexRecordOption::Basic,
                    )),
                    0.6 * weight,
                ))),
                Typos::Expand(expansion) => Some(Box::new(BoostQuery::new(
                    Box::new(ExpansionQuery { field: words_field, expansion: expansion.clone(), cache: terms.clone() }),
                    0.6 * weight,
                ))),
            };
            if let Some(typo_match) = typo_match {
                alternatives.push(typo_match);
            }
            if let Some(expansion) = &prefix {
                alternatives.push(Box::new(BoostQuery::new(
                    Box::new(ExpansionQuery { field: words_field, expansion: expansion.clone(), cache: terms.clone() }),
                    0.4 * weight,
                )));
            }
        }
        alternatives
    }

    /// Whether any indexed word (of title, tags or body, as written) is `word` itself or,
    /// with `as_prefix`, starts with it. Asked of the term cache first.
    fn has_word(&self, searcher: &Searcher, terms: &TermCache, word: &str, as_prefix: bool) -> bool {
        terms.has_word(word, as_prefix, || self.look_up_word(searcher, terms, word, as_prefix))
    }

    fn look_up_word(&self, searcher: &Searcher, terms: &TermCache, word: &str, as_prefix: bool) -> bool {
        let f = self.fields;
        searcher.segment_readers().iter().any(|segment| {
            [f.title_words, f.tags_words, f.body_words].into_iter().any(|field| {
                terms.vocabularies.of(segment, field).is_ok_and(|words| {
                    if as_prefix {
                        !words.starting_with(word.as_bytes()).is_empty()
                    } else {
                        words.contains(word.as_bytes())
                    }
                })
            })
        })
    }

    /// Splits a long query word that no article contains, not even as the start of a
    /// longer word, into two parts the articles do contain: a word start and a whole
    /// word ("dienstmail" → "dienst…" + "mail"; "anmeldungsfehler" → "anmeldung…" +
    /// "fehler", without the linking "s"). The tail may be inflected in the articles; the
    /// longest possible tail (the compound's head word in German) wins. The answer is kept
    /// in the term cache.
    fn decompound(&self, searcher: &Searcher, terms: &TermCache, word: &german::QueryWord) -> Option<CompoundParts> {
        if word.folded.chars().count() < 8 {
            return None;
        }
        terms.compound(&word.folded, || self.split_compound(searcher, terms, word))
    }

    fn split_compound(
        &self,
        searcher: &Searcher,
        terms: &TermCache,
        word: &german::QueryWord,
    ) -> Option<CompoundParts> {
        let folded = &word.folded;
        let chars: Vec<(usize, char)> = folded.char_indices().collect();
        if chars.len() < 8 || self.has_word(searcher, terms, folded, true) {
            return None;
        }
        let f = self.fields;
        let stem_known = |term: &str| {
            [f.title, f.tags, f.body]
                .into_iter()
                .any(|field| searcher.doc_freq(&Term::from_field_text(field, term)).is_ok_and(|n| n > 0))
        };
        if stem_known(&word.term) {
            return None;
        }
        let part = |text: &str| {
            german::query_words(text).into_iter().next().unwrap_or(german::QueryWord {
                term: text.to_string(),
                typed_len: text.chars().count(),
                folded: text.to_string(),
            })
        };
        for &(at, _) in &chars[4..=chars.len() - 3] {
            let (head, tail) = (&folded[..at], &folded[at..]);
            // The tail as written or inflected ("geräte" in "Geräten").
            if !self.has_word(searcher, terms, tail, false) && !stem_known(&part(tail).term) {
                continue;
            }
            let head = if self.has_word(searcher, terms, head, true) {
                head
            } else if let Some(without_s) = head.strip_suffix('s').filter(|h| h.len() >= 4) {
                if !self.has_word(searcher, terms, without_s, true) {
                    continue;
                }
                without_s
            } else {
                continue;
            };
            return Some((part(head), part(tail)));
        }
        None
    }

    /// A search without the cache: ranking in one pass, then snippets for the hits.
    fn run(
        &self,
        searcher: &Searcher,
        terms: &Arc<TermCache>,
        query: &SearchQuery,
        words: &[german::QueryWord],
        limit: usize,
    ) -> tantivy::Result<Results> {
        let last = words.len() - 1;
        let parts: Vec<Option<CompoundParts>> = words.iter().map(|w| self.decompound(searcher, terms, w)).collect();
        let word_queries: Vec<Vec<Box<dyn Query>>> = words
            .iter()
            .enumerate()
            .map(|(i, w)| self.word_alternatives(searcher, terms, w, i == last, parts[i].as_ref()))
            .collect();
        let readable = self.readable(searcher, terms, query)?;
        let (ranked, total) = ranking::rank(searcher, &word_queries, readable.as_deref(), limit)?;
        if ranked.is_empty() {
            return Ok(Results { hits: Vec::new(), total });
        }
        let f = self.fields;
        // Snippets highlight the words as matched exactly (their stems in the body), each
        // weighing more the rarer it is, as tantivy's own generator weighs them.
        let mut weights: BTreeMap<String, f32> = BTreeMap::new();
        for w in words.iter().chain(parts.iter().flatten().flat_map(|(head, tail)| [head, tail])) {
            let doc_freq = searcher.doc_freq(&Term::from_field_text(f.body, &w.term))?;
            if doc_freq > 0 {
                weights.insert(w.term.clone(), 1.0 / (1.0 + doc_freq as f32));
            }
        }
        let mut snippets = Snippets::new(weights, 180);
        let mut hits = Vec::with_capacity(ranked.len());
        for Ranked { score, address, share } in ranked {
            let document: TantivyDocument = searcher.doc(address)?;
            let text =
                |field: Field| document.get_first(field).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let mut html =
                snippets.html(document.get_first(f.body).and_then(|v| v.as_str()).unwrap_or_default().trim());
            if html.trim().is_empty() {
                html = tantivy_escape(&text(f.body).chars().take(180).collect::<String>());
            }
            hits.push(super::Hit { slug: text(f.slug), title: text(f.title), snippet: html, score, share });
        }
        Ok(Results { hits, total })
    }

    /// Per segment, the documents the reader's scope (and the service asked for) allows,
    /// alive ones only; None: every document. Kept in the term cache per scope.
    fn readable(
        &self,
        searcher: &Searcher,
        terms: &TermCache,
        query: &SearchQuery,
    ) -> tantivy::Result<Option<Vec<Arc<BitSet>>>> {
        if self.filters(query).is_empty() {
            return Ok(None);
        }
        let mut sets = Vec::with_capacity(searcher.segment_readers().len());
        for segment in searcher.segment_readers() {
            let key =
                ScopeKey { segment: segment.segment_id(), scope: query.scope.clone(), service: query.service.clone() };
            // The filter is only built for a segment whose set is not kept yet.
            sets.push(terms.scope_documents(key, || {
                let filter =
                    BooleanQuery::new(self.filters(query)).weight(EnableScoring::disabled_from_searcher(searcher))?;
                let mut set = BitSet::with_max_value(segment.max_doc());
                let alive = segment.alive_bitset();
                let mut docs = filter.scorer(segment, 1.0)?;
                while docs.doc() != TERMINATED {
                    if alive.is_none_or(|a| a.is_alive(docs.doc())) {
                        set.insert(docs.doc());
                    }
                    docs.advance();
                }
                Ok(set)
            })?);
        }
        Ok(Some(sets))
    }

    fn filters(&self, query: &SearchQuery) -> Vec<(Occur, Box<dyn Query>)> {
        let f = self.fields;
        let exact = |field: Field, value: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(Term::from_field_text(field, value), IndexRecordOption::Basic))
        };
        let mut filters: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if let Some(audiences) = &query.scope.audiences {
            let any: Vec<(Occur, Box<dyn Query>)> =
                audiences.iter().map(|a| (Occur::Should, exact(f.audience, a))).collect();
            filters.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if !query.scope.all_schools {
            let mut any: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Should, exact(f.school, GLOBAL))];
            if let Some(school) = &query.scope.school {
                any.push((Occur::Should, exact(f.school, school)));
            }
            filters.push((Occur::Must, Box::new(BooleanQuery::new(any))));
        }
        if let Some(service) = &query.service {
            filters.push((Occur::Must, exact(f.service, service)));
        }
        filters
    }
}

/// Tantivy's log merge policy, except that a segment whose documents are more than a
/// quarter deleted (every edit of an article deletes its old document) is merged, with the
/// others of its size, at the next commit. By default deleted documents are never expunged:
/// an import that replaced its articles left segments two thirds dead, whose words and
/// postings every search still walked.
fn merge_policy() -> LogMergePolicy {
    let mut policy = LogMergePolicy::default();
    policy.set_del_docs_ratio_before_merge(DELETED_BEFORE_MERGE);
    policy
}

fn register_analyzers(index: &Index) {
    index.tokenizers().register(ANALYZER, german::analyzer());
    index.tokenizers().register(WORDS_ANALYZER, german::words_analyzer());
}

fn to_document(d: &SearchDoc, f: Fields) -> TantivyDocument {
    let mut document = doc!(
        f.slug => d.slug.clone(),
        f.title => d.title.clone(),
        f.tags => d.tags.join(" "),
        f.body => d.body.clone(),
        f.title_words => d.title.clone(),
        f.tags_words => d.tags.join(" "),
        f.body_words => d.body.clone(),
        f.school => d.school.clone().unwrap_or_else(|| GLOBAL.to_string()),
    );
    for audience in &d.audience {
        document.add_text(f.audience, audience);
    }
    if let Some(service) = &d.service {
        document.add_text(f.service, service);
    }
    document
}

#[rocket::async_trait]
impl SearchEngine for EmbeddedEngine {
    async fn upsert(&self, docs: Vec<SearchDoc>) -> Result<(), String> {
        if docs.is_empty() {
            return Ok(());
        }
        self.write(move |writer, f| {
            for d in docs {
                writer.delete_term(Term::from_field_text(f.slug, &d.slug));
                writer.add_document(to_document(&d, f))?;
            }
            Ok(())
        })
        .await
    }

    async fn remove(&self, slugs: Vec<String>) -> Result<(), String> {
        if slugs.is_empty() {
            return Ok(());
        }
        self.write(move |writer, f| {
            for slug in slugs {
                writer.delete_term(Term::from_field_text(f.slug, &slug));
            }
            Ok(())
        })
        .await
    }

    async fn slugs(&self) -> Result<Vec<String>, String> {
        let searcher = self.reader.searcher();
        let slug = self.fields.slug;
        let found = searcher
            .search(&tantivy::query::AllQuery, &tantivy::collector::DocSetCollector)
            .map_err(|e| e.to_string())?;
        let mut slugs = Vec::with_capacity(found.len());
        for address in found {
            let doc: TantivyDocument = searcher.doc(address).map_err(|e| e.to_string())?;
            if let Some(text) = doc.get_first(slug).and_then(|v| v.as_str()) {
                slugs.push(text.to_string());
            }
        }
        Ok(slugs)
    }

    async fn search(&self, query: &SearchQuery) -> Result<Results, String> {
        let words = german::query_words(&query.text);
        if words.is_empty() {
            return Ok(Results::default());
        }
        let searcher = self.reader.searcher();
        let limit = query.limit.clamp(1, 100);
        let cached = self.cache.as_ref().map(|cache| {
            let key = CacheKey::new(format!("{words:?}"), &query.scope, limit, query.service.as_deref());
            (cache, key, searcher.generation().generation_id())
        });
        if let Some((cache, key, generation)) = &cached {
            if let Some(results) = cache.get(*generation, key) {
                return Ok(Results::clone(&results));
            }
        }
        let terms = self.terms.of(searcher.generation().generation_id(), || {
            searcher.segment_readers().iter().map(|segment| segment.segment_id()).collect()
        });
        let results = self.run(&searcher, &terms, query, &words, limit).map_err(|e| e.to_string())?;
        if let Some((cache, key, generation)) = cached {
            cache.put(generation, key, Arc::new(results.clone()));
        }
        Ok(results)
    }

    async fn doc_count(&self) -> Result<u64, String> {
        Ok(self.reader.searcher().num_docs())
    }

    fn name(&self) -> &'static str {
        "embedded"
    }
}

fn tantivy_escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
