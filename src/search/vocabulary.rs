//! The words of one field of one segment, in memory: a flat, sorted list with each word's
//! document frequency. Typo and prefix expansions walk this list instead of the term
//! dictionary. Streaming tantivy's FST decodes every word's postings address on the way,
//! and a typo search first builds a Levenshtein automaton for the query word; together
//! they were a fifth of an uncached search. Here a prefix is a binary search, and a typo
//! search computes edit distances row by row while walking the sorted words as a trie:
//! words sharing a start share its rows, and a start already too far from the query word
//! skips every word that begins with it.
//!
//! A segment never changes, so its vocabulary is kept for as long as the segment is
//! searched, across searcher generations.
use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::postings::TermInfo;
use tantivy::schema::Field;
use tantivy::termdict::TermDictionary;
use tantivy::SegmentReader;

pub struct Vocabulary {
    /// The words, one after the other, in the dictionary's (byte) order.
    bytes: Vec<u8>,
    /// Where each word ends in `bytes`; word `i` starts where word `i - 1` ends.
    ends: Vec<u32>,
    /// How many documents hold each word.
    doc_freq: Vec<u32>,
    /// Where each word's postings start in the segment's postings file, and their length.
    /// Positions are not kept: the fields expanded by words index none.
    postings: Vec<(u64, u32)>,
}

impl Vocabulary {
    /// Reads every word of a term dictionary.
    pub fn read(terms: &TermDictionary) -> std::io::Result<Vocabulary> {
        let count = terms.num_terms();
        let mut vocabulary = Vocabulary {
            bytes: Vec::new(),
            ends: Vec::with_capacity(count),
            doc_freq: Vec::with_capacity(count),
            postings: Vec::with_capacity(count),
        };
        let mut stream = terms.stream()?;
        while stream.advance() {
            vocabulary.bytes.extend_from_slice(stream.key());
            vocabulary.ends.push(vocabulary.bytes.len() as u32);
            let info = stream.value();
            vocabulary.doc_freq.push(info.doc_freq);
            vocabulary.postings.push((info.postings_range.start as u64, info.postings_range.len() as u32));
        }
        vocabulary.bytes.shrink_to_fit();
        Ok(vocabulary)
    }

    #[cfg(test)]
    fn of_words(words: &[&str]) -> Vocabulary {
        let mut sorted: Vec<&str> = words.to_vec();
        sorted.sort();
        sorted.dedup();
        let mut vocabulary =
            Vocabulary { bytes: Vec::new(), ends: Vec::new(), doc_freq: Vec::new(), postings: Vec::new() };
        for (i, word) in sorted.iter().enumerate() {
            vocabulary.bytes.extend_from_slice(word.as_bytes());
            vocabulary.ends.push(vocabulary.bytes.len() as u32);
            vocabulary.doc_freq.push(i as u32 + 1);
            vocabulary.postings.push((0, 0));
        }
        vocabulary
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Where the postings of word `i` are (for reading them without positions).
    pub fn term_info(&self, i: usize) -> TermInfo {
        let (start, len) = self.postings[i];
        let start = start as usize;
        TermInfo { doc_freq: self.doc_freq[i], postings_range: start..start + len as usize, positions_range: 0..0 }
    }

    fn word(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

    /// The first index in `within` at or after which `before` no longer holds (`before`
    /// holds for a leading part of the words in `within` only).
    fn first_not(&self, within: Range<usize>, before: impl Fn(&[u8]) -> bool) -> usize {
        let (mut low, mut high) = (within.start, within.end);
        while low < high {
            let middle = low + (high - low) / 2;
            if before(self.word(middle)) {
                low = middle + 1;
            } else {
                high = middle;
            }
        }
        low
    }

    /// The first index after `i` (whose word starts with `start`) of a word that does not
    /// start with `start`, before `end`. Most such runs are short, so the search gallops
    /// forward before it halves.
    fn after_words_starting_with(&self, i: usize, end: usize, start: &[u8]) -> usize {
        let mut step = 1;
        let mut low = i + 1;
        loop {
            let probe = low + step - 1;
            if probe >= end || !self.word(probe).starts_with(start) {
                return self.first_not(low..probe.min(end), |w| w.starts_with(start));
            }
            low = probe + 1;
            step *= 2;
        }
    }

    /// The indices of the words starting with `prefix` (all words for an empty prefix).
    pub fn starting_with(&self, prefix: &[u8]) -> Range<usize> {
        let start = self.first_not(0..self.len(), |word| word < prefix);
        let end = self.first_not(start..self.len(), |word| word.starts_with(prefix));
        start..end
    }

    pub fn contains(&self, word: &[u8]) -> bool {
        let at = self.first_not(0..self.len(), |w| w < word);
        at < self.len() && self.word(at) == word
    }

    /// Of the words at these indices, the `max` found in the most documents (in no
    /// particular order).
    pub fn most_frequent(&self, mut indices: Vec<usize>, max: usize) -> Vec<usize> {
        if indices.len() > max {
            indices.select_nth_unstable_by(max - 1, |&a, &b| self.doc_freq[b].cmp(&self.doc_freq[a]));
            indices.truncate(max);
        }
        indices
    }

    /// The indices of the words that start with the same letter as `word` and are at most
    /// `distance` edits away from it. An edit inserts, deletes or replaces a letter, or swaps
    /// two neighbouring letters (the optimal string alignment distance, as tantivy's
    /// Levenshtein automaton with transpositions counts it).
    pub fn near(&self, word: &str, distance: u8) -> Vec<usize> {
        let Some(first) = word.chars().next() else { return Vec::new() };
        let range = self.starting_with(first.encode_utf8(&mut [0; 4]).as_bytes());
        let query: Vec<char> = word.chars().collect();
        let width = query.len() + 1;
        let distance = u32::from(distance);
        let too_far = distance + 1;
        // Row k holds the distances of the query's first j letters (column j) to the first k
        // letters of the word being looked at, whose letters are in `letters`.
        let mut rows: Vec<u32> = (0..width as u32).map(|j| j.min(too_far)).collect();
        // The letters of the word whose rows are in `rows`, and where each ends in its bytes.
        let mut letters: Vec<char> = Vec::new();
        let mut ends: Vec<usize> = Vec::new();
        let mut previous: &[u8] = &[];
        let mut found = Vec::new();
        let mut i = range.start;
        'words: while i < range.end {
            let bytes = self.word(i);
            // The letters this word shares with the previous one keep their rows.
            let same = bytes.iter().zip(previous).take_while(|(a, b)| a == b).count();
            let mut k = ends.partition_point(|&end| end <= same);
            letters.truncate(k);
            ends.truncate(k);
            rows.truncate((k + 1) * width);
            previous = bytes;
            let from = ends.last().copied().unwrap_or(0);
            let Ok(rest) = std::str::from_utf8(&bytes[from..]) else {
                i += 1;
                continue;
            };
            for (at, c) in rest.char_indices() {
                letters.push(c);
                ends.push(from + at + c.len_utf8());
                k += 1;
                let (above, row) = ((k - 1) * width, k * width);
                // Only cells within `distance` of the diagonal can be near enough (the
                // lengths differ by no more than the distance); the others stay "too far".
                rows.resize(row + width, too_far);
                rows[row] = (k as u32).min(too_far);
                let mut smallest = rows[row];
                let band = k.saturating_sub(distance as usize).max(1)..(k + distance as usize + 1).min(width);
                for j in band {
                    let replace = rows[above + j - 1] + u32::from(query[j - 1] != c);
                    let mut best = replace.min(rows[above + j] + 1).min(rows[row + j - 1] + 1);
                    if k > 1 && j > 1 && query[j - 1] == letters[k - 2] && query[j - 2] == c {
                        best = best.min(rows[(k - 2) * width + j - 2] + 1);
                    }
                    rows[row + j] = best;
                    smallest = smallest.min(best);
                }
                if smallest > distance {
                    // The distance never shrinks as letters are added: no word starting
                    // with these letters is near enough.
                    i = self.after_words_starting_with(i, range.end, &bytes[..from + at + c.len_utf8()]);
                    continue 'words;
                }
            }
            if rows[k * width + width - 1] <= distance {
                found.push(i);
            }
            i += 1;
        }
        found
    }
}

/// The vocabularies of the segments being searched, by segment and field, built when first
/// asked for.
#[derive(Default)]
pub struct Vocabularies {
    kept: Mutex<HashMap<(SegmentId, Field), Arc<Vocabulary>>>,
}

impl Vocabularies {
    pub fn of(&self, segment: &SegmentReader, field: Field) -> tantivy::Result<Arc<Vocabulary>> {
        let key = (segment.segment_id(), field);
        if let Some(vocabulary) = self.kept.lock().ok().and_then(|kept| kept.get(&key).cloned()) {
            return Ok(vocabulary);
        }
        // Read outside the lock: two searches may both read a new segment once, but no
        // search waits for another's reading.
        let vocabulary = Arc::new(Vocabulary::read(segment.inverted_index(field)?.terms())?);
        if let Ok(mut kept) = self.kept.lock() {
            kept.entry(key).or_insert_with(|| vocabulary.clone());
        }
        Ok(vocabulary)
    }

    /// Forgets the vocabularies of segments no longer searched (merged or deleted).
    pub fn keep_only(&self, segments: &[SegmentId]) {
        if let Ok(mut kept) = self.kept.lock() {
            kept.retain(|(segment, _), _| segments.contains(segment));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::query::FuzzyTermQuery;
    use tantivy::Term;
    use tantivy_fst::Automaton;

    fn words_near(vocabulary: &Vocabulary, word: &str, distance: u8) -> Vec<String> {
        vocabulary
            .near(word, distance)
            .into_iter()
            .map(|i| String::from_utf8_lossy(vocabulary.word(i)).into())
            .collect()
    }

    #[test]
    fn prefixes_and_words_are_found_by_binary_search() {
        let v = Vocabulary::of_words(&["drucker", "druckertreiber", "drucken", "dose", "e", "ä", "zebra"]);
        let range = v.starting_with(b"druck");
        let found: Vec<&[u8]> = range.map(|i| v.word(i)).collect();
        assert_eq!(found, vec![b"drucken".as_slice(), b"drucker", b"druckertreiber"]);
        assert!(v.starting_with(b"druckt").is_empty());
        assert_eq!(v.starting_with(b"").len(), 7);
        assert_eq!(v.starting_with("ä".as_bytes()).len(), 1);
        assert!(v.contains(b"drucker") && v.contains(b"zebra") && v.contains("ä".as_bytes()));
        assert!(!v.contains(b"druck") && !v.contains(b"zz") && !v.contains(b""));
        let most = v.most_frequent(v.starting_with(b"d").collect(), 2);
        let mut most: Vec<u32> = most.iter().map(|&i| v.doc_freq[i]).collect();
        most.sort();
        assert_eq!(most, vec![3, 4], "the two most frequent of the four d-words");
    }

    #[test]
    fn near_words_keep_the_first_letter_and_count_swaps_as_one_edit() {
        let v = Vocabulary::of_words(&[
            "passwort",
            "passwörter",
            "passwrot",
            "paswort",
            "passwortt",
            "basswort",
            "pssawort",
            "pass",
            "zugang",
        ]);
        assert_eq!(words_near(&v, "passwrot", 1), vec!["passwort", "passwrot"]);
        assert_eq!(words_near(&v, "passwort", 1), vec!["passwort", "passwortt", "passwrot", "paswort"]);
        assert_eq!(words_near(&v, "passwort", 2), vec!["passwort", "passwortt", "passwrot", "paswort", "pssawort"]);
        assert!(words_near(&v, "qasswort", 2).is_empty(), "another first letter is never a typo");
        assert_eq!(words_near(&v, "passwörtr", 1), vec!["passwörter"]);
    }

    /// The distance must be the one tantivy's automaton computes: compare both on many
    /// pairs of similar words.
    #[test]
    fn near_agrees_with_the_levenshtein_automaton() {
        let alphabet = ['a', 'b', 'e', 'r', 's', 'ä', 'ß'];
        // A small deterministic generator: no randomness in tests that must not flake.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move |n: usize| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        };
        let mut words: Vec<String> = Vec::new();
        for _ in 0..3_000 {
            let len = 1 + next(7);
            words.push(std::iter::once('a').chain((1..len).map(|_| alphabet[next(alphabet.len())])).collect());
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        let v = Vocabulary::of_words(&refs);
        let field = tantivy::schema::Schema::builder().add_text_field("w", tantivy::schema::TEXT);
        for query in words.iter().take(300) {
            for distance in [1u8, 2] {
                let automaton =
                    FuzzyTermQuery::new(Term::from_field_text(field, query), distance, true).automaton().unwrap();
                let expected: Vec<String> = (0..v.len())
                    .filter(|&i| {
                        let mut state = automaton.start();
                        for &b in v.word(i) {
                            state = automaton.accept(&state, b);
                        }
                        automaton.is_match(&state)
                    })
                    .map(|i| String::from_utf8_lossy(v.word(i)).into())
                    .collect();
                assert_eq!(words_near(&v, query, distance), expected, "{query:?} within {distance}");
            }
        }
    }
}
