//! German text analysis for the embedded engine: words are lowercased, stop words
//! dropped, stemmed with the Snowball German stemmer, and folded to ASCII (ä→a, ß→ss), so
//! "Drucker" ≈ "Druckers", "Passwort" ≈ "passwort", "Straße" ≈ "strasse". Compounds are
//! met at query time by prefix matching ("Drucker" finds "Druckertreiber").
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, StopWordFilter, TextAnalyzer,
    Token, TokenFilter, TokenStream, Tokenizer,
};

pub const ANALYZER: &str = "staffel_de";
/// Words as written (lowercased, folded, stop words dropped) but not stemmed: typo
/// tolerance and prefix matching measure against these, as a reader types them.
pub const WORDS_ANALYZER: &str = "staffel_de_words";

pub fn analyzer() -> TextAnalyzer {
    let stop_words = StopWordFilter::new(Language::German).expect("tantivy ships German stop words");
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(stop_words)
        .filter(Stemmer::new(Language::German))
        .filter(AsciiFoldingFilter)
        .filter(LoanPlural)
        .build()
}

/// Loan words keep their English plural "-s", which the German stemmer leaves alone after
/// a vowel or a "p" ("Laptops", "Apps", "Fotos", "Handys", "Kameras"): it is dropped, so
/// the plural meets the singular. Runs after stemming and folding, on index and query alike.
#[derive(Clone, Copy)]
pub struct LoanPlural;

impl TokenFilter for LoanPlural {
    type Tokenizer<T: Tokenizer> = LoanPluralFilter<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> LoanPluralFilter<T> {
        LoanPluralFilter(tokenizer)
    }
}

#[derive(Clone)]
pub struct LoanPluralFilter<T>(T);

impl<T: Tokenizer> Tokenizer for LoanPluralFilter<T> {
    type TokenStream<'a> = LoanPluralStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LoanPluralStream(self.0.token_stream(text))
    }
}

pub struct LoanPluralStream<S>(S);

/// "fotos" → "foto", "laptops" → "laptop"; short words and others unchanged.
pub fn strip_loan_plural(word: &mut String) {
    let bytes = word.as_bytes();
    let n = bytes.len();
    if n >= 4
        && word.is_ascii()
        && bytes[n - 1] == b's'
        && matches!(bytes[n - 2], b'a' | b'i' | b'o' | b'u' | b'y' | b'p')
    {
        word.pop();
    }
}

impl<S: TokenStream> TokenStream for LoanPluralStream<S> {
    fn advance(&mut self) -> bool {
        if !self.0.advance() {
            return false;
        }
        strip_loan_plural(&mut self.0.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.0.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.0.token_mut()
    }
}

pub fn words_analyzer() -> TextAnalyzer {
    let stop_words = StopWordFilter::new(Language::German).expect("tantivy ships German stop words");
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(stop_words)
        .filter(AsciiFoldingFilter)
        .build()
}

/// A query word: its analysed term, and the length of the word as typed (typo tolerance
/// depends on it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueryWord {
    pub term: String,
    pub typed_len: usize,
    /// The word as typed, lowercased and folded but not stemmed: the prefix for
    /// search-as-you-type and compounds ("druckert" is a prefix of "druckertreib").
    pub folded: String,
}

fn plain_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(48))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build()
}

thread_local! {
    /// The analysers of `query_words`, built once per thread: building them (the stop word
    /// set, the stemmer) costs more than analysing a short query.
    static QUERY_ANALYZERS: std::cell::RefCell<(TextAnalyzer, TextAnalyzer)> =
        std::cell::RefCell::new((analyzer(), plain_analyzer()));
}

/// Copies of the query analysers (stemmed, plain), for a tokenizer of its own.
pub fn query_analyzers() -> (TextAnalyzer, TextAnalyzer) {
    QUERY_ANALYZERS.with(|analyzers| {
        let (stemmed, plain) = &*analyzers.borrow();
        (stemmed.clone(), plain.clone())
    })
}

/// Analyses a query into its words, stop words removed.
pub fn query_words(text: &str) -> Vec<QueryWord> {
    QUERY_ANALYZERS.with(|analyzers| {
        let (stemmed, plain) = &mut *analyzers.borrow_mut();
        let mut words = Vec::new();
        let mut tokens = plain.token_stream(text);
        while tokens.advance() {
            let word = tokens.token().text.clone();
            let stemmed_term = {
                let mut stream = stemmed.token_stream(&word);
                stream.advance().then(|| stream.token().text.clone())
            };
            if let Some(term) = stemmed_term {
                if !words.iter().any(|w: &QueryWord| w.term == term) {
                    words.push(QueryWord { term, typed_len: word.chars().count(), folded: word });
                }
            }
        }
        words
    })
}

/// The analyser of snippets: the body's words lowercased and folded, and only those that
/// may stem to one of the query's terms are stemmed. A German stem only ever drops a
/// word's ending (and folds umlauts and "ß" as the folding does), so a stem is a prefix of
/// the folded word: the other words cannot match a term and keep their folded form.
/// Snippets come out as with the full analyser, at a fraction of the stemming.
#[derive(Clone)]
pub struct SnippetTokenizer {
    terms: std::sync::Arc<[String]>,
    plain: TextAnalyzer,
    stemmed: TextAnalyzer,
}

impl SnippetTokenizer {
    pub fn new(terms: Vec<String>) -> SnippetTokenizer {
        let (stemmed, plain) = query_analyzers();
        SnippetTokenizer { terms: terms.into(), plain, stemmed }
    }
}

impl Tokenizer for SnippetTokenizer {
    type TokenStream<'a> = SnippetTokens<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> SnippetTokens<'a> {
        SnippetTokens { text, terms: &self.terms, plain: self.plain.token_stream(text), stemmed: &mut self.stemmed }
    }
}

pub struct SnippetTokens<'a> {
    text: &'a str,
    terms: &'a [String],
    plain: tantivy::tokenizer::BoxTokenStream<'a>,
    stemmed: &'a mut TextAnalyzer,
}

impl TokenStream for SnippetTokens<'_> {
    fn advance(&mut self) -> bool {
        if !self.plain.advance() {
            return false;
        }
        let token = self.plain.token_mut();
        if self.terms.iter().any(|term| token.text.starts_with(term.as_str())) {
            let mut stemmed = self.stemmed.token_stream(&self.text[token.offset_from..token.offset_to]);
            token.text.clear();
            // A stop word stems to nothing: it matches no term.
            if stemmed.advance() {
                token.text.push_str(&stemmed.token().text);
            }
        }
        true
    }

    fn token(&self) -> &Token {
        self.plain.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.plain.token_mut()
    }
}

/// Typo tolerance of SPEC §3: one typo from 5 letters, two from 9.
pub fn allowed_typos(len: usize) -> u8 {
    match len {
        0..=4 => 0,
        5..=8 => 1,
        _ => 2,
    }
}

/// German stop words for engines that take a list (Meilisearch): the function words a
/// question is made of ("Wie setze ich mein …").
/// Whether a word as typed (any case, with punctuation around it) is one of the stop
/// words every engine leaves out of a query.
pub fn is_stop_word(word: &str) -> bool {
    let bare = word.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase();
    STOP_WORDS.contains(&bare.as_str())
}

pub const STOP_WORDS: &[&str] = &[
    "aber", "alle", "allem", "allen", "aller", "alles", "als", "also", "am", "an", "ander", "andere", "anderen",
    "auch", "auf", "aus", "bei", "bin", "bis", "bist", "da", "damit", "dann", "das", "dass", "dein", "deine", "dem",
    "den", "denn", "der", "des", "dich", "die", "dies", "diese", "diesem", "diesen", "dieser", "dir", "doch", "dort",
    "du", "durch", "ein", "eine", "einem", "einen", "einer", "eines", "er", "es", "etwas", "euch", "euer", "für",
    "gegen", "hab", "habe", "haben", "hat", "hatte", "ich", "ihm", "ihn", "ihr", "ihre", "im", "in", "ist", "jede",
    "jedem", "jeden", "jeder", "kann", "kannst", "können", "man", "mein", "meine", "meinem", "meinen", "meiner",
    "mich", "mir", "mit", "muss", "nach", "nicht", "noch", "nun", "nur", "ob", "oder", "ohne", "sehr", "sein", "seine",
    "sich", "sie", "sind", "so", "soll", "um", "und", "uns", "unser", "unter", "vom", "von", "vor", "was", "warum",
    "weil", "welche", "welcher", "wenn", "wer", "werde", "werden", "wie", "wieso", "wir", "wird", "wo", "wurde", "zu",
    "zum", "zur", "über",
];

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        query_words(text).into_iter().map(|w| w.term).collect()
    }

    #[test]
    fn inflections_umlauts_and_sharp_s_meet() {
        assert_eq!(terms("Drucker"), terms("Druckers"));
        assert_eq!(terms("Passwort"), terms("passwort"));
        assert_eq!(terms("Straße"), terms("strasse"));
        assert_eq!(terms("Lösung"), terms("Losung"));
        assert_eq!(terms("Laptops"), terms("Laptop"));
        assert_eq!(terms("Fotos"), terms("Foto"));
        assert_eq!(terms("Apps"), terms("App"));
        assert_eq!(terms("Handys"), terms("Handy"));
        assert_eq!(terms("Menüs"), terms("Menü"));
    }

    #[test]
    fn stop_words_are_dropped() {
        assert_eq!(terms("Wie setze ich mein Passwort zurück?"), terms("setze Passwort zurück"));
    }

    /// The snippet analyser stems a word to the same term as the full analyser whenever
    /// that term is one of the query's.
    #[test]
    fn snippet_tokens_match_the_full_analyser() {
        let text = "Die Drucker druckten nicht; Straße, Größe, Häuser, Laptops und Fotos über Geräten, \
                    Anmeldungen, Lösungen, Wirtschaftlichkeit, Finanzministerium, Kenntnisse, gelöscht.";
        let mut full = analyzer();
        let mut expected = Vec::new();
        let mut stream = full.token_stream(text);
        while stream.advance() {
            expected.push(stream.token().clone());
        }
        let terms: Vec<String> = expected.iter().map(|t| t.text.clone()).collect();
        let mut snippet = SnippetTokenizer::new(terms.clone());
        let mut stream = snippet.token_stream(text);
        let mut got = Vec::new();
        while stream.advance() {
            let t = stream.token();
            if terms.contains(&t.text) {
                got.push((t.offset_from, t.text.clone()));
            }
        }
        let expected: Vec<(usize, String)> = expected.into_iter().map(|t| (t.offset_from, t.text)).collect();
        assert_eq!(got, expected);
    }

    #[test]
    fn typo_budget_grows_with_length() {
        assert_eq!(allowed_typos(4), 0);
        assert_eq!(allowed_typos(5), 1);
        assert_eq!(allowed_typos(9), 2);
    }
}
