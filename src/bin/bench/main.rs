//! `bench`: the quality bars that are measured, not unit-tested (see the README). Build with
//! `cargo build --release --bins` and run `target/release/bench search|quality|http`.
mod chat;
mod corpus;
mod http;
mod instances;
mod load;
mod quality;
mod report;
mod search;
mod stats;
mod tickets;
mod tickets_fill;

use std::path::PathBuf;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "bench", about = "Staffel benchmarks (search engine, search quality, HTTP)")]
struct Cli {
    /// The benchmark corpora (xquad.de.json, 10kGNAD_test.csv).
    #[arg(long, global = true, default_value = "../shared/corpus")]
    corpus: PathBuf,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Indexing time and in-process query latency of the embedded engine (on disk).
    Search {
        /// Corpus sizes, comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "10000,100000")]
        docs: Vec<usize>,
        /// Timed queries per size and scope.
        #[arg(long, default_value_t = 4000)]
        queries: usize,
    },
    /// One size of `search`, run by it in a child process; prints JSON.
    #[command(hide = true)]
    SearchOne {
        #[arg(long)]
        docs: usize,
        #[arg(long)]
        queries: usize,
    },
    /// Recall@1/@5 and MRR@10 on XQuAD German, embedded engine against plain BM25.
    Quality,
    /// Thousands of WebSocket clients in many chats on one instance, beside a bare echo.
    Chat {
        #[arg(long, default_value_t = 5000)]
        clients: usize,
        #[arg(long, default_value_t = 2000)]
        rounds: usize,
    },
    #[command(hide = true)]
    ChatEcho {
        #[arg(long)]
        port: u16,
    },
    /// Message delivery between two instances on one PostgreSQL, beside one instance.
    Instances {
        /// A PostgreSQL server (trust auth); the benchmark creates and drops its own database.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        pg: String,
        #[arg(long, default_value_t = 20)]
        chats: usize,
        #[arg(long, default_value_t = 2000)]
        rounds: usize,
    },
    /// Requests/s of the JSON search API against /healthz, with `wrk`, on the real server.
    Http {
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: u32,
    },
    /// The desk at 1,000,000 tickets: queue pages and ticket creation on the real server.
    Tickets {
        #[arg(long, default_value_t = 1_000_000)]
        tickets: usize,
        #[arg(long, default_value_t = 200)]
        schools: usize,
        /// sqlite, postgres or both.
        #[arg(long, default_value = "both")]
        backend: String,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        #[arg(long, default_value_t = 32)]
        connections: u32,
        /// A PostgreSQL server (trust auth); the benchmark creates and drops its own database.
        #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432")]
        pg: String,
        /// Keep the filled databases (SQLite under this directory, PostgreSQL as the database
        /// `staffel_bench_reuse`) and reuse them on the next run instead of filling again.
        #[arg(long)]
        reuse: Option<std::path::PathBuf>,
    },
    /// The reports page at 1,000,000 tickets on SQLite: a year's report beside /healthz.
    Stats {
        #[arg(long, default_value_t = 1_000_000)]
        tickets: usize,
        #[arg(long, default_value_t = 200)]
        schools: usize,
        /// Timed requests per route.
        #[arg(long, default_value_t = 40)]
        samples: usize,
        /// Keep the filled database under this directory and reuse it on the next run.
        #[arg(long)]
        reuse: Option<std::path::PathBuf>,
    },
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Search { docs, queries } => search::run(&cli.corpus, &docs, queries),
        Command::SearchOne { docs, queries } => search::run_one(&cli.corpus, docs, queries),
        Command::Quality => quality::run(&cli.corpus),
        Command::Chat { clients, rounds } => chat::run(clients, rounds),
        Command::ChatEcho { port } => chat::echo_server(port),
        Command::Instances { pg, chats, rounds } => instances::run(&pg, chats, rounds),
        Command::Http { seconds, connections } => http::run(&cli.corpus, seconds, connections),
        Command::Tickets { tickets, schools, backend, seconds, connections, pg, reuse } => {
            tickets::run(&tickets::Options { tickets, schools, backend, seconds, connections, pg_url: pg, reuse })
        }
        Command::Stats { tickets, schools, samples, reuse } => {
            stats::run(&stats::Options { tickets, schools, samples, reuse })
        }
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}
