//! `bench search`: indexing throughput and in-process query latency of the embedded engine
//! (on disk, as `staffel serve` runs it) at several corpus sizes. Each size runs in a child
//! process of its own, so its resident memory is not blurred by the previous size's.
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use staffel::search::embedded::EmbeddedEngine;
use staffel::search::{Scope, SearchEngine, SearchQuery};

use crate::corpus::{self, Kind};
use crate::report::{self, mb, ms, verdict, Latency, Table, TempDir};

const SCHOOLS: usize = 50;
const INDEX_TARGET_SECS: f64 = 60.0;
const P99_TARGET_MS: f64 = 5.0;
const WARM_UP: usize = 200;

#[derive(Serialize, Deserialize)]
struct ScopeReport {
    scope: String,
    overall: Latency,
    by_kind: Vec<(String, Latency)>,
    /// Share of queries with at least one hit.
    found: f64,
}

#[derive(Serialize, Deserialize)]
struct SizeReport {
    docs: usize,
    base_docs: usize,
    body_mb: f64,
    index_secs: f64,
    index_bytes: u64,
    rss_before_kb: Option<u64>,
    rss_loaded_kb: Option<u64>,
    rss_queried_kb: Option<u64>,
    scopes: Vec<ScopeReport>,
}

pub fn run(corpus_dir: &Path, sizes: &[usize], queries: usize) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut reports = Vec::new();
    for &size in sizes {
        eprintln!("search: {size} documents ...");
        let output = Command::new(&exe)
            .args(["search-one", "--docs", &size.to_string(), "--queries", &queries.to_string(), "--corpus"])
            .arg(corpus_dir)
            .stderr(Stdio::inherit())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", exe.display()))?;
        if !output.status.success() {
            return Err(format!("the benchmark for {size} documents failed ({})", output.status));
        }
        let stdout = String::from_utf8_lossy(&output.stdout);
        let last = stdout.lines().last().unwrap_or_default();
        reports.push(serde_json::from_str::<SizeReport>(last).map_err(|e| format!("child report: {e}: {last}"))?);
    }
    print(&reports, queries);
    Ok(())
}

/// One size, in this process; prints its report as one JSON line.
pub fn run_one(corpus_dir: &Path, size: usize, queries: usize) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
    let corpus = corpus::load(corpus_dir)?;
    let base = corpus::base_docs(&corpus);
    let mix = corpus::query_mix(&corpus, &base, queries + WARM_UP);
    let docs = corpus::documents(&base, size, SCHOOLS);
    let body_mb = docs.iter().map(|d| d.body.len() + d.title.len()).sum::<usize>() as f64 / 1e6;
    drop(corpus);
    let dir = TempDir::new("search")?;
    // The engine's result cache would answer the mix's repeated queries from memory: the
    // latencies here are of searches that run.
    let engine = EmbeddedEngine::open(&dir.path().join("index"))?.without_cache();
    let rss_before_kb = report::rss_kb(None);
    let started = Instant::now();
    runtime.block_on(engine.bulk_load(docs))?;
    let index_secs = started.elapsed().as_secs_f64();
    let count = runtime.block_on(engine.doc_count())?;
    if count != size as u64 {
        return Err(format!("the index holds {count} documents, not {size}"));
    }
    let index_bytes = report::dir_size(dir.path());
    let rss_loaded_kb = report::rss_kb(None);
    eprintln!("  indexed {size} in {index_secs:.1} s; querying ...");

    let pupil = Scope { audiences: Some(vec!["pupil"]), school: Some("schule-3".into()), all_schools: false };
    let desk = Scope { audiences: None, school: None, all_schools: true };
    let mut scopes = Vec::new();
    for (name, scope) in [("pupil (schule-3)", pupil), ("all schools (desk)", desk)] {
        let query = |text: &str| SearchQuery { text: text.to_string(), limit: 10, service: None, scope: scope.clone() };
        let (samples, found) = runtime.block_on(async {
            for (_, text) in &mix[..WARM_UP] {
                engine.search(&query(text)).await?;
            }
            let mut samples: Vec<(Kind, Duration)> = Vec::with_capacity(queries);
            let mut found = 0usize;
            for (kind, text) in &mix[WARM_UP..] {
                let q = query(text);
                let t = Instant::now();
                let results = engine.search(&q).await?;
                samples.push((*kind, t.elapsed()));
                found += usize::from(!results.hits.is_empty());
            }
            Ok::<_, String>((samples, found))
        })?;
        let all: Vec<Duration> = samples.iter().map(|(_, d)| *d).collect();
        let by_kind = Kind::ALL
            .iter()
            .map(|k| {
                let of_kind: Vec<Duration> = samples.iter().filter(|(kk, _)| kk == k).map(|(_, d)| *d).collect();
                (k.label().to_string(), Latency::of(&of_kind))
            })
            .collect();
        scopes.push(ScopeReport {
            scope: name.into(),
            overall: Latency::of(&all),
            by_kind,
            found: found as f64 / queries.max(1) as f64,
        });
    }
    let report = SizeReport {
        docs: size,
        base_docs: base.len(),
        body_mb,
        index_secs,
        index_bytes,
        rss_before_kb,
        rss_loaded_kb,
        rss_queried_kb: report::rss_kb(None),
        scopes,
    };
    drop(engine);
    println!("{}", serde_json::to_string(&report).map_err(|e| e.to_string())?);
    Ok(())
}

fn print(reports: &[SizeReport], queries: usize) {
    println!();
    if let Some(first) = reports.first() {
        println!(
            "Embedded engine (tantivy, on disk). Documents: {} base documents from XQuAD paragraphs and 10kGNAD \
             articles (split at ~700 characters), varied copies beyond that.",
            first.base_docs
        );
    }
    println!();
    println!("Indexing (bulk_load: one commit)");
    let mut t = Table::new(&["documents", "text", "time", "docs/s", "index on disk", "target", ""]);
    for r in reports {
        let target = if r.docs == 100_000 { "100,000 < 60 s" } else { "" };
        let ok = if r.docs == 100_000 { verdict(r.index_secs < INDEX_TARGET_SECS) } else { "" };
        t.row(vec![
            r.docs.to_string(),
            format!("{:.1} MB", r.body_mb),
            format!("{:.2} s", r.index_secs),
            format!("{:.0}", r.docs as f64 / r.index_secs),
            format!("{:.1} MB", r.index_bytes as f64 / 1e6),
            target.into(),
            ok.into(),
        ]);
    }
    t.print();
    println!();
    println!("Resident memory of the benchmark process (VmRSS)");
    let mut t = Table::new(&["documents", "before indexing", "after indexing", "after the queries"]);
    for r in reports {
        t.row(vec![r.docs.to_string(), mb(r.rss_before_kb), mb(r.rss_loaded_kb), mb(r.rss_queried_kb)]);
    }
    t.print();
    println!("(before indexing includes the generated documents; they are freed by indexing)");
    println!();
    println!(
        "Query latency in process, limit 10 with snippets, result cache off ({queries} queries per scope after \
         {WARM_UP} warm-up)"
    );
    let mut t =
        Table::new(&["documents", "scope", "queries", "n", "found", "p50", "p90", "p99", "max", "target p99", ""])
            .left_aligned(3);
    for r in reports {
        for s in &r.scopes {
            let target = r.docs == 10_000;
            t.row(vec![
                r.docs.to_string(),
                s.scope.clone(),
                "all".into(),
                s.overall.n.to_string(),
                format!("{:.0} %", s.found * 100.0),
                ms(s.overall.p50),
                ms(s.overall.p90),
                ms(s.overall.p99),
                ms(s.overall.max),
                if target { "< 5 ms".into() } else { String::new() },
                if target { verdict(s.overall.p99 < P99_TARGET_MS).into() } else { String::new() },
            ]);
            for (kind, l) in &s.by_kind {
                t.row(vec![
                    String::new(),
                    String::new(),
                    kind.clone(),
                    l.n.to_string(),
                    String::new(),
                    ms(l.p50),
                    ms(l.p90),
                    ms(l.p99),
                    ms(l.max),
                    String::new(),
                    String::new(),
                ]);
            }
        }
    }
    t.print();
}
