//! What the embedded engine looks up in the term dictionaries, kept for one searcher
//! generation. Distinct queries share most of their words ("Passwort", "Drucker", the
//! keystroke "ver…"), and for each word a search asks the same questions: does some article
//! spell it this way or start a word with it, is it a compound of known words, and which
//! documents hold its prefix and typo expansions. The answers depend only on the index, not
//! on the reader (the reader's scope is applied afterwards, in the ranking), so one cache
//! serves every reader without mixing what they may read.
//!
//! A cache belongs to one searcher generation: a new generation (any commit, ours or another
//! process's) gets an empty one, so a changed article shows in the next search. Both parts
//! are bounded; when full, the part is emptied and refills with what is asked next.
use std::collections::HashMap;
use std::convert::Infallible;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::query::BitSetDocSet;
use tantivy::schema::Field;
use tantivy::{BitSet, DocId, DocSet, TERMINATED};

use super::german::QueryWord;
use super::vocabulary::Vocabularies;
use super::Scope;

/// Word questions (`has_word`, compounds) kept at most.
const MAX_WORDS: usize = 100_000;
/// Bytes of expansion document sets kept at most. Most expansions (a typo, a rare word's
/// prefix) find a few documents and are kept as a list of them; the others as a bit per
/// document of the segment (1.25 kB at 10,000 documents).
const MAX_SET_BYTES: usize = 32 << 20;

/// Bytes of readers' scope sets kept at most (a bit per document of a segment each).
const MAX_SCOPE_BYTES: usize = 8 << 20;

/// Which readers' scope, with the service asked for, in which segment.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ScopeKey {
    pub segment: SegmentId,
    pub scope: Scope,
    pub service: Option<String>,
}

/// The two parts of a query compound, as query words.
pub type CompoundParts = (QueryWord, QueryWord);

/// Which expansion of which word, in which field of which segment. A segment's term
/// dictionary and postings never change (deletions only mark documents, which the ranking
/// skips), so the documents found stay right for as long as the segment is searched.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExpansionKey {
    pub segment: SegmentId,
    pub field: Field,
    /// 0 for a prefix, else the typo distance.
    pub distance: u8,
    pub word: Arc<[u8]>,
}

/// The documents of an expansion in a segment.
#[derive(Clone)]
pub enum DocIds {
    /// In order; while they take less room than a bit set.
    Few(Arc<[DocId]>),
    Many(Arc<BitSet>),
}

impl DocIds {
    fn new(set: BitSet) -> DocIds {
        let max_doc = set.max_value() as usize;
        if set.len() * 32 < max_doc {
            let mut docs = BitSetDocSet::from(set);
            let mut ids = Vec::with_capacity(docs.size_hint() as usize);
            while docs.doc() != TERMINATED {
                ids.push(docs.doc());
                docs.advance();
            }
            DocIds::Few(ids.into())
        } else {
            DocIds::Many(Arc::new(set))
        }
    }

    fn bytes(&self) -> usize {
        match self {
            DocIds::Few(ids) => ids.len() * 4,
            DocIds::Many(set) => set.max_value() as usize / 8,
        }
    }
}

/// A kept list of documents as a `DocSet`, without copying it.
pub struct FewDocs {
    ids: Arc<[DocId]>,
    at: usize,
}

impl FewDocs {
    pub fn new(ids: Arc<[DocId]>) -> FewDocs {
        FewDocs { ids, at: 0 }
    }
}

impl DocSet for FewDocs {
    fn advance(&mut self) -> DocId {
        if self.at < self.ids.len() {
            self.at += 1;
        }
        self.doc()
    }

    fn doc(&self) -> DocId {
        self.ids.get(self.at).copied().unwrap_or(TERMINATED)
    }

    fn size_hint(&self) -> u32 {
        self.ids.len() as u32
    }
}

struct Bounded<K, V> {
    map: HashMap<K, V>,
    size: usize,
}

impl<K: Hash + Eq, V: Clone> Bounded<K, V> {
    fn get(&self, key: &K) -> Option<V> {
        self.map.get(key).cloned()
    }

    fn put(&mut self, key: K, value: V, size: usize, max: usize) {
        if self.size + size > max {
            // Simpler than an LRU and as good here: the words readers use come back at once.
            self.map.clear();
            self.size = 0;
        }
        if self.map.insert(key, value).is_none() {
            self.size += size;
        }
    }
}

/// The value kept in `part` for `key`, or the one `look_up` finds, which is then kept with
/// its `size` (in the part's unit, bounded by `max`). The lock is not held while looking up.
fn kept_or_looked_up<K: Hash + Eq, V: Clone, E>(
    part: &Mutex<Bounded<K, V>>,
    key: K,
    max: usize,
    look_up: impl FnOnce() -> Result<V, E>,
    size: impl FnOnce(&K, &V) -> usize,
) -> Result<V, E> {
    if let Some(value) = part.lock().ok().and_then(|kept| kept.get(&key)) {
        return Ok(value);
    }
    let value = look_up()?;
    let size = size(&key, &value);
    if let Ok(mut kept) = part.lock() {
        kept.put(key, value.clone(), size, max);
    }
    Ok(value)
}

impl<K, V> Default for Bounded<K, V> {
    fn default() -> Self {
        Bounded { map: HashMap::new(), size: 0 }
    }
}

/// The term cache of one searcher generation.
#[derive(Default)]
pub struct TermCache {
    generation: u64,
    /// (folded word, as a prefix) → whether some indexed word is it or starts with it.
    words: Mutex<Bounded<(String, bool), bool>>,
    /// Folded query word → its compound parts, if it is an unknown compound of known words.
    compounds: Mutex<Bounded<String, Option<CompoundParts>>>,
    /// The documents with any of an expansion's words.
    sets: Mutex<Bounded<ExpansionKey, DocIds>>,
    /// The documents of a segment a scope may read, alive ones only: one look-up per
    /// document in the ranking instead of walking the filter's postings with every query.
    /// Deletions only change with a new generation, so the sets are right for this one.
    scopes: Mutex<Bounded<ScopeKey, Arc<BitSet>>>,
    /// The words of the segments' fields, which outlive the generation (a segment never
    /// changes).
    pub vocabularies: Arc<Vocabularies>,
}

impl TermCache {
    pub fn has_word(&self, word: &str, as_prefix: bool, look_up: impl FnOnce() -> bool) -> bool {
        let Ok(found) = kept_or_looked_up(
            &self.words,
            (word.to_string(), as_prefix),
            MAX_WORDS,
            || Ok::<_, Infallible>(look_up()),
            |_, _| 1,
        );
        found
    }

    pub fn compound(&self, word: &str, look_up: impl FnOnce() -> Option<CompoundParts>) -> Option<CompoundParts> {
        let Ok(parts) = kept_or_looked_up(
            &self.compounds,
            word.to_string(),
            MAX_WORDS,
            || Ok::<_, Infallible>(look_up()),
            |_, _| 1,
        );
        parts
    }

    pub fn documents(
        &self,
        key: ExpansionKey,
        look_up: impl FnOnce() -> tantivy::Result<BitSet>,
    ) -> tantivy::Result<DocIds> {
        kept_or_looked_up(
            &self.sets,
            key,
            MAX_SET_BYTES,
            || look_up().map(DocIds::new),
            |key, set| set.bytes() + 64 + key.word.len(),
        )
    }

    pub fn scope_documents(
        &self,
        key: ScopeKey,
        look_up: impl FnOnce() -> tantivy::Result<BitSet>,
    ) -> tantivy::Result<Arc<BitSet>> {
        kept_or_looked_up(
            &self.scopes,
            key,
            MAX_SCOPE_BYTES,
            || look_up().map(Arc::new),
            |_, set| set.max_value() as usize / 8 + 128,
        )
    }

    /// How many answers are kept (for tests).
    pub fn len(&self) -> usize {
        let count = |n: Option<usize>| n.unwrap_or(0);
        count(self.words.lock().ok().map(|w| w.map.len()))
            + count(self.compounds.lock().ok().map(|c| c.map.len()))
            + count(self.sets.lock().ok().map(|s| s.map.len()))
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The engine's handle on the current generation's cache.
#[derive(Default)]
pub struct TermCaches {
    current: Mutex<Option<Arc<TermCache>>>,
    vocabularies: Arc<Vocabularies>,
}

impl TermCaches {
    /// The cache of this generation: the current one, or a new (empty) one for a newer
    /// generation. A searcher older than the current cache (a search that began before a
    /// reload) gets a cache of its own that is not kept, so its answers never reach the
    /// newer generation. `segments` are the generation's: vocabularies of other segments
    /// are dropped when it becomes the current one.
    pub fn of(&self, generation: u64, segments: impl FnOnce() -> Vec<SegmentId>) -> Arc<TermCache> {
        let fresh =
            || Arc::new(TermCache { generation, vocabularies: self.vocabularies.clone(), ..TermCache::default() });
        let Ok(mut current) = self.current.lock() else { return fresh() };
        match current.as_ref() {
            Some(cache) if cache.generation == generation => cache.clone(),
            Some(cache) if cache.generation > generation => fresh(),
            _ => {
                self.vocabularies.keep_only(&segments());
                let cache = fresh();
                *current = Some(cache.clone());
                cache
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_generation_starts_empty() {
        let caches = TermCaches::default();
        let first = caches.of(1, Vec::new);
        assert!(first.has_word("drucker", false, || true));
        // Answered from the cache: the look-up is not asked again.
        assert!(first.has_word("drucker", false, || false));
        assert!(Arc::ptr_eq(&first, &caches.of(1, Vec::new)));
        let second = caches.of(2, Vec::new);
        assert!(second.is_empty());
        assert!(!second.has_word("drucker", false, || false));
        // A search on an older searcher does not see nor fill the newer cache.
        let late = caches.of(1, Vec::new);
        assert!(late.is_empty());
        late.has_word("wlan", false, || true);
        assert!(!caches.of(2, Vec::new).has_word("wlan", false, || false));
    }

    #[test]
    fn few_documents_are_kept_as_a_list() {
        let mut set = BitSet::with_max_value(10_000);
        for doc in [3, 70, 9_999] {
            set.insert(doc);
        }
        let DocIds::Few(ids) = DocIds::new(set) else { panic!("a bit set for three documents") };
        let mut docs = FewDocs::new(ids);
        let mut seen = Vec::new();
        while docs.doc() != TERMINATED {
            seen.push(docs.doc());
            docs.advance();
        }
        assert_eq!(seen, vec![3, 70, 9_999]);
        assert_eq!(docs.advance(), TERMINATED);
        let mut many = BitSet::with_max_value(100);
        for doc in 0..50 {
            many.insert(doc);
        }
        assert!(matches!(DocIds::new(many), DocIds::Many(_)));
    }

    #[test]
    fn the_parts_stay_bounded() {
        let cache = TermCache::default();
        for n in 0..MAX_WORDS * 2 + 10 {
            cache.has_word(&n.to_string(), false, || true);
        }
        assert!(cache.len() <= MAX_WORDS);
        assert!(cache.has_word(&(MAX_WORDS * 2 + 9).to_string(), false, || false));
    }
}
