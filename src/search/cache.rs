//! Recent results of the embedded engine. FAQ searches repeat a lot (the same few problems
//! in every school, the same keystrokes of search-as-you-type), so answers are kept per
//! (analysed query, reader's scope, limit, service) for as long as the index does not
//! change: an entry belongs to one searcher generation, and a new generation (any commit,
//! ours or another process's) empties the cache.
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::{Results, Scope};

/// Entries kept at most; beyond that the older half goes.
const CAPACITY: usize = 2_048;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CacheKey {
    /// The query's analysed words (so "Drucker " and "drucker" share an entry).
    pub words: String,
    pub audiences: Option<Vec<&'static str>>,
    pub school: Option<String>,
    pub all_schools: bool,
    pub limit: usize,
    pub service: Option<String>,
}

impl CacheKey {
    pub fn new(words: String, scope: &Scope, limit: usize, service: Option<&str>) -> CacheKey {
        CacheKey {
            words,
            audiences: scope.audiences.clone(),
            school: scope.school.clone(),
            all_schools: scope.all_schools,
            limit,
            service: service.map(str::to_string),
        }
    }
}

#[derive(Default)]
struct Entries {
    generation: u64,
    /// Result and when it was stored (a counter), for dropping the older half.
    map: HashMap<CacheKey, (Arc<Results>, u64)>,
    stored: u64,
}

#[derive(Default)]
pub struct ResultCache {
    entries: Mutex<Entries>,
}

impl ResultCache {
    pub fn get(&self, generation: u64, key: &CacheKey) -> Option<Arc<Results>> {
        let entries = self.entries.lock().ok()?;
        if entries.generation != generation {
            return None;
        }
        entries.map.get(key).map(|(results, _)| results.clone())
    }

    pub fn put(&self, generation: u64, key: CacheKey, results: Arc<Results>) {
        let Ok(mut entries) = self.entries.lock() else { return };
        if entries.generation != generation {
            // Results of an older searcher must not outlive it; those of a newer one
            // replace everything.
            if generation < entries.generation {
                return;
            }
            entries.map.clear();
            entries.generation = generation;
        }
        if entries.map.len() >= CAPACITY {
            let cutoff = entries.stored - (CAPACITY as u64) / 2;
            entries.map.retain(|_, (_, stored)| *stored >= cutoff);
        }
        entries.stored += 1;
        let stored = entries.stored;
        entries.map.insert(key, (results, stored));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(words: &str) -> CacheKey {
        CacheKey::new(words.into(), &Scope { audiences: None, school: None, all_schools: true }, 10, None)
    }

    #[test]
    fn a_new_generation_empties_the_cache() {
        let cache = ResultCache::default();
        cache.put(1, key("drucker"), Arc::new(Results::default()));
        assert!(cache.get(1, &key("drucker")).is_some());
        assert!(cache.get(2, &key("drucker")).is_none());
        cache.put(2, key("wlan"), Arc::new(Results::default()));
        assert!(cache.get(1, &key("drucker")).is_none());
        // A late result of the older searcher is not kept.
        cache.put(1, key("drucker"), Arc::new(Results::default()));
        assert!(cache.get(2, &key("drucker")).is_none());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = ResultCache::default();
        for n in 0..CAPACITY * 3 {
            cache.put(1, key(&n.to_string()), Arc::new(Results::default()));
        }
        let len = cache.entries.lock().unwrap().map.len();
        assert!(len <= CAPACITY, "{len}");
        assert!(cache.get(1, &key(&(CAPACITY * 3 - 1).to_string())).is_some());
    }
}
