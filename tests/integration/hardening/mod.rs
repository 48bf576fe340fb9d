//! What an attacker, a fuzzer and a curious user found (issue #13): each behaviour that did
//! not hold, as a test that fails without its fix.
mod api_tokens;
mod client_address;
mod concurrent_import;
mod forgot_timing;
mod https_cookies;
mod log_secrets;
mod mail_deadline;
mod mail_in_flight;
mod mail_outage;
mod mail_page;
mod missed_searches;
mod next_param;
mod no_store;
mod private_data_dir;
mod relogin;
mod reopen;
mod reporter_privacy;
mod sqlite_synchronous;
mod unversioned_comments;
mod votes;
