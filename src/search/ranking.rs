//! The embedded engine's ranking, in one pass over each segment: every document matching
//! any query word within the reader's scope is counted, scored and offered to the top k.
//!
//! The score is the BM25 sum over the words, times the square of the share of the query's
//! words a document matches. A question's words are mostly not stop words ("finde",
//! "bekomme"); a document that has them all ranks above one that has one of them many times
//! or in its title.
use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::sync::Arc;

use tantivy::query::{EnableScoring, Query};
use tantivy::{BitSet, DocAddress, DocId, Searcher};

/// A ranked document; orders the better first (higher score, then the earlier address).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ranked {
    pub score: f32,
    pub address: DocAddress,
    /// The share of the query's words the document matched (0 to 1).
    pub share: f32,
}

impl Eq for Ranked {}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        // "Greater" is better: a max-heap of `Reverse` keeps the worst on top.
        self.score.total_cmp(&other.score).then_with(|| other.address.cmp(&self.address))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The best `limit` documents (best first) and how many matched. `readable` holds, per
/// segment (in the searcher's order), the documents the reader may find; without it, every
/// document that is not deleted.
pub fn rank(
    searcher: &Searcher,
    words: &[Vec<Box<dyn Query>>],
    readable: Option<&[Arc<BitSet>]>,
    limit: usize,
) -> tantivy::Result<(Vec<Ranked>, usize)> {
    let scoring = EnableScoring::enabled_from_searcher(searcher);
    let weights = words
        .iter()
        .map(|alternatives| alternatives.iter().map(|q| q.weight(scoring)).collect::<tantivy::Result<Vec<_>>>())
        .collect::<tantivy::Result<Vec<_>>>()?;
    let n = words.len() as f32;
    let mut total = 0usize;
    let mut best: BinaryHeap<std::cmp::Reverse<Ranked>> = BinaryHeap::with_capacity(limit + 1);
    // Per document of the segment: the BM25 sum, how many words matched, and the last word
    // counted (plus one), so that a word's alternatives count it once.
    let mut sums: Vec<(f32, u16, u16)> = Vec::new();
    for (segment_ord, segment) in searcher.segment_readers().iter().enumerate() {
        sums.clear();
        sums.resize(segment.max_doc() as usize, (0.0, 0, 0));
        for (word, alternatives) in weights.iter().enumerate() {
            let stamp = word as u16 + 1;
            for weight in alternatives {
                weight.for_each(segment, &mut |doc, score| {
                    let entry = &mut sums[doc as usize];
                    entry.0 += score;
                    if entry.2 != stamp {
                        entry.1 += 1;
                        entry.2 = stamp;
                    }
                })?;
            }
        }
        let alive = segment.alive_bitset();
        let readable = readable.and_then(|sets| sets.get(segment_ord));
        for (doc, &(sum, matched, _)) in sums.iter().enumerate() {
            if matched == 0 {
                continue;
            }
            let doc = doc as DocId;
            let found = match readable {
                Some(set) => set.contains(doc),
                None => alive.is_none_or(|a| a.is_alive(doc)),
            };
            if !found {
                continue;
            }
            total += 1;
            let share = f32::from(matched) / n;
            let candidate =
                Ranked { score: sum * share * share, address: DocAddress::new(segment_ord as u32, doc), share };
            if best.len() < limit {
                best.push(std::cmp::Reverse(candidate));
            } else if best.peek().is_some_and(|worst| candidate > worst.0) {
                best.pop();
                best.push(std::cmp::Reverse(candidate));
            }
        }
    }
    let mut ranked: Vec<Ranked> = best.into_iter().map(|r| r.0).collect();
    ranked.sort_by(|a, b| b.cmp(a));
    Ok((ranked, total))
}
