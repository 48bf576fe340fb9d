//! `bench http`: the real server (`staffel serve`, the release binary next to this one) on a
//! fresh data dir with the shipped FAQ plus 10,000 corpus articles imported through
//! `staffel kb import`, loaded with `wrk`: `/healthz` against the JSON search API.
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::corpus;
use crate::load::{check_wrk, dechunk, server_binary, wrk, wrk_threads, WrkResult};
use crate::report::{self, mb, ms, verdict, Table, TempDir};

const ARTICLES: usize = 10_000;
/// The one tag only the last imported article carries: when a search finds it, the
/// server's index has caught up with the import.
const LAST_MARKER: &str = "benchmarkletztesdokument";
const RATIO_TARGET: f64 = 0.30;
/// Reader queries generated for the uncached run (fewer remain after removing repeats);
/// more than the server answers in the run, so none goes twice.
const DISTINCT_QUERIES: usize = 200_000;

/// What readers search for: FAQ topics and corpus words, questions, a typo, prefixes as
/// typed (those go as search-as-you-type keystrokes, `suggest=true`: the API reads its
/// query strictly and refuses `1`).
const QUERIES: &[(&str, bool)] = &[
    ("Drucker", false),
    ("Passwort zurücksetzen", false),
    ("Wie setze ich mein Passwort zurück?", false),
    ("WLAN", false),
    ("Beamer kein Bild", false),
    ("Regierung", false),
    ("Gewerkschaft Vertrag", false),
    ("Wie viele Punkte gab die Verteidigung der Panthers ab?", false),
    ("Fußball", false),
    ("Bundeskanzler", false),
    ("Passwrot", false),
    ("Umwelt", false),
    ("Lernpl", true),
    ("Wirtsch", true),
    ("Tesla", false),
    ("Flüchtlinge", false),
];

struct Server {
    child: Child,
    base_port: u16,
    log: PathBuf,
}

impl Server {
    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    fn get(&self, path: &str) -> Result<(u16, String), String> {
        http_get(self.base_port, path)
    }

    fn wait_healthy(&mut self, within: Duration) -> Result<Duration, String> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(format!("staffel serve exited ({status}):\n{}", self.log_tail()));
            }
            if matches!(self.get("/healthz"), Ok((200, _))) {
                return Ok(started.elapsed());
            }
            if started.elapsed() > within {
                return Err(format!("staffel serve not healthy after {within:?}:\n{}", self.log_tail()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn stop(mut self) {
        // A graceful stop first (SIGTERM to the process this benchmark started), then a kill.
        let _ = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One request over a fresh connection (HTTP/1.1, `Connection: close`).
fn http_get(port: u16, path: &str) -> Result<(u16, String), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&raw);
    let (head, body) = text.split_once("\r\n\r\n").ok_or("no HTTP response")?;
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let chunked = head.to_ascii_lowercase().contains("transfer-encoding: chunked");
    Ok((status, if chunked { dechunk(body) } else { body.to_string() }))
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn search_path((text, suggest): (&str, bool)) -> String {
    format!("/api/v1/kb/search?q={}{}", encode(text), if suggest { "&suggest=true" } else { "" })
}

/// CPU time (user + system) of a process in seconds, from `/proc/<pid>/stat`.
fn cpu_secs(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn idle_cpu_percent(pid: u32, over: Duration) -> Option<f64> {
    let before = cpu_secs(pid)?;
    std::thread::sleep(over);
    Some((cpu_secs(pid)? - before) / over.as_secs_f64() * 100.0)
}

/// Writes the articles to import; returns the distinct queries of the uncached run.
fn write_articles(dir: &Path, corpus_dir: &Path) -> Result<Vec<(String, bool)>, String> {
    let corpus = corpus::load(corpus_dir)?;
    let base = corpus::base_docs(&corpus);
    let distinct = distinct_queries(&corpus, &base);
    let docs = corpus::documents(&base, ARTICLES, 0);
    let last = docs.len() - 1;
    for (n, d) in docs.into_iter().enumerate() {
        let mut tags = d.tags.clone();
        if n == last {
            tags.push(LAST_MARKER.into());
        }
        let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
        let text = format!(
            "---\ntitle: {}\naudience: [pupil]\nservice: {}\ntags: [{}]\n---\n\n{}\n",
            quoted(&d.title),
            d.service.as_deref().unwrap_or("other"),
            tags.iter().map(|t| quoted(t)).collect::<Vec<_>>().join(", "),
            d.body
        );
        let path = dir.join(format!("{}.md", d.slug));
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(distinct)
}

/// Queries that each go once, so that no answer can come from the server's result cache:
/// the search benchmark's reader mix (questions, keywords, typos, and prefixes as
/// search-as-you-type keystrokes), without repeats (compared lowercased).
fn distinct_queries(corpus: &corpus::Corpus, base: &[corpus::BaseDoc]) -> Vec<(String, bool)> {
    let mut seen = std::collections::HashSet::new();
    corpus::query_mix(corpus, base, DISTINCT_QUERIES)
        .into_iter()
        .filter(|(_, text)| seen.insert(text.to_lowercase()))
        .map(|(kind, text)| (text, kind == corpus::Kind::Prefix))
        .collect()
}

/// A wrk script sending these paths in turn. Every wrk thread runs its own copy of the
/// script, so each takes every `threads`-th path from its own offset: without that, both
/// threads sent the same list and the "distinct" run repeated each query once.
fn wrk_script(path: &Path, paths: &[String], threads: u32) -> Result<(), String> {
    let lines: Vec<String> = paths.iter().map(|p| format!("  \"{p}\",")).collect();
    std::fs::write(
        path,
        format!(
            "local paths = {{\n{}\n}}\nlocal started = 0\nsetup = function(thread)\n  \
             thread:set(\"offset\", started)\n  started = started + 1\nend\nlocal i = -1\n\
             request = function()\n  i = i + 1\n  \
             return wrk.format(\"GET\", paths[((i * {threads} + offset) % #paths) + 1])\nend\n",
            lines.join("\n")
        ),
    )
    .map_err(|e| e.to_string())
}

fn staffel(binary: &Path, data: &Path, port: u16) -> Command {
    let mut command = Command::new(binary);
    for (key, _) in std::env::vars() {
        if key.starts_with("STAFFEL_") || key.starts_with("ROCKET_") {
            command.env_remove(key);
        }
    }
    command
        .current_dir(data.parent().unwrap_or(data))
        .env("STAFFEL_DATA_DIR", data)
        .env("STAFFEL_BASE_URL", format!("http://127.0.0.1:{port}"))
        .env("STAFFEL_LOG_FORMAT", "json")
        .env("ROCKET_ADDRESS", "127.0.0.1")
        .env("ROCKET_PORT", port.to_string())
        .env("ROCKET_LOG_LEVEL", "off")
        .env("RUST_LOG", "warn");
    command
}

fn hits(body: &str) -> (usize, Vec<String>) {
    let json: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    let slugs = json["hits"]
        .as_array()
        .map(|h| h.iter().filter_map(|h| h["slug"].as_str().map(str::to_string)).collect())
        .unwrap_or_default();
    (json["total"].as_u64().unwrap_or(0) as usize, slugs)
}

pub fn run(corpus_dir: &Path, seconds: u64, connections: u32) -> Result<(), String> {
    let binary = server_binary()?;
    check_wrk()?;
    let temp = TempDir::new("http")?;
    let data = temp.path().join("data");
    let articles = temp.path().join("articles");
    std::fs::create_dir_all(&articles).map_err(|e| e.to_string())?;
    let distinct = write_articles(&articles, corpus_dir)?;

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| format!("no free port: {e}"))?;
    let log = temp.path().join("serve.log");
    let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    eprintln!("http: starting {} serve on port {port} ...", binary.display());
    let child = staffel(&binary, &data, port)
        .arg("serve")
        .stdout(out)
        .stderr(err)
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    let mut server = Server { child, base_port: port, log };
    let files = Files { binary: &binary, data: &data, articles: &articles, temp: temp.path() };
    let outcome = measure(&mut server, &files, &Load { distinct: &distinct, seconds, connections });
    server.stop();
    let figures = outcome?;
    figures.print(seconds, connections);
    Ok(())
}

struct Figures {
    first_start: Duration,
    import: Duration,
    searchable_after: Duration,
    idle_rss_fresh: Option<u64>,
    idle_rss_loaded: Option<u64>,
    idle_cpu: Option<f64>,
    rss_after: Option<u64>,
    hwm_after: Option<u64>,
    healthz: WrkResult,
    search: WrkResult,
    /// Every request a different query: no answer from the result cache.
    uncached: WrkResult,
    /// The server's CPU time per request (µs) in each of the three runs.
    cpu_us: [Option<f64>; 3],
    distinct: usize,
    zero_hit_queries: Vec<String>,
    /// (query, total, latency of the first request, median of five on the idle server)
    single: Vec<(String, usize, Duration, Duration)>,
}

fn status_kb(pid: u32, key: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find(|l| l.starts_with(key))?.split_whitespace().nth(1)?.parse().ok()
}

/// Where the benchmark's files are: the server binary, its data dir, the articles to
/// import and scratch space.
struct Files<'a> {
    binary: &'a Path,
    data: &'a Path,
    articles: &'a Path,
    temp: &'a Path,
}

/// The load: the distinct queries (and whether each is a keystroke suggestion), for how
/// long and over how many connections.
struct Load<'a> {
    distinct: &'a [(String, bool)],
    seconds: u64,
    connections: u32,
}

fn measure(server: &mut Server, files: &Files<'_>, load: &Load<'_>) -> Result<Figures, String> {
    let Files { binary, data, articles, temp } = *files;
    let Load { distinct, seconds, connections } = *load;
    let first_start = server.wait_healthy(Duration::from_secs(60))?;
    std::thread::sleep(Duration::from_secs(3));
    let idle_rss_fresh = report::rss_kb(Some(server.pid()));

    eprintln!("http: importing {ARTICLES} articles with `staffel kb import` ...");
    let started = Instant::now();
    let import = staffel(binary, data, server.base_port)
        .args(["kb", "import"])
        .arg(articles)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run staffel kb import: {e}"))?;
    let import_time = started.elapsed();
    if !import.status.success() {
        let report = String::from_utf8_lossy(&import.stdout);
        let rejected: Vec<&str> = report.lines().filter(|l| l.contains("REJECTED")).take(10).collect();
        return Err(format!("staffel kb import failed ({}):\n{}", import.status, rejected.join("\n")));
    }
    let synced = Instant::now();
    loop {
        let (_, body) = server.get(&format!("/api/v1/kb/search?q={LAST_MARKER}&suggest=true"))?;
        if !hits(&body).1.is_empty() {
            break;
        }
        if synced.elapsed() > Duration::from_secs(120) {
            return Err(format!(
                "the server did not find the imported articles within 2 minutes\n{}",
                server.log_tail()
            ));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let searchable_after = synced.elapsed();
    eprintln!("http: searchable {searchable_after:.1?} after the import; settling ...");
    std::thread::sleep(Duration::from_secs(8));
    let idle_cpu = idle_cpu_percent(server.pid(), Duration::from_secs(6));
    let idle_rss_loaded = report::rss_kb(Some(server.pid()));

    // Each query alone on the idle server: the median of five requests.
    let mut zero_hit_queries = Vec::new();
    let mut single = Vec::new();
    for q in QUERIES {
        let mut times = Vec::new();
        let mut total = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let (status, body) = server.get(&search_path(*q))?;
            times.push(t.elapsed());
            if status != 200 {
                return Err(format!("search {:?}: HTTP {status}: {body}", q.0));
            }
            total = hits(&body).0;
        }
        if total == 0 {
            zero_hit_queries.push(q.0.to_string());
        }
        let first = times[0];
        times.sort();
        single.push((q.0.to_string(), total, first, times[2]));
    }
    let script = temp.join("search.lua");
    let threads = wrk_threads(connections);
    wrk_script(&script, &QUERIES.iter().map(|q| search_path(*q)).collect::<Vec<_>>(), threads)?;
    let distinct_script = temp.join("distinct.lua");
    let distinct_paths: Vec<String> = distinct.iter().map(|(q, suggest)| search_path((q, *suggest))).collect();
    wrk_script(&distinct_script, &distinct_paths, threads)?;

    let base = format!("http://127.0.0.1:{}", server.base_port);
    eprintln!("http: wrk {seconds} s on /healthz, then on the search API ...");
    // A short warm-up of each route, not counted.
    wrk(&format!("{base}/healthz"), None, 2, connections)?;
    // The server's CPU time per request as well: on a machine shared with wrk and other
    // guests it varies less from run to run than requests/s do.
    let pid = server.pid();
    let measured = |url: &str, script: Option<&Path>| -> Result<(WrkResult, Option<f64>), String> {
        let before = cpu_secs(pid);
        let result = wrk(url, script, seconds, connections)?;
        let per_request =
            cpu_secs(pid).zip(before).map(|(after, before)| (after - before) * 1e6 / result.requests.max(1) as f64);
        Ok((result, per_request))
    };
    let (healthz, healthz_cpu) = measured(&format!("{base}/healthz"), None)?;
    wrk(&format!("{base}/api/v1/kb/search"), Some(&script), 2, connections)?;
    let (search, search_cpu) = measured(&format!("{base}/api/v1/kb/search"), Some(&script))?;
    eprintln!("http: wrk {seconds} s on the search API with {} distinct queries ...", distinct.len());
    let (uncached, uncached_cpu) = measured(&format!("{base}/api/v1/kb/search"), Some(&distinct_script))?;
    // Each thread walks its own share; one thread may run ahead of the other, so keep a margin
    // before it could wrap around to its first queries.
    if uncached.requests as usize > distinct.len() * 9 / 10 {
        return Err(format!(
            "the uncached run sent {} requests but has only {} distinct queries: raise DISTINCT_QUERIES",
            uncached.requests,
            distinct.len()
        ));
    }
    let rss_after = report::rss_kb(Some(server.pid()));
    let hwm_after = status_kb(server.pid(), "VmHWM:");
    Ok(Figures {
        first_start,
        import: import_time,
        searchable_after,
        idle_rss_fresh,
        idle_rss_loaded,
        idle_cpu,
        rss_after,
        hwm_after,
        healthz,
        search,
        uncached,
        cpu_us: [healthz_cpu, search_cpu, uncached_cpu],
        distinct: distinct.len(),
        zero_hit_queries,
        single,
    })
}

impl Figures {
    fn print(&self, seconds: u64, connections: u32) {
        println!();
        println!(
            "staffel serve (release), SQLite + embedded index, shipped FAQ + {ARTICLES} articles for pupils; \
             anonymous (pupil) requests"
        );
        println!(
            "first start on an empty data dir: {:.2} s; `staffel kb import` of {ARTICLES} files: {:.1} s; \
             searchable in the running server {:.1} s after the import",
            self.first_start.as_secs_f64(),
            self.import.as_secs_f64(),
            self.searchable_after.as_secs_f64()
        );
        println!();
        println!("wrk -t2 -c{connections} -d{seconds}s --latency");
        let mut t = Table::new(&[
            "route",
            "queries",
            "requests/s",
            "p50",
            "p99",
            "requests",
            "errors",
            "/ healthz",
            "server CPU/request",
        ])
        .left_aligned(2);
        let rotation = format!("{} in rotation (cached)", QUERIES.len());
        let distinct = format!("{} distinct (uncached)", self.distinct);
        for ((route, queries, r), cpu) in [
            ("/healthz", "", &self.healthz),
            ("/api/v1/kb/search?q=…", rotation.as_str(), &self.search),
            ("/api/v1/kb/search?q=…", distinct.as_str(), &self.uncached),
        ]
        .into_iter()
        .zip(self.cpu_us)
        {
            t.row(vec![
                route.into(),
                queries.into(),
                format!("{:.0}", r.requests_per_sec),
                ms(r.p50_ms),
                ms(r.p99_ms),
                r.requests.to_string(),
                r.errors.to_string(),
                format!("{:.0} %", r.requests_per_sec / self.healthz.requests_per_sec * 100.0),
                cpu.map(|us| format!("{us:.0} µs")).unwrap_or_else(|| "–".into()),
            ]);
        }
        t.print();
        println!(
            "(cached: the {} queries repeat, so after the warm-up the server's result cache answers them; \
             uncached: every request a different reader query (questions, keywords, typos, keystrokes), so every \
             search runs)",
            QUERIES.len()
        );
        let ratio = self.search.requests_per_sec / self.healthz.requests_per_sec;
        let uncached_ratio = self.uncached.requests_per_sec / self.healthz.requests_per_sec;
        println!(
            "search / healthz: cached {:.0} %, uncached {:.0} %   (target >= {:.0} %: cached {}, uncached {})",
            ratio * 100.0,
            uncached_ratio * 100.0,
            RATIO_TARGET * 100.0,
            verdict(ratio >= RATIO_TARGET),
            verdict(uncached_ratio >= RATIO_TARGET)
        );
        println!();
        println!(
            "Each search query alone on the idle server, one connection: the first request (uncached) and the \
             median of 5 (cached)"
        );
        let mut t = Table::new(&["query", "found", "first", "median of 5"]);
        for (q, total, first, median) in &self.single {
            t.row(vec![
                q.clone(),
                total.to_string(),
                ms(first.as_secs_f64() * 1000.0),
                ms(median.as_secs_f64() * 1000.0),
            ]);
        }
        t.print();
        if !self.zero_hit_queries.is_empty() {
            println!("queries without hits (each recorded as a miss): {:?}", self.zero_hit_queries);
        }
        println!();
        println!("Server memory (VmRSS of the staffel process)");
        let mut t = Table::new(&["when", "resident"]);
        t.row(vec!["idle, shipped FAQ only".into(), mb(self.idle_rss_fresh)]);
        t.row(vec![format!("idle, + {ARTICLES} articles imported"), mb(self.idle_rss_loaded)]);
        t.row(vec!["after the load".into(), mb(self.rss_after)]);
        t.row(vec!["peak (VmHWM)".into(), mb(self.hwm_after)]);
        t.print();
        if let Some(cpu) = self.idle_cpu {
            println!("server CPU while idle after the import (6 s): {cpu:.1} % of one core");
        }
    }
}
