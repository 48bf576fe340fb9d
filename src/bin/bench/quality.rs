//! `bench quality`: German question → passage retrieval on XQuAD (240 paragraphs, 1,190
//! questions), the embedded engine against a plain BM25 ranking (the embedded
//! engine must beat plain BM25).
use std::path::Path;

use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{Scope, SearchDoc, SearchEngine, SearchQuery};
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Schema, Value, STORED, TEXT};
use tantivy::tokenizer::TokenStream;
use tantivy::{doc, Index, TantivyDocument, Term};

use crate::corpus;
use crate::report::{verdict, Table};

const K: usize = 10;

/// Ranks of the gold passage (0-based; None when not in the top `K`), one per question.
#[derive(Default)]
struct Ranks(Vec<Option<usize>>);

impl Ranks {
    fn recall(&self, k: usize) -> f64 {
        self.0.iter().filter(|r| r.is_some_and(|r| r < k)).count() as f64 / self.0.len().max(1) as f64
    }

    fn mrr(&self) -> f64 {
        self.0.iter().map(|r| r.map(|r| 1.0 / (r as f64 + 1.0)).unwrap_or(0.0)).sum::<f64>()
            / self.0.len().max(1) as f64
    }
}

pub fn run(corpus_dir: &Path) -> Result<(), String> {
    let corpus = corpus::load(corpus_dir)?;
    let questions: Vec<(usize, &str)> = corpus
        .paragraphs
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.questions.iter().map(move |q| (i, q.as_str())))
        .collect();
    let paragraphs: Vec<String> = corpus.paragraphs.iter().map(|p| p.text.clone()).collect();
    // The harder setting: the same paragraphs among the news pieces of the search benchmark.
    let mut with_news = paragraphs.clone();
    with_news.extend(
        corpus::base_docs(&corpus).into_iter().filter(|d| d.slug.starts_with("news-")).map(|d| d.sentences.join(" ")),
    );

    println!();
    println!(
        "Question -> passage retrieval, XQuAD German: {} questions, each with one gold paragraph",
        questions.len()
    );
    let mut t =
        Table::new(&["documents", "engine", "recall@1", "recall@5", "MRR@10", "target recall@5"]).left_aligned(2);
    let pct = |v: f64| format!("{:.1} %", v * 100.0);
    for (label, passages) in [
        format!("{} paragraphs", paragraphs.len()),
        format!("{} paragraphs + {} news pieces", paragraphs.len(), with_news.len() - paragraphs.len()),
    ]
    .into_iter()
    .zip([&paragraphs, &with_news])
    {
        eprintln!("quality: {label} ...");
        let embedded = embedded_ranks(passages, &questions)?;
        let bm25 = bm25_ranks(passages, &questions).map_err(|e| e.to_string())?;
        t.row(vec![
            label,
            "plain BM25 (default tokenizer, OR of terms)".into(),
            pct(bm25.recall(1)),
            pct(bm25.recall(5)),
            format!("{:.3}", bm25.mrr()),
            String::new(),
        ]);
        t.row(vec![
            String::new(),
            "embedded engine".into(),
            pct(embedded.recall(1)),
            pct(embedded.recall(5)),
            format!("{:.3}", embedded.mrr()),
            format!("> plain BM25: {}", verdict(embedded.recall(5) > bm25.recall(5))),
        ]);
    }
    t.print();
    Ok(())
}

/// The embedded engine as the desk searches: every audience, every school.
fn embedded_ranks(passages: &[String], questions: &[(usize, &str)]) -> Result<Ranks, String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let engine = EmbeddedEngine::in_memory().without_cache();
    let docs = passages
        .iter()
        .enumerate()
        .map(|(i, text)| SearchDoc {
            slug: format!("p{i}"),
            title: String::new(),
            body: text.to_string(),
            tags: Vec::new(),
            audience: ["pupil", "teacher", "school_admin", "agent"].map(String::from).to_vec(),
            service: None,
            school: None,
        })
        .collect();
    runtime.block_on(async {
        engine.upsert(docs).await?;
        let scope = Scope { audiences: None, school: None, all_schools: true };
        let mut ranks = Ranks::default();
        for (gold, question) in questions {
            let query = SearchQuery { text: question.to_string(), limit: K, service: None, scope: scope.clone() };
            let hits = engine.search(&query).await?.hits;
            let want = format!("p{gold}");
            ranks.0.push(hits.iter().position(|h| h.slug == want));
        }
        Ok(ranks)
    })
}

/// Plain BM25: tantivy's default tokenizer (words, lowercased; no stemming, no stop
/// words), the question's terms OR-ed over the body.
fn bm25_ranks(passages: &[String], questions: &[(usize, &str)]) -> tantivy::Result<Ranks> {
    let mut builder = Schema::builder();
    let id = builder.add_u64_field("id", STORED);
    let body = builder.add_text_field("body", TEXT);
    let index = Index::create_in_ram(builder.build());
    let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 20_000_000)?;
    for (i, text) in passages.iter().enumerate() {
        writer.add_document(doc!(id => i as u64, body => text.as_str()))?;
    }
    writer.commit()?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut analyzer = index.tokenizer_for_field(body)?;
    let mut ranks = Ranks::default();
    for (gold, question) in questions {
        let mut terms: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut stream = analyzer.token_stream(question);
        while stream.advance() {
            let term = Term::from_field_text(body, &stream.token().text);
            terms.push((Occur::Should, Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))));
        }
        let top = searcher.search(&BooleanQuery::new(terms), &TopDocs::with_limit(K).order_by_score())?;
        let mut rank = None;
        for (r, (_, address)) in top.iter().enumerate() {
            let found: TantivyDocument = searcher.doc(*address)?;
            if found.get_first(id).and_then(|v| v.as_u64()) == Some(*gold as u64) {
                rank = Some(r);
                break;
            }
        }
        ranks.0.push(rank);
    }
    Ok(ranks)
}
