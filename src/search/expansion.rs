//! Typo and prefix matching of one query word against the words of a field as written:
//! the word is expanded to the indexed words it may stand for, and every document with any
//! of them matches with a constant score. The words are looked up in the segment's
//! vocabulary (`vocabulary.rs`), not by streaming the term dictionary, and a short prefix
//! ("ver…") does not read the postings of thousands of words: only the most frequent
//! expansions count. The documents an expansion finds in a segment are kept in the term
//! cache of the searcher generation, so the next query with the same word reads neither the
//! vocabulary nor the postings again.
use std::fmt;
use std::sync::Arc;

use tantivy::query::{BitSetDocSet, ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, DocSet, Score, SegmentReader, TantivyError};

use super::terms::{DocIds, ExpansionKey, FewDocs, TermCache};

/// Indexed words one query word expands to, per field and segment, at most: the most
/// frequent ones (a reader typing "Wirtsch" means "Wirtschaft" more likely than a rare word).
pub const MAX_EXPANSIONS: usize = 64;

/// Which indexed words a query word stands for.
#[derive(Clone)]
pub enum Expansion {
    /// Words within this edit distance of the word (typos) that start with the same
    /// letter: readers rarely mistype the first letter, and keeping it cuts the walk
    /// through the words to a small part of them (as Lucene's fuzzy `prefixLength` does).
    Typos { word: Arc<str>, distance: u8 },
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
        Expansion::Typos { word: Arc::from(word), distance }
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

impl ExpansionQuery {
    /// The documents with any of the expansions in this segment, read from the postings.
    fn documents(&self, reader: &SegmentReader) -> tantivy::Result<BitSet> {
        let words = self.cache.vocabularies.of(reader, self.field)?;
        let found = match &self.expansion {
            Expansion::Typos { word, distance } => words.near(word, *distance),
            Expansion::Prefix(prefix) => words.starting_with(prefix).collect(),
        };
        let inverted_index = reader.inverted_index(self.field)?;
        let mut docs = BitSet::with_max_value(reader.max_doc());
        for word in words.most_frequent(found, MAX_EXPANSIONS) {
            let mut postings =
                inverted_index.read_block_postings_from_terminfo(&words.term_info(word), IndexRecordOption::Basic)?;
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
