//! Typo and prefix matching of one query word against the words of a field as written:
//! the word is expanded to the indexed words it may stand for, and every document with any
//! of them matches with a constant score. Unlike tantivy's `FuzzyTermQuery`, the Levenshtein
//! automaton is built once per query word and shared by the fields, and a short prefix
//! ("ver…") does not read the postings of thousands of words: only the most frequent
//! expansions count. The documents an expansion finds in a segment are kept in the term
//! cache of the searcher generation, so the next query with the same word reads neither the
//! term dictionary nor the postings again.
use std::fmt;
use std::sync::{Arc, OnceLock};

use tantivy::query::{
    BitSetDocSet, ConstScorer, DfaWrapper, EnableScoring, Explanation, FuzzyTermQuery, Query, Scorer, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::termdict::TermDictionary;
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError, Term};

use super::terms::{DocIds, ExpansionKey, FewDocs, TermCache};

/// Indexed words one query word expands to, per field and segment, at most: the most
/// frequent ones (a reader typing "Wirtsch" means "Wirtschaft" more likely than a rare word).
pub const MAX_EXPANSIONS: usize = 64;

/// Which indexed words a query word stands for.
#[derive(Clone)]
pub enum Expansion {
    /// Words within the Levenshtein automaton's distance of the word (typos) that start
    /// with the same letter: readers rarely mistype the first letter, and keeping it cuts
    /// the walk through the term dictionary to a small part of it (as Lucene's fuzzy
    /// `prefixLength` does). The automaton is built on first use: when the term cache
    /// knows the word's documents in every segment, it is not needed at all.
    Typos { word: Arc<str>, distance: u8, automaton: Arc<OnceLock<Option<DfaWrapper>>> },
    /// Words starting with these bytes (search-as-you-type, compounds).
    Prefix(Arc<[u8]>),
}

impl fmt::Debug for Expansion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expansion::Typos { word, distance, .. } => write!(f, "Typos({word:?}, {distance})"),
            Expansion::Prefix(prefix) => write!(f, "Prefix({:?})", String::from_utf8_lossy(prefix)),
        }
    }
}

impl Expansion {
    pub fn typos(word: &str, distance: u8) -> Expansion {
        Expansion::Typos { word: Arc::from(word), distance, automaton: Arc::new(OnceLock::new()) }
    }

    /// The word (or prefix) and the distance (0 for a prefix): what the expansion depends on.
    fn key(&self) -> (Arc<[u8]>, u8) {
        match self {
            Expansion::Typos { word, distance, .. } => (Arc::from(word.as_bytes()), *distance),
            Expansion::Prefix(prefix) => (prefix.clone(), 0),
        }
    }
}

/// Documents with any expansion of a word in `field`, scored 1 (times the boost).
#[derive(Clone)]
pub struct ExpansionQuery {
    pub field: Field,
    pub expansion: Expansion,
    /// The searcher generation's term cache.
    pub cache: Arc<TermCache>,
}

impl fmt::Debug for ExpansionQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ExpansionQuery").field("field", &self.field).field("expansion", &self.expansion).finish()
    }
}

impl Query for ExpansionQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.clone()))
    }
}

/// The smallest key greater than every key starting with `prefix`; None when there is none
/// (a prefix of 0xFF bytes only).
fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < u8::MAX {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

/// Keeps the `MAX_EXPANSIONS` most frequent of the expansions seen.
fn keep_most_frequent(found: &mut Vec<tantivy::postings::TermInfo>) {
    if found.len() > MAX_EXPANSIONS {
        found.select_nth_unstable_by(MAX_EXPANSIONS - 1, |a, b| b.doc_freq.cmp(&a.doc_freq));
        found.truncate(MAX_EXPANSIONS);
    }
}

impl ExpansionQuery {
    fn expansions(&self, terms: &TermDictionary) -> std::io::Result<Vec<tantivy::postings::TermInfo>> {
        let mut found = Vec::new();
        match &self.expansion {
            Expansion::Typos { word, distance, automaton } => {
                // The field does not matter for the automaton: it only sees the text.
                let automaton = automaton.get_or_init(|| {
                    FuzzyTermQuery::new(Term::from_field_text(self.field, word), *distance, true).automaton().ok()
                });
                let Some(automaton) = automaton else { return Ok(found) };
                let first_letter = word.chars().next().map(String::from).unwrap_or_default();
                let mut range = terms.search(automaton).ge(first_letter.as_bytes());
                if let Some(end) = prefix_end(first_letter.as_bytes()) {
                    range = range.lt(end);
                }
                let mut stream = range.into_stream()?;
                while stream.advance() {
                    found.push(stream.value().clone());
                }
            }
            Expansion::Prefix(prefix) => {
                let mut range = terms.range().ge(prefix.as_ref());
                if let Some(end) = prefix_end(prefix) {
                    range = range.lt(end);
                }
                let mut stream = range.into_stream()?;
                while stream.advance() {
                    found.push(stream.value().clone());
                }
            }
        }
        keep_most_frequent(&mut found);
        Ok(found)
    }

    /// The documents with any of the expansions in this segment, read from the postings.
    fn documents(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let inverted_index = reader.inverted_index(self.field)?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for term_info in self.expansions(inverted_index.terms())? {
            let mut postings =
                inverted_index.read_block_postings_from_terminfo(&term_info, IndexRecordOption::Basic)?;
            loop {
                let block = postings.docs();
                if block.is_empty() {
                    break;
                }
                for &doc in block {
                    docs.insert(doc);
                }
                postings.advance();
            }
        }
        Ok(docs)
    }
}

impl Weight for ExpansionQuery {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let (word, distance) = self.expansion.key();
        let key = ExpansionKey { segment: reader.segment_id(), field: self.field, distance, word };
        Ok(match self.cache.documents(key, || self.documents(reader))? {
            DocIds::Few(ids) => Box::new(ConstScorer::new(FewDocs::new(ids), boost)),
            DocIds::Many(set) => Box::new(ConstScorer::new(BitSetDocSet::from(BitSet::clone(&set)), boost)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) == doc {
            Ok(Explanation::new("ExpansionQuery", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!("document {doc} does not match")))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_end_is_the_next_key() {
        assert_eq!(prefix_end(b"abc"), Some(b"abd".to_vec()));
        assert_eq!(prefix_end(b"a\xff"), Some(b"b".to_vec()));
        assert_eq!(prefix_end(b"\xff\xff"), None);
    }
}
