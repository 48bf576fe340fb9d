//! Snippets of the embedded engine: the best window of a hit's body, with the query's words
//! in `<mark>`. It chooses and marks exactly as tantivy's `SnippetGenerator` with the
//! snippet analyser of `german` did (same fragments, same scores, same escaping), but it
//! walks the body once without a token pipeline: a word is only lowercased (in place, for
//! ASCII) to see whether a query term can match it, and only such a word is analysed and
//! stemmed. tantivy's generator ran every word through four boxed filters and allocated
//! a lowercased copy of each, which cost a fifth of an uncached search.
use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use super::german;

/// Longer words are dropped by the analysers (`RemoveLongFilter::limit(48)`), so they are
/// neither matched nor counted here.
const LONG_WORD: usize = 48;

pub struct Snippets {
    /// Analysed query term → weight (rarer terms weigh more).
    terms: BTreeMap<String, f32>,
    max_bytes: usize,
    /// Lowercasing and folding of non-ASCII words.
    plain: TextAnalyzer,
    /// The index's analyser, for the words a term may match.
    stemmed: TextAnalyzer,
    /// The first bytes of the terms: a word whose lowercased first byte is ASCII and not
    /// among them matches no term (lowercasing, folding and stemming keep an ASCII first
    /// letter), which settles most words with one look-up.
    first_bytes: [bool; 256],
    /// Words as written → the weight of the term they stem to.
    stemmed_words: HashMap<String, Option<f32>>,
}

/// A window of the text, as tantivy's `FragmentCandidate`.
struct Fragment {
    score: f32,
    start: usize,
    stop: usize,
    marked: Vec<Range<usize>>,
}

impl Fragment {
    fn new(start: usize) -> Fragment {
        Fragment { score: 0.0, start, stop: start, marked: Vec::new() }
    }
}

impl Snippets {
    /// `max_bytes`: the window's length in bytes, as tantivy's `max_num_chars` counts it.
    pub fn new(terms: BTreeMap<String, f32>, max_bytes: usize) -> Snippets {
        let (stemmed, plain) = german::query_analyzers();
        let mut first_bytes = [false; 256];
        for term in terms.keys() {
            if let Some(&first) = term.as_bytes().first() {
                first_bytes[usize::from(first)] = true;
            }
        }
        Snippets { terms, max_bytes, plain, stemmed, first_bytes, stemmed_words: HashMap::new() }
    }

    /// The weight of the word `text[range]` if it stands for one of the terms.
    fn weight(&mut self, word: &str) -> Option<f32> {
        let first = word.as_bytes()[0];
        if first.is_ascii() && !self.first_bytes[usize::from(first.to_ascii_lowercase())] {
            return None;
        }
        // A stem only drops a word's ending, so a term it matches is a prefix of the
        // lowercased, folded word: the other words are not stemmed at all.
        let candidate = if word.is_ascii() {
            self.terms
                .keys()
                .any(|t| word.len() >= t.len() && word.as_bytes()[..t.len()].eq_ignore_ascii_case(t.as_bytes()))
        } else {
            let mut stream = self.plain.token_stream(word);
            stream.advance() && {
                let folded = &stream.token().text;
                self.terms.keys().any(|t| folded.starts_with(t.as_str()))
            }
        };
        if !candidate {
            return None;
        }
        // The words that get this far are mostly the query's own, again and again in every
        // hit: each is stemmed once.
        if let Some(&weight) = self.stemmed_words.get(word) {
            return weight;
        }
        let mut stream = self.stemmed.token_stream(word);
        // A stop word stems to nothing: it matches no term.
        let weight = if stream.advance() { self.terms.get(&stream.token().text).copied() } else { None };
        self.stemmed_words.insert(word.to_string(), weight);
        weight
    }

    /// The snippet of `text` as HTML (escaped, matches in `<mark>`); empty when no term
    /// occurs in it.
    pub fn html(&mut self, text: &str) -> String {
        let mut best: Option<Fragment> = None;
        let mut fragment = Fragment::new(0);
        // Words are runs of alphanumeric characters, as tantivy's `SimpleTokenizer` has them.
        let mut at = 0;
        while at < text.len() {
            let (alphanumeric, len) = char_at(text, at);
            if !alphanumeric {
                at += len;
                continue;
            }
            let from = at;
            at += len;
            while at < text.len() {
                let (alphanumeric, len) = char_at(text, at);
                if !alphanumeric {
                    break;
                }
                at += len;
            }
            let to = at;
            if to - from >= LONG_WORD {
                continue;
            }
            if to - fragment.start > self.max_bytes {
                let done = std::mem::replace(&mut fragment, Fragment::new(from));
                keep_better(&mut best, done);
            }
            fragment.stop = to;
            if let Some(weight) = self.weight(&text[from..to]) {
                fragment.score += weight;
                fragment.marked.push(from..to);
            }
        }
        keep_better(&mut best, fragment);
        let Some(best) = best else { return String::new() };
        let mut html = String::with_capacity(best.stop - best.start + 32);
        let mut at = best.start;
        for mark in best.marked {
            escape_into(&mut html, &text[at..mark.start]);
            html.push_str("<mark>");
            escape_into(&mut html, &text[mark.clone()]);
            html.push_str("</mark>");
            at = mark.end;
        }
        escape_into(&mut html, &text[at..best.stop]);
        html
    }
}

/// Whether the character at byte `at` (a character boundary) is alphanumeric, and its length.
fn char_at(text: &str, at: usize) -> (bool, usize) {
    match text.as_bytes()[at] {
        b if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
        _ => text[at..].chars().next().map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8())),
    }
}

/// Keeps the fragment with the highest score; of equal ones the earliest (as tantivy does).
fn keep_better(best: &mut Option<Fragment>, fragment: Fragment) {
    if fragment.score > 0.0 && best.as_ref().is_none_or(|b| fragment.score > b.score) {
        *best = Some(fragment);
    }
}

/// The escaping of tantivy's snippets (`htmlescape::encode_minimal`).
fn escape_into(html: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '"' => html.push_str("&quot;"),
            '&' => html.push_str("&amp;"),
            '\'' => html.push_str("&#x27;"),
            '<' => html.push_str("&lt;"),
            '>' => html.push_str("&gt;"),
            c => html.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::snippet::SnippetGenerator;

    /// What tantivy's generator with the snippet analyser made of the same text.
    fn tantivy_html(terms: &BTreeMap<String, f32>, text: &str, max: usize) -> String {
        let tokenizer = TextAnalyzer::from(german::SnippetTokenizer::new(terms.keys().cloned().collect()));
        let field = tantivy::schema::Schema::builder().add_text_field("body", tantivy::schema::TEXT);
        let generator = SnippetGenerator::new(terms.clone(), tokenizer, field, max);
        let mut snippet = generator.snippet(text);
        snippet.set_snippet_prefix_postfix("<mark>", "</mark>");
        snippet.to_html()
    }

    #[test]
    fn snippets_are_those_of_tantivys_generator() {
        let texts = [
            "Die Drucker druckten nicht; Straße, Größe, Häuser, Laptops und Fotos über Geräten, \
             Anmeldungen, Lösungen, Wirtschaftlichkeit, Finanzministerium, Kenntnisse, gelöscht.",
            "Vor dem Ausdrucken <script>alert(1)</script> bitte den Toner & die \"Warteschlange\" prüfen, \
             auch den Toner im Drucker des Lehrerzimmers; der Drucker druckt's nicht.",
            "Ein sehr langes Wort: Donaudampfschifffahrtsgesellschaftskapitänsmützenabzeichenhersteller \
             und danach der Drucker. ÆØÅ Ärger über Übergrößen; Straßenbahn-Haltestelle, 3D-Drucker.",
            "",
            "Nichts passt hier.",
        ];
        let long = texts[0].repeat(5) + texts[1];
        let queries = ["Drucker Toner", "Straße Lösung", "Warteschlange prüfen", "Wirtschaft", "die der", "Ärger"];
        for query in queries {
            let mut terms = BTreeMap::new();
            for (n, w) in german::query_words(query).into_iter().enumerate() {
                terms.insert(w.term, 1.0 / (2.0 + n as f32));
            }
            for text in texts.iter().copied().chain([long.as_str()]) {
                for max in [40, 180] {
                    let mut snippets = Snippets::new(terms.clone(), max);
                    assert_eq!(snippets.html(text), tantivy_html(&terms, text, max), "{query:?} in {text:?}");
                }
            }
        }
    }
}
