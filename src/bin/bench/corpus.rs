//! The benchmark corpora (real German text, see `../shared/corpus/README.md`) and what the
//! benchmarks make of them: documents of any number, varied copies of the base paragraphs,
//! and a realistic mix of reader queries.
use std::path::Path;

use staffel::catalogue::services::DEFAULT_SERVICES;
use staffel::search::german::STOP_WORDS;
use staffel::search::SearchDoc;

/// Base documents aim at this many characters (news articles are split at sentences).
const CHUNK_CHARS: usize = 700;
const TITLE_CHARS: usize = 110;

/// An XQuAD paragraph and the questions whose gold passage it is.
pub struct Paragraph {
    pub article: String,
    pub text: String,
    pub questions: Vec<String>,
}

pub struct Corpus {
    pub paragraphs: Vec<Paragraph>,
    /// 10kGNAD articles: (label, text).
    pub news: Vec<(String, String)>,
}

/// One base document before replication.
#[derive(Clone)]
pub struct BaseDoc {
    pub slug: String,
    pub sentences: Vec<String>,
    pub tags: Vec<String>,
}

pub fn load(dir: &Path) -> Result<Corpus, String> {
    let xquad_path = dir.join("xquad.de.json");
    let news_path = dir.join("10kGNAD_test.csv");
    let read = |p: &Path| std::fs::read_to_string(p).map_err(|e| format!("cannot read {}: {e}", p.display()));
    let json: serde_json::Value =
        serde_json::from_str(&read(&xquad_path)?).map_err(|e| format!("{}: {e}", xquad_path.display()))?;
    let mut paragraphs = Vec::new();
    for article in json["data"].as_array().ok_or("xquad: no data array")? {
        let title = article["title"].as_str().unwrap_or_default().replace('_', " ");
        for p in article["paragraphs"].as_array().ok_or("xquad: no paragraphs")? {
            paragraphs.push(Paragraph {
                article: title.clone(),
                text: p["context"].as_str().unwrap_or_default().to_string(),
                questions: p["qas"]
                    .as_array()
                    .map(|qas| qas.iter().filter_map(|q| q["question"].as_str().map(str::to_string)).collect())
                    .unwrap_or_default(),
            });
        }
    }
    let news = read(&news_path)?.lines().filter_map(parse_news_line).collect::<Vec<_>>();
    if paragraphs.is_empty() || news.is_empty() {
        return Err(format!("{}: empty corpus", dir.display()));
    }
    Ok(Corpus { paragraphs, news })
}

/// `label;'text'`: `;`-separated, quote char `'` (doubled inside the text).
fn parse_news_line(line: &str) -> Option<(String, String)> {
    let (label, text) = line.split_once(';')?;
    let text = text.trim();
    let text = text.strip_prefix('\'').and_then(|t| t.strip_suffix('\'')).unwrap_or(text);
    Some((label.trim().to_string(), text.replace("''", "'")))
}

/// Sentences, split after `.`, `?` or `!` followed by a space and a capital or digit.
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for w in 0..chars.len().saturating_sub(2) {
        let (_, c) = chars[w];
        let (_, next) = chars[w + 1];
        let (after_at, after) = chars[w + 2];
        if matches!(c, '.' | '?' | '!') && next == ' ' && (after.is_uppercase() || after.is_ascii_digit()) {
            let s = text[start..after_at].trim();
            if !s.is_empty() {
                out.push(s.to_string());
            }
            start = after_at;
        }
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        out.push(rest.to_string());
    }
    out
}

/// A tag as authors write them: lowercase words, no punctuation, at most 40 characters.
fn tag(text: &str) -> String {
    let words: String =
        text.to_lowercase().chars().map(|c| if c.is_alphanumeric() || c == '-' { c } else { ' ' }).collect();
    words.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(40).collect::<String>().trim().to_string()
}

/// The base documents: every XQuAD paragraph, and the news articles cut into paragraph-size
/// pieces at sentence ends.
pub fn base_docs(corpus: &Corpus) -> Vec<BaseDoc> {
    let mut docs = Vec::new();
    for (i, p) in corpus.paragraphs.iter().enumerate() {
        docs.push(BaseDoc {
            slug: format!("xquad-{i}"),
            sentences: sentences(&p.text),
            tags: vec!["wikipedia".into(), tag(&p.article)],
        });
    }
    for (i, (label, text)) in corpus.news.iter().enumerate() {
        let mut chunk: Vec<String> = Vec::new();
        let mut len = 0;
        let mut part = 0;
        let all = sentences(text);
        let total = all.len();
        for (n, s) in all.into_iter().enumerate() {
            len += s.len() + 1;
            chunk.push(s);
            // No tiny remainder: the last sentences join the previous piece.
            if len >= CHUNK_CHARS && total - n > 2 {
                docs.push(BaseDoc {
                    slug: format!("news-{i}-{part}"),
                    sentences: std::mem::take(&mut chunk),
                    tags: vec!["nachrichten".into(), tag(label)],
                });
                part += 1;
                len = 0;
            }
        }
        if !chunk.is_empty() {
            docs.push(BaseDoc {
                slug: format!("news-{i}-{part}"),
                sentences: chunk,
                tags: vec!["nachrichten".into(), tag(label)],
            });
        }
    }
    docs
}

/// A small deterministic generator (SplitMix64): the same documents and queries every run.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

/// The title of a document: its first sentence, cut at a word near `TITLE_CHARS`.
pub fn title_of(first_sentence: &str) -> String {
    let mut title = String::new();
    for word in first_sentence.split_whitespace() {
        if !title.is_empty() && title.chars().count() + word.chars().count() + 1 > TITLE_CHARS {
            break;
        }
        if !title.is_empty() {
            title.push(' ');
        }
        title.push_str(word);
    }
    title.chars().take(TITLE_CHARS + 40).collect()
}

/// Who a generated document is for: most for pupils and teachers, some school-local.
pub struct Placement {
    pub audience: Vec<String>,
    pub school: Option<String>,
    pub service: String,
}

pub fn placement(n: usize, schools: usize) -> Placement {
    let audience: &[&str] = match n % 10 {
        0..=3 => &["pupil"],
        4 | 5 => &["pupil", "teacher"],
        6 | 7 => &["teacher"],
        8 => &["school_admin"],
        _ => &["agent"],
    };
    let school = (schools > 0 && n % 8 == 3).then(|| format!("schule-{}", (n / 8) % schools));
    Placement {
        audience: audience.iter().map(|a| a.to_string()).collect(),
        school,
        service: DEFAULT_SERVICES[n % DEFAULT_SERVICES.len()].0.to_string(),
    }
}

/// `count` documents: the base documents first, then varied copies (sentences shuffled,
/// one left out, so title and body differ from the original).
pub fn documents(base: &[BaseDoc], count: usize, schools: usize) -> Vec<SearchDoc> {
    let mut rng = Rng::new(0x5747_aff3);
    let mut docs = Vec::with_capacity(count);
    for n in 0..count {
        let b = &base[n % base.len()];
        let copy = n / base.len();
        let mut sentences = b.sentences.clone();
        let slug = if copy == 0 {
            b.slug.clone()
        } else {
            rng.shuffle(&mut sentences);
            if sentences.len() > 3 {
                let drop = rng.below(sentences.len());
                sentences.remove(drop);
            }
            format!("{}-v{copy}", b.slug)
        };
        let place = placement(n, schools);
        docs.push(SearchDoc {
            slug,
            title: title_of(sentences.first().map(String::as_str).unwrap_or("Ohne Titel")),
            body: sentences.join(" "),
            tags: b.tags.clone(),
            audience: place.audience,
            service: Some(place.service),
            school: place.school,
        });
    }
    docs
}

/// What kind of query a reader typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Question,
    Keywords,
    Prefix,
    Typo,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Question, Kind::Keywords, Kind::Prefix, Kind::Typo];

    pub fn label(self) -> &'static str {
        match self {
            Kind::Question => "question",
            Kind::Keywords => "1-3 keywords",
            Kind::Prefix => "prefix 3-6",
            Kind::Typo => "misspelled",
        }
    }
}

/// Content words of a text: letters only, at least five, no stop words.
fn content_words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().count() >= 5 && !STOP_WORDS.contains(&w.to_lowercase().as_str()))
        .map(str::to_string)
        .collect()
}

/// One typo: a swap, a dropped, doubled or replaced letter (never the first).
fn misspell(word: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = word.chars().collect();
    let at = 1 + rng.below(chars.len() - 1);
    match rng.below(4) {
        0 if at + 1 < chars.len() => chars.swap(at, at + 1),
        1 => {
            chars.remove(at);
        }
        2 => chars.insert(at, chars[at]),
        _ => chars[at] = *rng.pick(&['e', 'a', 'r', 'n', 'i', 's', 't']),
    }
    chars.into_iter().collect()
}

/// A query mix like readers type it: a quarter each of questions (XQuAD), one to three
/// keywords, prefixes of 3–6 letters (search-as-you-type, sometimes after a whole word)
/// and words with typos.
pub fn query_mix(corpus: &Corpus, base: &[BaseDoc], n: usize) -> Vec<(Kind, String)> {
    let mut rng = Rng::new(0x0051_e4c4);
    let questions: Vec<&String> = corpus.paragraphs.iter().flat_map(|p| &p.questions).collect();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let kind = Kind::ALL[out.len() % 4];
        let doc = rng.pick(base);
        let words = content_words(&doc.sentences.join(" "));
        if words.len() < 3 {
            continue;
        }
        let text = match kind {
            Kind::Question => rng.pick(&questions).to_string(),
            Kind::Keywords => {
                let k = 1 + rng.below(3);
                (0..k).map(|_| rng.pick(&words).clone()).collect::<Vec<_>>().join(" ")
            }
            Kind::Prefix => {
                let long: Vec<&String> = words.iter().filter(|w| w.chars().count() >= 7).collect();
                if long.is_empty() {
                    continue;
                }
                let word = rng.pick(&long);
                let prefix: String = word.chars().take(3 + rng.below(4)).collect();
                if rng.below(3) == 0 {
                    format!("{} {prefix}", rng.pick(&words))
                } else {
                    prefix
                }
            }
            Kind::Typo => {
                let k = 1 + rng.below(2);
                let mut typed = Vec::with_capacity(k);
                for _ in 0..k {
                    let word = rng.pick(&words).clone();
                    typed.push(misspell(&word, &mut rng));
                }
                typed.join(" ")
            }
        };
        out.push((kind, text));
    }
    out
}
