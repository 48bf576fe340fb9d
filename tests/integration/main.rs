//! Staffel's integration tests in one binary: the real `staffel::build()` driven through
//! `rocket::local` (and the real binary over HTTP), each database test on SQLite and, with
//! `STAFFEL_TEST_PG` set, on PostgreSQL. One binary, so the shared code in `common` is
//! compiled once and every test can run alongside every other.
#[macro_use]
mod common;

mod access_matrix;
mod accessibility;
mod accounts;
mod api;
mod api_conformance;
mod attachment_sweep;
mod attachments;
mod bad_input;
mod canned;
mod chat;
mod cli;
mod desk_ownership;
mod desk_settings;
mod desk_ticket_page;
mod faq_drafts;
mod faults;
mod hardening;
mod instances;
mod kb;
mod kb_authoring;
mod ladder;
mod ladder_files;
mod mail;
mod markdown;
mod privacy;
mod queue_bulk;
mod queue_counts;
mod queue_sort;
mod reminders;
mod report_paths;
mod reports;
mod saved_filters;
mod school_overview;
mod school_pages;
mod search;
mod search_terms;
mod stats;
mod tallies;
mod ticket_intake;
mod tickets;
mod widget;
mod xmpp;
